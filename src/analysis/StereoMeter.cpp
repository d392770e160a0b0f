#include "analysis/StereoMeter.h"

#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>

namespace mm {

void StereoMeter::process(const AudioBuffer& block) noexcept
{
    if (block.channels() < 2)
        return;
    mono_ = false;
    const float* l = block.channel(0);
    const float* r = block.channel(1);
    // Two frames per step, one SIMD lane each: three independent sums per lane, so the
    // adds pipeline rather than wait on one another.
    Double2 sll{}, srr{}, slr{};
    std::size_t i = 0;
    for (; i + 2 <= block.frames(); i += 2) {
        const Double2 a{l[i], l[i + 1]}, b{r[i], r[i + 1]};
        sll += a * a;
        srr += b * b;
        slr += a * b;
    }
    for (; i < block.frames(); ++i) {
        const double a = l[i], b = r[i];
        sll[0] += a * a;
        srr[0] += b * b;
        slr[0] += a * b;
    }
    const double ll = sll[0] + sll[1], rr = srr[0] + srr[1], lr = slr[0] + slr[1];
    ll_ += ll;
    rr_ += rr;
    lr_ += lr;
}

StereoResult StereoMeter::result() const noexcept
{
    StereoResult s;
    if (mono_)
        return s; // correlation 1, width 0
    const double denom = std::sqrt(ll_ * rr_);
    // Silence in one or both channels: no anti-phase content, call it correlated.
    s.correlation = denom > 1e-30 ? std::clamp(lr_ / denom, -1.0, 1.0) : (ll_ + rr_ > 1e-30 ? 0.0 : 1.0);
    // Σ M² = (ΣL² + ΣR² + 2ΣLR)/4, Σ S² = (ΣL² + ΣR² − 2ΣLR)/4
    const double mm2 = std::max(0.0, ll_ + rr_ + 2.0 * lr_);
    const double ss2 = std::max(0.0, ll_ + rr_ - 2.0 * lr_);
    if (ss2 <= 1e-30)
        s.widthPct = 0.0;
    else if (mm2 <= ss2 * 1e-4)
        s.widthPct = kMaxWidthPct;
    else
        s.widthPct = std::min(kMaxWidthPct, 100.0 * std::sqrt(ss2 / mm2));
    return s;
}

} // namespace mm
