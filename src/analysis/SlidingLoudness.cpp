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
    mPos_ = sLen_ - mLen_;
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
    // The K-weighted energy of the block first (each channel's filter a recurrence of its
    // own), then the windows; the sums are taken in the same order as sample by sample.
    energy_.resize(std::max(energy_.size(), n));
    if (chs == 2) {
        auto& fl = filters_[0];
        auto& fr = filters_[1];
        double* energy = energy_.data();
        KWeightingFilter::processStereo(fl, fr, block.channel(0), block.channel(1), n, [energy](std::size_t i, Double2 y) {
            const Double2 e = y * y;
            energy[i] = 0.0 + e[0] + e[1]; // BS.1770 channel weight 1.0 for L and R
        });
    } else {
        std::fill(energy_.begin(), energy_.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
        for (int c = 0; c < chs; ++c) {
            auto& f = filters_[static_cast<std::size_t>(c)];
            const float* x = block.channel(c);
            for (std::size_t i = 0; i < n; ++i) {
                const double y = f.process(x[i]);
                energy_[i] += y * y;
            }
        }
    }
    // The windows, in runs of frames between events (a 100 ms segment, a second or a 3 s
    // window completes, a ring index wraps, a maximum starts to count), so the per-frame
    // loop carries no counters; every frame sees the operations of a frame-by-frame loop
    // in the same order, so the readings are bit-identical to it (GatedLoudnessTest).
    if (sLen_ == 0 || secondLen_ == 0 || segLen_ == 0)
        return; // not prepared
    std::size_t i = 0;
    while (i < n) {
        std::size_t len = std::min({n - i, segLen_ - segFill_, secondLen_ - sinceSecond_, sLen_ - sinceRecompute_,
                                    sLen_ - ringPos_, sLen_ - mPos_});
        // A frame's maxima count once the frames seen, itself included, fill the window.
        const bool mOn = seen_ + 1 >= mLen_, sOn = seen_ + 1 >= sLen_;
        if (!mOn)
            len = std::min(len, mLen_ - 1 - seen_);
        if (!sOn)
            len = std::min(len, sLen_ - 1 - seen_);
        const double* e = energy_.data() + i;
        float* ringS = ring_.data() + ringPos_;
        const float* ringM = ring_.data() + mPos_;
        double seg = segEnergy_, m = mSum_, sum = sSum_, mMax = mMax_, sMax = sMax_;
        for (std::size_t k = 0; k < len; ++k) {
            seg += e[k];
            // ringS holds the sample leaving the 3 s window, ringM the one leaving the 400 ms one.
            const double oldS = ringS[k];
            const double oldM = ringM[k];
            const auto ef = static_cast<float>(e[k]);
            ringS[k] = ef;
            m += static_cast<double>(ef) - oldM;
            sum += static_cast<double>(ef) - oldS;
            if (mOn && m > mMax)
                mMax = m;
            if (sOn && sum > sMax)
                sMax = sum;
        }
        segEnergy_ = seg, mSum_ = m, sSum_ = sum, mMax_ = mMax, sMax_ = sMax;
        i += len;
        seen_ += len;
        ringPos_ = ringPos_ + len == sLen_ ? 0 : ringPos_ + len;
        mPos_ = mPos_ + len == sLen_ ? 0 : mPos_ + len;
        if ((segFill_ += len) == segLen_) {
            gated_.addSegment(segEnergy_);
            segFill_ = 0;
            segEnergy_ = 0.0;
        }
        if ((sinceSecond_ += len) == secondLen_) {
            sinceSecond_ = 0;
            perSecond_.push_back(toLufs(sSum_ / static_cast<double>(sLen_)));
        }
        if ((sinceRecompute_ += len) == sLen_) {
            // Running sums drift by rounding; recompute them exactly once per window, oldest
            // sample first (the ring from ringPos_ to its end, then from its start).
            sinceRecompute_ = 0;
            double s = 0.0, mm = 0.0;
            const std::size_t mFrom = sLen_ - mLen_; // window index where the 400 ms part starts
            std::size_t k = 0;
            for (std::size_t j = ringPos_; j < sLen_; ++j, ++k) {
                const double v = ring_[j];
                s += v;
                if (k >= mFrom)
                    mm += v;
            }
            for (std::size_t j = 0; j < ringPos_; ++j, ++k) {
                const double v = ring_[j];
                s += v;
                if (k >= mFrom)
                    mm += v;
            }
            sSum_ = s;
            mSum_ = mm;
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
