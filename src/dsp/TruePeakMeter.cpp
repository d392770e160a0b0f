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

void TruePeakMeter::process(const AudioBuffer& block) noexcept
{
    const int nch = std::min(block.channels(), channels());
    for (int ch = 0; ch < nch; ++ch) {
        const float* x = block.channel(ch);
        for (std::size_t i = 0; i < block.frames(); ++i)
            pushSample(ch, x[i]);
    }
}

void TruePeakMeter::finish() noexcept
{
    for (int ch = 0; ch < channels(); ++ch)
        for (int i = 0; i < kLatency; ++i)
            pushSample(ch, 0.0f);
}

float TruePeakMeter::truePeak(int channel) const noexcept { return max_[static_cast<std::size_t>(channel)]; }

float TruePeakMeter::truePeak() const noexcept
{
    return max_.empty() ? 0.0f : *std::max_element(max_.begin(), max_.end());
}

double TruePeakMeter::truePeakDb(int channel) const noexcept { return linearToDb(truePeak(channel)); }
double TruePeakMeter::truePeakDb() const noexcept { return linearToDb(truePeak()); }

} // namespace mm
