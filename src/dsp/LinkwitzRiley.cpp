#include "dsp/LinkwitzRiley.h"

#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mm {

namespace {

struct Prewarp {
    double cosw, alpha, a0;
};

Prewarp prewarp(double hz, double fs)
{
    const double w0 = 2.0 * std::numbers::pi * std::clamp(hz, 1.0, 0.49 * fs) / fs;
    const double alpha = std::sin(w0) / std::numbers::sqrt2; // sin w0 / (2Q), Q = 1/√2
    return {std::cos(w0), alpha, 1.0 + alpha};
}

// One TDF-II section over a run of samples; z points at its two state values.
inline double tick(const SosCoefficients& k, double* z, double x) noexcept
{
    const double y = k.b0 * x + z[0];
    z[0] = (k.b1 * x + z[1]) - k.a1 * y;
    z[1] = k.b2 * x - k.a2 * y;
    return y;
}

// tick() for two channels at once, one SIMD lane each (bit-identical per lane).
BiquadLanes lanes(const SosCoefficients& k) noexcept { return {k.b0, k.b1, k.b2, k.a1, k.a2}; }

// Once a block ends, state below 1e-30 (≈ −600 dB) is set to zero so long silence does
// not decay into denormals, which are slow on x86 (STYLE.md practice 10).
inline void snapDenormals(double* z, int n) noexcept
{
    for (int i = 0; i < n; ++i)
        if (std::fabs(z[i]) < 1e-30)
            z[i] = 0.0;
}

} // namespace

SosCoefficients designButterworthLowPass(double hz, double sampleRate)
{
    const auto p = prewarp(hz, sampleRate);
    const double b = (1.0 - p.cosw) / 2.0;
    return {b / p.a0, 2.0 * b / p.a0, b / p.a0, -2.0 * p.cosw / p.a0, (1.0 - p.alpha) / p.a0};
}

SosCoefficients designButterworthHighPass(double hz, double sampleRate)
{
    const auto p = prewarp(hz, sampleRate);
    const double b = (1.0 + p.cosw) / 2.0;
    return {b / p.a0, -2.0 * b / p.a0, b / p.a0, -2.0 * p.cosw / p.a0, (1.0 - p.alpha) / p.a0};
}

SosCoefficients designButterworthAllpass(double hz, double sampleRate)
{
    const auto p = prewarp(hz, sampleRate);
    return {(1.0 - p.alpha) / p.a0, -2.0 * p.cosw / p.a0, 1.0, -2.0 * p.cosw / p.a0, (1.0 - p.alpha) / p.a0};
}

// ---- LinkwitzRiley ----

void LinkwitzRiley::setCrossover(double hz, double sampleRate) noexcept
{
    hz_ = hz;
    coef_[0] = designButterworthLowPass(hz, sampleRate);
    coef_[1] = designButterworthHighPass(hz, sampleRate);
}

void LinkwitzRiley::prepare(const ProcessSpec& spec, double hz)
{
    channels_ = spec.channels;
    state_.assign(static_cast<std::size_t>(channels_) * 8, 0.0);
    setCrossover(hz, spec.sampleRate);
}

void LinkwitzRiley::reset() noexcept { std::fill(state_.begin(), state_.end(), 0.0); }

void LinkwitzRiley::split(AudioBuffer& low, AudioBuffer& high, const AudioBuffer& in) noexcept
{
    const std::size_t n = std::min({in.frames(), low.capacity(), high.capacity()});
    low.setFrames(n);
    high.setFrames(n);
    const int nch = std::min({in.channels(), low.channels(), high.channels(), channels_});
    if (nch == 2) { // both channels in one pair of lanes, the state in registers
        double* zl = state_.data();
        double* zr = state_.data() + 8;
        Double2 z[8];
        for (int j = 0; j < 8; ++j)
            z[j] = Double2{zl[j], zr[j]};
        const BiquadLanes lp = lanes(coef_[0]), hp = lanes(coef_[1]);
        const float *xl = in.channel(0), *xr = in.channel(1);
        float *lo0 = low.channel(0), *lo1 = low.channel(1), *hi0 = high.channel(0), *hi1 = high.channel(1);
        for (std::size_t i = 0; i < n; ++i) {
            const Double2 v{static_cast<double>(xl[i]), static_cast<double>(xr[i])};
            const Double2 l = tdf2(lp, z[2], z[3], tdf2(lp, z[0], z[1], v));
            const Double2 h = tdf2(hp, z[6], z[7], tdf2(hp, z[4], z[5], v));
            lo0[i] = static_cast<float>(l[0]);
            lo1[i] = static_cast<float>(l[1]);
            hi0[i] = static_cast<float>(h[0]);
            hi1[i] = static_cast<float>(h[1]);
        }
        for (int j = 0; j < 8; ++j) {
            zl[j] = z[j][0];
            zr[j] = z[j][1];
        }
        snapDenormals(zl, 16);
        return;
    }
    for (int c = 0; c < nch; ++c) {
        double* z = state_.data() + static_cast<std::size_t>(c) * 8;
        const float* x = in.channel(c);
        float* lo = low.channel(c);
        float* hi = high.channel(c);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = x[i];
            lo[i] = static_cast<float>(tick(coef_[0], z + 2, tick(coef_[0], z, v)));
            hi[i] = static_cast<float>(tick(coef_[1], z + 6, tick(coef_[1], z + 4, v)));
        }
        snapDenormals(z, 8);
    }
}

// ---- LinkwitzRileyAllpass ----

void LinkwitzRileyAllpass::prepare(const ProcessSpec& spec, double hz)
{
    channels_ = spec.channels;
    state_.assign(static_cast<std::size_t>(channels_) * 2, 0.0);
    coef_ = designButterworthAllpass(hz, spec.sampleRate);
}

void LinkwitzRileyAllpass::reset() noexcept { std::fill(state_.begin(), state_.end(), 0.0); }

void LinkwitzRileyAllpass::process(AudioBuffer& block) noexcept
{
    const int nch = std::min(block.channels(), channels_);
    if (nch == 2) { // both channels in one pair of lanes
        const BiquadLanes k = lanes(coef_);
        Double2 z0{state_[0], state_[2]}, z1{state_[1], state_[3]};
        float *l = block.channel(0), *r = block.channel(1);
        for (std::size_t i = 0; i < block.frames(); ++i) {
            const Double2 y = tdf2(k, z0, z1, Double2{static_cast<double>(l[i]), static_cast<double>(r[i])});
            l[i] = static_cast<float>(y[0]);
            r[i] = static_cast<float>(y[1]);
        }
        state_[0] = z0[0], state_[1] = z1[0], state_[2] = z0[1], state_[3] = z1[1];
        snapDenormals(state_.data(), 4);
        return;
    }
    for (int c = 0; c < nch; ++c) {
        double* z = state_.data() + static_cast<std::size_t>(c) * 2;
        float* x = block.channel(c);
        for (std::size_t i = 0; i < block.frames(); ++i)
            x[i] = static_cast<float>(tick(coef_, z, x[i]));
        snapDenormals(z, 2);
    }
}

// ---- MultibandSplitter ----

void MultibandSplitter::prepare(const ProcessSpec& spec, std::span<const double> crossoversHz)
{
    crossovers_ = static_cast<int>(std::min<std::size_t>(crossoversHz.size(), kMaxCrossovers));
    for (int k = 0; k < crossovers_; ++k) {
        const double hz = crossoversHz[static_cast<std::size_t>(k)];
        splits_[static_cast<std::size_t>(k)].prepare(spec, hz);
        for (int b = 0; b < k; ++b)
            allpass_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)].prepare(spec, hz);
    }
    bands_.clear();
    for (int b = 0; b <= crossovers_; ++b)
        bands_.emplace_back(spec.channels, spec.maxBlock);
    restA_.resize(spec.channels, spec.maxBlock);
    restB_.resize(spec.channels, spec.maxBlock);
}

void MultibandSplitter::reset() noexcept
{
    for (int k = 0; k < crossovers_; ++k) {
        splits_[static_cast<std::size_t>(k)].reset();
        for (int b = 0; b < k; ++b)
            allpass_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)].reset();
    }
}

void MultibandSplitter::split(const AudioBuffer& in) noexcept
{
    if (crossovers_ == 0)
        return;
    // Tree: band k = LP_k(HP_{k−1} … HP_1 x); the last band is the remaining high-pass.
    const AudioBuffer* rest = &in;
    AudioBuffer* scratch[2] = {&restA_, &restB_};
    for (int k = 0; k < crossovers_; ++k) {
        AudioBuffer& hi = k + 1 == crossovers_ ? bands_[static_cast<std::size_t>(k + 1)] : *scratch[k % 2];
        splits_[static_cast<std::size_t>(k)].split(bands_[static_cast<std::size_t>(k)], hi, *rest);
        rest = &hi;
    }
    // Band b lacks the allpass responses of the crossovers above it (LP_k + HP_k).
    for (int b = 0; b < crossovers_; ++b)
        for (int k = b + 1; k < crossovers_; ++k)
            allpass_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)].process(bands_[static_cast<std::size_t>(b)]);
}

} // namespace mm
