#include "dsp/TruePeakMeter.h"

#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mm {

namespace {
// Vertex of the parabola through (−1, a), (0, b), (1, c) when b is a local maximum.
inline float parabolicPeak(float a, float b, float c) noexcept
{
    const float den = a - 2.0f * b + c;
    if (!(den < 0.0f))
        return b;
    const float offset = 0.5f * (a - c) / den;
    return b - 0.25f * (a - c) * offset;
}
} // namespace

double linearToDb(double linear) noexcept
{
    return linear > 1e-15 ? 20.0 * std::log10(linear) : -300.0;
}

void TruePeakMeter::prepare(int channels)
{
    os_.prepare(channels);
    max_.assign(static_cast<std::size_t>(channels), 0.0f);
    prevLast_.assign(static_cast<std::size_t>(channels), 0.0f);
    scratch_.assign(static_cast<std::size_t>(channels) * Oversampler::kMaxBlock, 0.0f);
}

void TruePeakMeter::reset() noexcept
{
    os_.reset();
    std::fill(max_.begin(), max_.end(), 0.0f);
    std::fill(prevLast_.begin(), prevLast_.end(), 0.0f);
}

float TruePeakMeter::pushSample(int channel, float x) noexcept
{
    constexpr int L = Oversampler::kFactor;
    float pts[L + 1];
    os_.processSample(channel, x, pts);
    float a[L + 2]; // a[i + 1] = |pts[i]|, a[0] = previous interval's last inner point
    const auto c = static_cast<std::size_t>(channel);
    a[0] = prevLast_[c];
    for (int i = 0; i <= L; ++i)
        a[i + 1] = std::fabs(pts[i]);
    float peak = std::max(a[1], a[L + 1]);
    for (int i = 1; i <= L; ++i) { // points 0 … L − 1 of this interval
        const float b = a[i];
        if (b >= a[i - 1] && b >= a[i + 1])
            peak = std::max(peak, parabolicPeak(a[i - 1], b, a[i + 1]));
        else
            peak = std::max(peak, b);
    }
    prevLast_[c] = a[L];
    max_[c] = std::max(max_[c], peak);
    return peak;
}

namespace {
// pushSample()'s loop over one processBlock() result with the interval index i innermost,
// branch-free (selects), so that it vectorises: a[q] is point q − 1 of interval i, a[0]
// the previous interval's point L − 1 and a[L + 1] the next interval's first point.
// Writes the m intervals' peaks to out and returns |point L − 1| of the last interval.
inline float refineIntervals(const float* rows, int m, float prev, float* out) noexcept
{
    constexpr int L = Oversampler::kFactor;
    constexpr int S = Oversampler::kRowStride;
    for (int i = 0; i < m; ++i) {
        float a[L + 2];
        a[0] = i == 0 ? prev : std::fabs(rows[(L - 1) * S + i - 1]);
        for (int q = 0; q < L; ++q)
            a[q + 1] = std::fabs(rows[q * S + i]);
        a[L + 1] = std::fabs(rows[i + 1]);
        float peak = std::max(a[1], a[L + 1]);
        for (int q = 1; q <= L; ++q) {
            const float lo = a[q - 1], b = a[q], hi = a[q + 1];
            const float den = lo - 2.0f * b + hi;
            const bool vertex = b >= lo && b >= hi && den < 0.0f;
            const float offset = 0.5f * (lo - hi) / (den < 0.0f ? den : -1.0f);
            const float refined = b - 0.25f * (lo - hi) * offset;
            peak = std::max(peak, vertex ? refined : b);
        }
        out[i] = peak;
    }
    return std::fabs(rows[(L - 1) * S + m - 1]);
}
} // namespace

void TruePeakMeter::envelope(int channel, const float* x, std::size_t n, float* peaks, float ignoreBelow) noexcept
{
    const auto c = static_cast<std::size_t>(channel);
    float held = max_[c];
    for (std::size_t from = 0; from < n; from += Oversampler::kMaxBlock) {
        const int m = static_cast<int>(std::min<std::size_t>(Oversampler::kMaxBlock, n - from));
        float* out = peaks + from;
        if (os_.inputPeak(channel, x + from, m) * os_.gainBound() * kRefineBound < ignoreBelow) {
            prevLast_[c] = std::fabs(os_.skipBlock(channel, x + from, m));
            std::fill_n(out, m, 0.0f);
            continue;
        }
        const float* rows = os_.processBlock(channel, x + from, m);
        if (ignoreBelow <= 0.0f) {
            prevLast_[c] = refineIntervals(rows, m, prevLast_[c], out);
        } else {
            // A refined vertex is ≤ kRefineBound × its grid points: groups of intervals
            // whose grid stays under ignoreBelow / kRefineBound need no refinement (0, as a
            // skipped chunk). Each refined group starts from the point before it.
            constexpr int L = Oversampler::kFactor;
            constexpr int S = Oversampler::kRowStride;
            constexpr int kGroup = 16;
            float prev = prevLast_[c];
            for (int g = 0; g < m; g += kGroup) {
                const int len = std::min(kGroup, m - g);
                float grid = std::fabs(rows[g + len]); // the next interval's first point
                for (int q = 0; q < L; ++q)
                    grid = std::max(grid, peakAbs(rows + q * S + g, static_cast<std::size_t>(len)));
                if (grid * kRefineBound < ignoreBelow) {
                    std::fill_n(out + g, len, 0.0f);
                    prev = std::fabs(rows[(L - 1) * S + g + len - 1]);
                } else {
                    const float* sub = rows + g;
                    prev = refineIntervals(sub, len, prev, out + g);
                }
            }
            prevLast_[c] = prev;
        }
        for (int i = 0; i < m; ++i)
            held = std::max(held, out[i]);
    }
    max_[c] = held;
}

void TruePeakMeter::measure(int channel, const float* x, std::size_t n) noexcept
{
    constexpr int L = Oversampler::kFactor;
    constexpr int S = Oversampler::kRowStride;
    const auto c = static_cast<std::size_t>(channel);
    float held = max_[c];
    for (std::size_t from = 0; from < n; from += Oversampler::kMaxBlock) {
        const int m = static_cast<int>(std::min<std::size_t>(Oversampler::kMaxBlock, n - from));
        // A refined vertex exceeds its grid point b by (lo − hi)² / (8·(2b − lo − hi))
        // ≤ b / 8 (lo, hi ∈ [0, b]): intervals whose grid points all stay under held / 1.25
        // cannot raise the held maximum. A chunk whose input bound says so is not even
        // filtered; one whose grid says so needs no refinement. The held maximum is then
        // exactly envelope()'s.
        if (os_.inputPeak(channel, x + from, m) * os_.gainBound() * kRefineBound < held) {
            prevLast_[c] = std::fabs(os_.skipBlock(channel, x + from, m));
            continue;
        }
        const float* rows = os_.processBlock(channel, x + from, m);
        float grid = std::fabs(rows[m]); // the next interval's first point
        for (int q = 0; q < L; ++q) {
            const float* r = rows + q * S;
            for (int i = 0; i < m; ++i)
                grid = std::max(grid, std::fabs(r[i]));
        }
        if (grid * kRefineBound < held) {
            prevLast_[c] = std::fabs(rows[(L - 1) * S + m - 1]);
            continue;
        }
        float* scratch = scratch_.data() + c * Oversampler::kMaxBlock;
        prevLast_[c] = refineIntervals(rows, m, prevLast_[c], scratch);
        for (int i = 0; i < m; ++i)
            held = std::max(held, scratch[i]);
    }
    max_[c] = held;
}

void TruePeakMeter::process(const AudioBuffer& block) noexcept
{
    const int nch = std::min(block.channels(), channels());
    for (int ch = 0; ch < nch; ++ch)
        measure(ch, block.channel(ch), block.frames());
}

void TruePeakMeter::finish() noexcept
{
    const float zeros[kLatency] = {};
    for (int ch = 0; ch < channels(); ++ch)
        measure(ch, zeros, kLatency);
}

namespace {
typedef float Float8 __attribute__((vector_size(32)));

// out[i] = max over phases f ∈ [First, Factor) of |Σ_k coeffs[f · perPhase + k] · cur[i − k]|,
// i < n; cur[i − k] must be valid for k < perPhase and i < n rounded up to 8. Eight
// outputs per vector, every phase at once: each input vector is loaded once for all
// phases and the accumulators stay in registers. Each output sums its taps in order
// k = 0, 1, … from zero, without FMA, as libebur128's loop and the scalar form do; the
// zero taps libebur128 skips add ±0 to the sum, which leaves it unchanged (the input is
// finite: readers replace NaN and Inf), so the clones give the same bits.
template <int Factor, int First>
__attribute__((always_inline)) inline void phaseMaximaT(const float* __restrict coeffs, int perPhase, const float* __restrict cur, int n,
                                                        float* __restrict out) noexcept
{
    for (int i = 0; i < n; i += 8) {
        Float8 acc[Factor] = {};
        for (int k = 0; k < perPhase; ++k) {
            Float8 x;
            std::memcpy(&x, cur + i - k, sizeof x); // unaligned load
            for (int f = First; f < Factor; ++f) {
                const float c = coeffs[f * perPhase + k];
                acc[f] += Float8{c, c, c, c, c, c, c, c} * x;
            }
        }
        Float8 m = {};
        for (int f = First; f < Factor; ++f) {
            const Float8 a = acc[f] < 0.0f ? -acc[f] : acc[f];
            m = a > m ? a : m;
        }
        if (i + 8 <= n) {
            std::memcpy(out + i, &m, sizeof m);
        } else {
            float part[8];
            std::memcpy(part, &m, sizeof m);
            std::copy(part, part + (n - i), out + i);
        }
    }
}

__attribute__((target_clones("avx2", "default"))) void phaseMaxima(const float* coeffs, int factor, int perPhase, bool withPhase0,
                                                                  const float* cur, int n, float* out) noexcept
{
    if (factor == 4)
        withPhase0 ? phaseMaximaT<4, 0>(coeffs, perPhase, cur, n, out) : phaseMaximaT<4, 1>(coeffs, perPhase, cur, n, out);
    else
        withPhase0 ? phaseMaximaT<2, 0>(coeffs, perPhase, cur, n, out) : phaseMaximaT<2, 1>(coeffs, perPhase, cur, n, out);
}
} // namespace

void Ebur128TruePeak::prepare(int channels, double sampleRate)
{
    // ebur128.c: interp_create(49, 4) below 96 kHz, interp_create(49, 2) below 192 kHz.
    factor_ = sampleRate < 96000.0 ? 4 : sampleRate < 192000.0 ? 2 : 1;
    perPhase_ = (kTaps + factor_ - 1) / factor_;
    coeffs_.assign(static_cast<std::size_t>(factor_ * perPhase_), 0.0f);
    if (factor_ > 1) {
        constexpr double kPi = 3.14159265358979323846;
        for (int j = 0; j < kTaps; ++j) {
            const double m = static_cast<double>(j) - (kTaps - 1) / 2.0;
            double c = 1.0;
            if (std::fabs(m) > 0.000001)
                c = std::sin(m * kPi / factor_) / (m * kPi / factor_);
            c *= 0.5 * (1.0 - std::cos(2.0 * kPi * j / (kTaps - 1))); // Hann window
            if (std::fabs(c) > 0.000001)
                coeffs_[static_cast<std::size_t>((j % factor_) * perPhase_ + j / factor_)] = static_cast<float>(c);
        }
    }
    bound_ = 1.0f;
    for (int f = 0; f < factor_ && factor_ > 1; ++f) {
        double l1 = 0.0;
        for (int k = 0; k < perPhase_; ++k)
            l1 += std::fabs(static_cast<double>(coeffs_[static_cast<std::size_t>(f * perPhase_ + k)]));
        bound_ = std::max(bound_, static_cast<float>(l1 * (1.0 + 1e-4))); // margin: float rounding of the sums
    }
    buf_.assign(static_cast<std::size_t>(channels), std::vector<float>(static_cast<std::size_t>(perPhase_ - 1 + kChunk), 0.0f));
    acc_.assign(static_cast<std::size_t>(channels) * kChunk, 0.0f);
    max_.assign(static_cast<std::size_t>(channels), 0.0f);
}

void Ebur128TruePeak::reset() noexcept
{
    for (auto& b : buf_)
        std::fill(b.begin(), b.end(), 0.0f);
    std::fill(max_.begin(), max_.end(), 0.0f);
}

void Ebur128TruePeak::seed(float atMost) noexcept
{
    for (float& m : max_)
        m = std::max(m, atMost);
}

void Ebur128TruePeak::process(const AudioBuffer& block, std::size_t frames) noexcept
{
    const int nch = std::min(block.channels(), static_cast<int>(buf_.size()));
    const int h = perPhase_ - 1;
    frames = std::min(frames, block.frames());
    for (int ch = 0; ch < nch; ++ch) {
        auto& buf = buf_[static_cast<std::size_t>(ch)];
        float peak = max_[static_cast<std::size_t>(ch)];
        const float* x = block.channel(ch);
        for (std::size_t from = 0; from < frames; from += kChunk) {
            const int n = static_cast<int>(std::min<std::size_t>(kChunk, frames - from));
            const float* chunk = x + from;
            const float samplePeak = peakAbs(chunk, static_cast<std::size_t>(n));
            peak = std::max(peak, samplePeak); // ebur128_true_peak reports at least the sample peak
            // |interpolated| ≤ bound_ × max |x| over the chunk and its history (buf[0, h)):
            // a chunk that cannot raise the peak is not filtered (the result is unchanged),
            // nor copied — only its last h samples are kept, as the next chunk's history.
            const float inPeak = std::max(samplePeak, peakAbs(buf.data(), static_cast<std::size_t>(h)));
            if (factor_ > 1 && inPeak * bound_ >= peak) {
                std::copy(chunk, chunk + n, buf.begin() + h);
                const float* cur = buf.data() + h; // cur[i − k] = x[i − k], k ≤ h
                // The same screen again per kPiece samples (each piece with the h before
                // it): only the pieces that can raise the peak are interpolated — around a
                // drum hit a few, not the whole chunk.
                float* scratch = acc_.data() + static_cast<std::size_t>(ch) * kChunk;
                for (int o = 0; o < n; o += kPiece) {
                    const int len = std::min(kPiece, n - o);
                    if (peakAbs(cur + o - h, static_cast<std::size_t>(len + h)) * bound_ >= peak)
                        peak = std::max(peak, chunkPeak(cur + o, len, scratch));
                }
                std::copy(buf.begin() + n, buf.begin() + n + h, buf.begin());
            } else if (n >= h) {
                std::copy(chunk + n - h, chunk + n, buf.begin());
            } else { // a short chunk: the history moves on by n
                std::copy(buf.begin() + n, buf.begin() + h, buf.begin());
                std::copy(chunk, chunk + n, buf.begin() + (h - n));
            }
        }
        max_[static_cast<std::size_t>(ch)] = peak;
    }
}

float Ebur128TruePeak::chunkPeak(const float* cur, int n, float* scratch) const noexcept
{
    if (factor_ == 1)
        return peakAbs(cur, static_cast<std::size_t>(std::max(n, 0)));
    phaseMaxima(coeffs_.data(), factor_, perPhase_, true, cur, n, scratch);
    return peakAbs(scratch, static_cast<std::size_t>(std::max(n, 0)));
}

void Ebur128TruePeak::envelope(int channel, const float* x, int n, float* out) noexcept
{
    auto& buf = buf_[static_cast<std::size_t>(channel)];
    const int h = perPhase_ - 1;
    std::copy(x, x + n, buf.begin() + h);
    const float* cur = buf.data() + h;
    if (factor_ == 1) {
        for (int i = 0; i < n; ++i)
            out[i] = std::fabs(cur[i]);
    } else {
        // Phase f at push i is the value at i − envelopeDelay() + f / factor.
        phaseMaxima(coeffs_.data(), factor_, perPhase_, false, cur, n, out);
    }
    std::copy(buf.begin() + n, buf.begin() + n + h, buf.begin());
}

float Ebur128TruePeak::truePeak() const noexcept
{
    return max_.empty() ? 0.0f : *std::max_element(max_.begin(), max_.end());
}

float TruePeakMeter::truePeak(int channel) const noexcept { return max_[static_cast<std::size_t>(channel)]; }

float TruePeakMeter::truePeak() const noexcept
{
    return max_.empty() ? 0.0f : *std::max_element(max_.begin(), max_.end());
}

double TruePeakMeter::truePeakDb(int channel) const noexcept { return linearToDb(truePeak(channel)); }
double TruePeakMeter::truePeakDb() const noexcept { return linearToDb(truePeak()); }

} // namespace mm
