#include "analysis/StereoMeter.h"

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
    double ll = 0, rr = 0, lr = 0;
    for (std::size_t i = 0; i < block.frames(); ++i) {
        ll += static_cast<double>(l[i]) * l[i];
        rr += static_cast<double>(r[i]) * r[i];
        lr += static_cast<double>(l[i]) * r[i];
    }
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
