#include "analysis/SlidingLoudness.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm {
namespace {

// d[k] = {e − the value leaving the 400 ms window, e − the value leaving the 3 s window},
// with e = float(energy[k]) (the ring's precision), which replaces ringS[k]. ringS and
// ringM never overlap within a run (it is shorter than 3 s − 400 ms).
void windowDeltas(const double* __restrict energy, float* __restrict ringS, const float* __restrict ringM, Double2* __restrict d,
                  std::size_t n) noexcept
{
    for (std::size_t k = 0; k < n; ++k) {
        const float ef = static_cast<float>(energy[k]);
        const double v = ef;
        d[k] = Double2{v - static_cast<double>(ringM[k]), v - static_cast<double>(ringS[k])};
        ringS[k] = ef;
    }
}

// Σ x[k] in double, four partial sums (their order fixed, so the result is too).
double sumOf(const float* x, std::size_t n) noexcept
{
    Double2 a{}, b{};
    std::size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        a += Double2{x[k], x[k + 1]};
        b += Double2{x[k + 2], x[k + 3]};
    }
    for (; k < n; ++k)
        a[0] += x[k];
    const Double2 s = a + b;
    return s[0] + s[1];
}

} // namespace

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
    // The K-weighted energy of the block first (each channel's filter a recurrence of its
    // own), then the windows; the sums are taken in the same order as sample by sample.
    weigh(block);
    advance(block.frames());
}

void SlidingLoudness::processPair(SlidingLoudness& a, const AudioBuffer& x, SlidingLoudness& b, const AudioBuffer& y)
{
    const std::size_t n = x.frames();
    if (a.channels_ != 2 || b.channels_ != 2 || a.rate_ != b.rate_ || x.channels() < 2 || y.channels() < 2 || y.frames() != n) {
        a.process(x);
        b.process(y);
        return;
    }
    a.energy_.resize(std::max(a.energy_.size(), n));
    b.energy_.resize(std::max(b.energy_.size(), n));
    KWeightingFilter::processStereoPairEnergy(a.filters_.data(), x.channel(0), x.channel(1), a.energy_.data(), b.filters_.data(),
                                              y.channel(0), y.channel(1), b.energy_.data(), n);
    a.advance(n);
    b.advance(n);
}

void SlidingLoudness::weigh(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    const int chs = std::min(channels_, block.channels());
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
}

void SlidingLoudness::advance(std::size_t n)
{
    delta_.resize(std::max(delta_.size(), n));
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
        // First what each frame changes in the two windows, {new − leaving the 400 ms
        // window, new − leaving the 3 s window} (frame-wise: vectorises), then the running
        // sums and maxima, the only serial part, both windows in one pair of lanes.
        windowDeltas(e, ring_.data() + ringPos_, ring_.data() + mPos_, delta_.data(), len);
        const Double2* d = delta_.data();
        double seg = segEnergy_;
        Double2 sums{mSum_, sSum_}, maxima{mMax_, sMax_};
        for (std::size_t k = 0; k < len; ++k) {
            seg += e[k];
            sums += d[k];
            maxima = sums > maxima ? sums : maxima;
        }
        // A window's maximum counts once the frames seen fill it (constant over the run).
        const double m = sums[0], sum = sums[1];
        const double mMax = mOn ? maxima[0] : mMax_, sMax = sOn ? maxima[1] : sMax_;
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
            // Running sums drift by rounding; recompute them from the ring once per window
            // (every 3 s from the start of the stream, whatever the block size), in pieces
            // in ring order: the ring from ringPos_ to its end, then from its start.
            sinceRecompute_ = 0;
            const std::size_t mFrom = sLen_ - mLen_; // window index where the 400 ms part starts
            const std::size_t oldest = sLen_ - ringPos_; // the ring from ringPos_ on: window indices [0, oldest)
            double mm = 0.0;
            if (mFrom < oldest) {
                mm = sumOf(ring_.data() + ringPos_ + mFrom, oldest - mFrom) + sumOf(ring_.data(), ringPos_);
            } else {
                mm = sumOf(ring_.data() + (mFrom - oldest), ringPos_ - (mFrom - oldest));
            }
            const double s = sumOf(ring_.data() + ringPos_, oldest) + sumOf(ring_.data(), ringPos_);
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
