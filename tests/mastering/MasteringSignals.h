#pragma once
// Synthetic programme material for the chain tests: something like a mix (pink-noise
// bed, decaying drum-like bursts, a sine bass line) and limiter torture signals.
#include "support/Signals.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace mm::test {

/// Stereo "song": a pink-noise bed (independent channels, −32 dBFS RMS), kick-like
/// decaying 55 Hz thumps and snare-like noise bursts on an 120 bpm grid, and a sine
/// bass line (55–110 Hz) changing note every half second. Around −20 LUFS.
inline AudioBuffer syntheticSong(double fs, double seconds, std::uint64_t seed = 11)
{
    AudioBuffer b = pinkNoise(fs, 2, seconds, -32.0, seed);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    const double notes[] = {55.0, 73.42, 82.41, 110.0, 98.0, 65.41, 61.74, 82.41};
    const std::size_t beat = static_cast<std::size_t>(0.5 * fs);
    double bassPhase = 0.0;
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const std::size_t bar = i / beat;
        const double t = static_cast<double>(i % beat) / fs; // time since the beat
        const double kick = (bar % 2 == 0) ? 0.5 * std::exp(-t / 0.08) * std::sin(2 * std::numbers::pi * (55.0 + 60.0 * std::exp(-t / 0.02)) * t) : 0.0;
        const double snare = (bar % 2 == 1) ? 0.25 * std::exp(-t / 0.05) * noise(rng) : 0.0;
        bassPhase += 2 * std::numbers::pi * notes[bar % 8] / fs;
        const double bass = 0.15 * std::sin(bassPhase);
        const double side = 0.03 * noise(rng) * std::exp(-t / 0.1); // a little stereo hat-ish air
        b.channel(0)[i] += static_cast<float>(kick + snare + bass + side);
        b.channel(1)[i] += static_cast<float>(kick + 0.8 * snare + bass - side);
    }
    return b;
}

enum class Torture { Square, ClippedNoise, QuarterRateSine45, Sine20Hz, Transients };

inline const char* name(Torture t)
{
    switch (t) {
    case Torture::Square: return "square_1k";
    case Torture::ClippedNoise: return "clipped_noise";
    case Torture::QuarterRateSine45: return "fs4_sine_45deg";
    case Torture::Sine20Hz: return "sine_20Hz";
    case Torture::Transients: return "transients";
    }
    return "?";
}

/// Full-scale torture material, stereo.
inline AudioBuffer torture(Torture kind, double fs, double seconds)
{
    const auto n = static_cast<std::size_t>(seconds * fs);
    AudioBuffer b(2, n);
    std::mt19937_64 rng(99);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
        double l = 0.0, r = 0.0;
        switch (kind) {
        case Torture::Square: { // 1 kHz and 1.5 kHz full-scale squares: Gibbs overshoot between samples
            l = std::fmod(static_cast<double>(i) * 1000.0 / fs, 1.0) < 0.5 ? 1.0 : -1.0;
            r = std::fmod(static_cast<double>(i) * 1500.0 / fs, 1.0) < 0.5 ? 1.0 : -1.0;
            break;
        }
        case Torture::ClippedNoise: // white noise 10 dB too hot, hard-clipped
            l = std::clamp(3.0 * noise(rng), -1.0, 1.0);
            r = std::clamp(3.0 * noise(rng), -1.0, 1.0);
            break;
        case Torture::QuarterRateSine45: // samples at ±1, true peak +3.01 dBTP
            l = r = std::sqrt(2.0) * std::sin(std::numbers::pi / 2 * static_cast<double>(i) + std::numbers::pi / 4);
            l = r = std::clamp(l, -1.0, 1.0);
            break;
        case Torture::Sine20Hz:
            l = r = std::sin(2 * std::numbers::pi * 20.0 * static_cast<double>(i) / fs);
            break;
        case Torture::Transients: { // full-scale clicks, alternating-sign pairs and steps over a quiet bed
            const std::size_t k = i % static_cast<std::size_t>(0.25 * fs);
            l = 0.01 * noise(rng);
            r = 0.01 * noise(rng);
            if (k == 0) l = r = 1.0;
            if (k == 1) l = r = -1.0;
            if (k >= 100 && k < 110) { l = 1.0; r = -1.0; }
            break;
        }
        }
        b.channel(0)[i] = static_cast<float>(l);
        b.channel(1)[i] = static_cast<float>(r);
    }
    return b;
}

} // namespace mm::test
