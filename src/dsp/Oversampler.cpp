#include "dsp/Oversampler.h"

#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace mm {

namespace {
constexpr double kKaiserBeta = 9.0; // ≈ 90 dB stopband: A ≈ β / 0.1102 + 8.7 (Kaiser, 1974)
constexpr int kLength = (Oversampler::kTapsPerPhase - 1) * Oversampler::kFactor + 1; // 513
constexpr int kGroup = Oversampler::kGroup;

// Eight outputs per vector, all seven phases at once: each input vector x[i + k … i + k + 7]
// is loaded once and serves every phase (a broadcast tap each), so the loop is bound by
// the multiplies and adds, not by loads, and the 7 accumulators stay in registers. Each
// output still sums its taps in order k = 0, 1, … from zero, without FMA, exactly as the
// scalar loop in processSample() does: the clones give the same bits.
typedef float Float8 __attribute__((vector_size(32)));
constexpr int kLanes = 8;
constexpr int kPhases = Oversampler::kFactor - 1;

// The phases 1 … kFactor − 1 of a block: rows[p · kRowStride + i] for i < n (rounded up
// to whole groups of kGroup), from first[i … i + kPhaseTaps).
__attribute__((target_clones("avx2", "default"))) void filterRows(const float* __restrict taps, const float* __restrict first,
                                                                 float* __restrict rows, int n) noexcept
{
    const int groups = (n + kGroup - 1) / kGroup * kGroup;
    for (int i = 0; i < groups; i += kLanes) {
        Float8 acc[kPhases] = {};
        for (int k = 0; k < Oversampler::kPhaseTaps; ++k) {
            Float8 x;
            std::memcpy(&x, first + i + k, sizeof x); // unaligned load
            for (int p = 0; p < kPhases; ++p) {
                const float t = taps[p * Oversampler::kPhaseTaps + k];
                acc[p] += Float8{t, t, t, t, t, t, t, t} * x;
            }
        }
        for (int p = 0; p < kPhases; ++p)
            std::memcpy(rows + static_cast<std::ptrdiff_t>(p + 1) * Oversampler::kRowStride + i, &acc[p], sizeof(Float8));
    }
}

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
    for (int p = 1; p < kFactor; ++p)
        for (int k = 0; k < kPhaseTaps; ++k) {
            const int j = kPhaseTaps - 1 - k; // tap j multiplies x[n − j]
            taps_[static_cast<std::size_t>((p - 1) * kPhaseTaps + k)] = static_cast<float>(h[static_cast<std::size_t>(j * kFactor + p)]);
        }
    // |Σ t_k x_k| ≤ Σ |t_k| · max |x|; the margin covers float rounding of the sums
    // (64 terms, relative error < 64 · 2^-24 ≈ 4e-6 of Σ |t_k x_k|).
    float bound = 1.0f; // phase 0 is a copy
    for (int p = 1; p < kFactor; ++p) {
        double l1 = 0.0;
        for (int k = 0; k < kPhaseTaps; ++k)
            l1 += std::fabs(static_cast<double>(taps_[static_cast<std::size_t>((p - 1) * kPhaseTaps + k)]));
        bound = std::max(bound, static_cast<float>(l1 * (1.0 + 1e-4)));
    }
    gainBound_ = bound;
}

void Oversampler::prepare(int channels)
{
    channels_ = channels;
    buffer_.assign(static_cast<std::size_t>(channels) * kBufferSize, 0.0f);
    fill_.assign(static_cast<std::size_t>(channels), kHistory);
    rows_.assign(static_cast<std::size_t>(channels) * kFactor * kRowStride, 0.0f);
}

void Oversampler::reset() noexcept
{
    std::fill(buffer_.begin(), buffer_.end(), 0.0f);
    std::fill(fill_.begin(), fill_.end(), kHistory);
}

float* Oversampler::makeRoom(int channel, int n) noexcept
{
    float* buf = buffer_.data() + static_cast<std::size_t>(channel) * kBufferSize;
    int& fill = fill_[static_cast<std::size_t>(channel)];
    if (fill + n > kHistory + kMaxBlock) { // keep the newest kHistory samples, at the front
        std::memmove(buf, buf + fill - kHistory, sizeof(float) * kHistory);
        fill = kHistory;
    }
    return buf;
}

void Oversampler::processSample(int channel, float x, float* out) noexcept
{
    float* buf = makeRoom(channel, 1);
    int& fill = fill_[static_cast<std::size_t>(channel)];
    buf[fill++] = x;
    const float* window = buf + fill - kPhaseTaps; // x[n − 63 … n]
    for (int p = 1; p < kFactor; ++p) {
        const float* taps = taps_.data() + (p - 1) * kPhaseTaps;
        float acc = 0.0f;
        for (int k = 0; k < kPhaseTaps; ++k)
            acc += taps[k] * window[k];
        out[p] = acc;
    }
    out[0] = buf[fill - 1 - kLatency];
    out[kFactor] = buf[fill - kLatency];
}

const float* Oversampler::processBlock(int channel, const float* x, int n) noexcept
{
    float* buf = makeRoom(channel, n);
    int& fill = fill_[static_cast<std::size_t>(channel)];
    std::copy_n(x, n, buf + fill);
    // Output i's window is buf[fill + i − kHistory … fill + i]; groups past n read
    // stale (finite) samples inside the buffer and their results are ignored.
    float* rows = rows_.data() + static_cast<std::size_t>(channel) * kFactor * kRowStride;
    filterRows(taps_.data(), buf + fill - kHistory, rows, n);
    std::copy_n(buf + fill - kLatency, n + 1, rows); // x[i − kLatency], i = 0 … n
    fill += n;
    return rows;
}

float Oversampler::inputPeak(int channel, const float* x, int n) const noexcept
{
    const float* buf = buffer_.data() + static_cast<std::size_t>(channel) * kBufferSize;
    const int fill = fill_[static_cast<std::size_t>(channel)];
    return std::max(peakAbs(buf + fill - kHistory, kHistory), peakAbs(x, static_cast<std::size_t>(std::max(n, 0))));
}

float Oversampler::skipBlock(int channel, const float* x, int n) noexcept
{
    float* buf = makeRoom(channel, n);
    int& fill = fill_[static_cast<std::size_t>(channel)];
    std::copy_n(x, n, buf + fill);
    fill += n;
    // Point kFactor − 1 of the last sample, summed tap by tap in order as dotGroup's lanes do.
    const float* window = buf + fill - kPhaseTaps;
    const float* taps = taps_.data() + (kFactor - 2) * kPhaseTaps;
    float acc = 0.0f;
    for (int k = 0; k < kPhaseTaps; ++k)
        acc += taps[k] * window[k];
    return acc;
}

} // namespace mm
