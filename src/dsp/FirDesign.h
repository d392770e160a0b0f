#pragma once
// Linear-phase FIR design from a magnitude response given at (frequency, gain) points.
//
// Method: frequency sampling + window (Oppenheim & Schafer, "Discrete-Time Signal
// Processing", 3rd ed., §7.5–7.6). The target gain is interpolated linearly in dB on a
// log-frequency axis, held flat outside the first and last points, sampled on a dense
// zero-phase FFT grid (≥ 2 × next power of two ≥ length), inverse-transformed (KissFFT),
// truncated to `length` taps around t = 0 with a Kaiser window (β = 7, sidelobes
// ≈ −70 dB) and shifted by (length − 1) / 2, which is the filter's latency.
#include <cstddef>
#include <span>
#include <vector>

namespace mm {

struct FirPoint {
    double hz = 1000.0;
    double gainDb = 0.0;
};

/// Target gain in dB at `hz`: linear in dB over log-frequency between points (sorted
/// ascending by hz), constant beyond the ends; 0 dB if there are no points.
double interpolateGainDb(std::span<const FirPoint> points, double hz) noexcept;

/// Designs a symmetric (linear-phase, type I) FIR; `length` is made odd (4097 suits
/// 44.1/48 kHz: ≈ 12 Hz bins, smoothing ≈ 50 Hz). Allocates; not for the audio path.
std::vector<float> designLinearPhaseFir(std::span<const FirPoint> points, double sampleRate, std::size_t length = 4097);

/// Latency of a linear-phase FIR of `length` taps: (length − 1) / 2 samples.
constexpr std::size_t linearPhaseLatency(std::size_t length) noexcept { return (length - 1) / 2; }

} // namespace mm
