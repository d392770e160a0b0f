#include "analysis/SlidingLoudness.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm {

void SlidingLoudness::prepare(double sampleRate, int channels)
{
    rate_ = sampleRate;
    channels_ = channels;
    filters_.assign(static_cast<std::size_t>(channels), KWeightingFilter(designKWeighting(sampleRate)));
    mLen_ = static_cast<std::size_t>(std::llround(0.4 * sampleRate));
    sLen_ = static_cast<std::size_t>(std::llround(3.0 * sampleRate));
    secondLen_ = static_cast<std::size_t>(std::llround(sampleRate));
    ring_.assign(sLen_, 0.0f);
    perSecond_.clear();
    perSecond_.reserve(600);
    segLen_ = static_cast<std::size_t>(std::llround(sampleRate / 10.0));
    gated_.prepare(segLen_, true);
    reset();
}

void SlidingLoudness::reset()
{
    for (auto& f : filters_)
        f.reset();
    std::fill(ring_.begin(), ring_.end(), 0.0f);
    ringPos_ = 0;
    mSum_ = sSum_ = mMax_ = sMax_ = 0.0;
    seen_ = sinceRecompute_ = sinceSecond_ = 0;
    perSecond_.clear();
    segFill_ = 0;
    segEnergy_ = 0.0;
    gated_.reset();
}

void SlidingLoudness::process(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    const int chs = std::min(channels_, block.channels());
    for (std::size_t i = 0; i < n; ++i) {
        double e = 0.0;
        for (int c = 0; c < chs; ++c) {
            const double y = filters_[static_cast<std::size_t>(c)].process(block.channel(c)[i]);
            e += y * y; // BS.1770 channel weight 1.0 for L and R
        }
        segEnergy_ += e;
        if (++segFill_ == segLen_) {
            gated_.addSegment(segEnergy_);
            segFill_ = 0;
            segEnergy_ = 0.0;
        }
        const double oldS = ring_[ringPos_];
        const double oldM = ring_[(ringPos_ + sLen_ - mLen_) % sLen_];
        const auto ef = static_cast<float>(e);
        ring_[ringPos_] = ef;
        ringPos_ = ringPos_ + 1 == sLen_ ? 0 : ringPos_ + 1;
        mSum_ += static_cast<double>(ef) - oldM;
        sSum_ += static_cast<double>(ef) - oldS;
        ++seen_;
        if (seen_ >= mLen_ && mSum_ > mMax_)
            mMax_ = mSum_;
        if (seen_ >= sLen_ && sSum_ > sMax_)
            sMax_ = sSum_;
        if (++sinceSecond_ == secondLen_) {
            sinceSecond_ = 0;
            perSecond_.push_back(toLufs(sSum_ / static_cast<double>(sLen_)));
        }
        if (++sinceRecompute_ == sLen_) {
            // Running sums drift by rounding; recompute them exactly once per window.
            sinceRecompute_ = 0;
            double s = 0.0, m = 0.0;
            for (std::size_t k = 0; k < sLen_; ++k) {
                const double v = ring_[(ringPos_ + k) % sLen_];
                s += v;
                if (k >= sLen_ - mLen_)
                    m += v;
            }
            sSum_ = s;
            mSum_ = m;
        }
    }
}

double SlidingLoudness::toLufs(double meanSquare)
{
    if (meanSquare <= 1e-20)
        return -std::numeric_limits<double>::infinity();
    return -0.691 + 10.0 * std::log10(meanSquare);
}

double SlidingLoudness::maxMomentaryLufs() const
{
    const double m = seen_ >= mLen_ ? mMax_ : mSum_;
    return toLufs(m / static_cast<double>(mLen_));
}

double SlidingLoudness::maxShortTermLufs() const
{
    const double s = seen_ >= sLen_ ? sMax_ : sSum_;
    return toLufs(s / static_cast<double>(sLen_));
}

} // namespace mm
