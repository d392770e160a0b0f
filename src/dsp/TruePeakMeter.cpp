#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cmath>

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
    scratch_.assign(Oversampler::kMaxBlock, 0.0f);
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

void TruePeakMeter::envelope(int channel, const float* x, std::size_t n, float* peaks) noexcept
{
    constexpr int L = Oversampler::kFactor;
    constexpr int S = Oversampler::kRowStride;
    const auto c = static_cast<std::size_t>(channel);
    float held = max_[c];
    for (std::size_t from = 0; from < n; from += Oversampler::kMaxBlock) {
        const int m = static_cast<int>(std::min<std::size_t>(Oversampler::kMaxBlock, n - from));
        const float* rows = os_.processBlock(channel, x + from, m);
        float* out = peaks + from;
        // pushSample()'s loop with the interval index i innermost, branch-free (selects),
        // so that it vectorises: a[q] is point q − 1 of interval i, a[0] the previous
        // interval's point L − 1 and a[L + 1] the next interval's first point.
        float prev = prevLast_[c];
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
        prev = std::fabs(rows[(L - 1) * S + m - 1]);
        prevLast_[c] = prev;
        for (int i = 0; i < m; ++i)
            held = std::max(held, out[i]);
    }
    max_[c] = held;
}

void TruePeakMeter::process(const AudioBuffer& block) noexcept
{
    const int nch = std::min(block.channels(), channels());
    for (int ch = 0; ch < nch; ++ch)
        for (std::size_t from = 0; from < block.frames(); from += Oversampler::kMaxBlock) {
            const std::size_t m = std::min<std::size_t>(Oversampler::kMaxBlock, block.frames() - from);
            envelope(ch, block.channel(ch) + from, m, scratch_.data());
        }
}

void TruePeakMeter::finish() noexcept
{
    const float zeros[kLatency] = {};
    for (int ch = 0; ch < channels(); ++ch)
        envelope(ch, zeros, kLatency, scratch_.data());
}

float TruePeakMeter::truePeak(int channel) const noexcept { return max_[static_cast<std::size_t>(channel)]; }

float TruePeakMeter::truePeak() const noexcept
{
    return max_.empty() ? 0.0f : *std::max_element(max_.begin(), max_.end());
}

double TruePeakMeter::truePeakDb(int channel) const noexcept { return linearToDb(truePeak(channel)); }
double TruePeakMeter::truePeakDb() const noexcept { return linearToDb(truePeak()); }

} // namespace mm
