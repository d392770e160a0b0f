#include "dsp/Oversampler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mm {

namespace {
constexpr double kKaiserBeta = 9.0; // ≈ 90 dB stopband: A ≈ β / 0.1102 + 8.7 (Kaiser, 1974)
constexpr int kLength = (Oversampler::kTapsPerPhase - 1) * Oversampler::kFactor + 1; // 513
} // namespace

std::vector<double> Oversampler::prototype()
{
    // h[k] = sinc((k − c) / L) · kaiser(k): the ideal interpolator for cutoff fs_in / 2
    // at rate L·fs_in, with unit gain at the original sample instants.
    std::vector<double> h(kLength);
    const double c = (kLength - 1) / 2.0;
    const double i0Beta = std::cyl_bessel_i(0.0, kKaiserBeta);
    for (int k = 0; k < kLength; ++k) {
        const double t = (k - c) / kFactor;
        const double sinc = t == 0.0 ? 1.0 : std::sin(std::numbers::pi * t) / (std::numbers::pi * t);
        const double r = (k - c) / c;
        const double w = std::cyl_bessel_i(0.0, kKaiserBeta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0Beta;
        h[static_cast<std::size_t>(k)] = sinc * w;
    }
    return h;
}

Oversampler::Oversampler()
{
    const auto h = prototype();
    for (int j = 0; j < kTapsPerPhase; ++j)
        for (int p = 0; p < kFactor; ++p) {
            const int k = j * kFactor + p;
            double v = k < kLength ? h[static_cast<std::size_t>(k)] : 0.0;
            if (p == 0) // a Nyquist filter: make the pure delay exact rather than ≈ 1e-17 residues
                v = j == kLatency ? 1.0 : 0.0;
            coef_[static_cast<std::size_t>(j * kFactor + p)] = static_cast<float>(v);
        }
}

void Oversampler::prepare(int channels)
{
    channels_ = channels;
    history_.assign(static_cast<std::size_t>(channels) * 2 * kTapsPerPhase, 0.0f);
    pos_.assign(static_cast<std::size_t>(channels), 0);
}

void Oversampler::reset() noexcept
{
    std::fill(history_.begin(), history_.end(), 0.0f);
    std::fill(pos_.begin(), pos_.end(), 0);
}

void Oversampler::processSample(int channel, float x, float* out) noexcept
{
    float* hist = history_.data() + static_cast<std::size_t>(channel) * 2 * kTapsPerPhase;
    int& pos = pos_[static_cast<std::size_t>(channel)];
    pos = pos == 0 ? kTapsPerPhase - 1 : pos - 1;
    hist[pos] = x;
    hist[pos + kTapsPerPhase] = x;
    const float* xs = hist + pos; // xs[j] = x[n − j], contiguous

    float acc[kFactor] = {};
    for (int j = 0; j < kTapsPerPhase; ++j) {
        const float v = xs[j];
        const float* c = coef_.data() + j * kFactor;
        for (int p = 0; p < kFactor; ++p)
            acc[p] += c[p] * v;
    }
    for (int p = 0; p < kFactor; ++p)
        out[p] = acc[p];
    out[0] = xs[kLatency];
    out[kFactor] = xs[kLatency - 1];
}

} // namespace mm
