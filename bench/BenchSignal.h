#pragma once
// Deterministic music-like test material for the benchmarks: a bass sine and a chord
// with slow amplitude movement, pink-ish noise (hats/reverb), and a decaying kick-like
// burst every half second, decorrelated between channels. Peaks land near `peakDbfs`,
// so dynamics processors and the limiter do real work rather than idling.
#include "core/AudioBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <time.h>

namespace mm::bench {

/// CPU time of the calling thread, seconds: x_realtime counters use it rather than wall
/// time so that other load on the machine does not show up as a slower processor.
inline double cpuSeconds() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

inline AudioBuffer programme(double fs, int channels, double seconds, double peakDbfs = 0.0, std::uint64_t seed = 1)
{
    const auto frames = static_cast<std::size_t>(seconds * fs);
    AudioBuffer out(channels, frames);
    constexpr double twoPi = 2.0 * std::numbers::pi;
    for (int c = 0; c < channels; ++c) {
        std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(c) + 1;
        double b0 = 0.0, b1 = 0.0, b2 = 0.0; // Kellet's economy pink filter
        float* x = out.channel(c);
        for (std::size_t i = 0; i < frames; ++i) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            const double white = static_cast<double>(s >> 11) * 0x1.0p-53 * 2.0 - 1.0;
            b0 = 0.99765 * b0 + white * 0.0990460;
            b1 = 0.96300 * b1 + white * 0.2965164;
            b2 = 0.57000 * b2 + white * 1.0526913;
            const double pink = (b0 + b1 + b2 + white * 0.1848) * 0.05;
            const double t = static_cast<double>(i) / fs;
            const double beat = std::fmod(t, 0.5);
            const double kick = 0.8 * std::exp(-beat * 18.0) * std::sin(twoPi * (50.0 + 120.0 * std::exp(-beat * 40.0)) * beat);
            const double swell = 0.6 + 0.4 * std::sin(twoPi * 0.1 * t + c);
            const double chord = 0.12 * swell * (std::sin(twoPi * 261.63 * t) + std::sin(twoPi * 329.63 * t + c) + std::sin(twoPi * 392.0 * t));
            const double bass = 0.3 * std::sin(twoPi * 55.0 * t);
            x[i] = static_cast<float>(kick + bass + chord + pink);
        }
    }
    float peak = 0.0f;
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i)
            peak = std::max(peak, std::fabs(out.channel(c)[i]));
    const auto g = static_cast<float>(std::pow(10.0, peakDbfs / 20.0) / std::max(peak, 1e-9f));
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i)
            out.channel(c)[i] *= g;
    return out;
}

} // namespace mm::bench
