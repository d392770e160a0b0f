#include "analysis/GatedLoudness.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm {
namespace {

// libebur128's absolute gate: blocks below −70 LUFS are not kept.
const double kAbsGateEnergy = std::pow(10.0, (-70.0 + 0.691) / 10.0);

double toLufs(double meanSquare)
{
    return meanSquare > 0.0 ? -0.691 + 10.0 * std::log10(meanSquare) : -std::numeric_limits<double>::infinity();
}

} // namespace

void GatedLoudness::prepare(std::size_t samplesPerSegment, bool keepShortTerm)
{
    segLen_ = std::max<std::size_t>(samplesPerSegment, 1);
    keepShortTerm_ = keepShortTerm;
    reset();
}

void GatedLoudness::reset()
{
    last_.fill(0.0);
    pos_ = seen_ = 0;
    blocks_.clear();
    shortTerm_.clear();
}

double GatedLoudness::segmentSum(std::size_t count) const
{
    double s = 0.0;
    for (std::size_t k = 1; k <= count; ++k)
        s += last_[(pos_ + last_.size() - k) % last_.size()];
    return s;
}

void GatedLoudness::addSegment(double energySum)
{
    last_[pos_] = energySum;
    pos_ = (pos_ + 1) % last_.size();
    ++seen_;
    if (seen_ >= 4) {
        const double ms = segmentSum(4) / static_cast<double>(4 * segLen_);
        if (ms >= kAbsGateEnergy)
            blocks_.push_back(ms);
    }
    if (keepShortTerm_ && seen_ >= 30 && (seen_ - 30) % 10 == 0) {
        const double ms = segmentSum(30) / static_cast<double>(30 * segLen_);
        if (ms >= kAbsGateEnergy)
            shortTerm_.push_back(ms);
    }
}

double GatedLoudness::gatedMean(const std::vector<double>& blocks)
{
    // The absolute gate (blocks_ holds only blocks above it already, so the test is true
    // for each), then the relative gate.
    double sum = 0.0;
    std::size_t kept = 0;
    for (double b : blocks)
        if (b >= kAbsGateEnergy) {
            sum += b;
            ++kept;
        }
    if (kept == 0)
        return 0.0;
    const double relative = sum / static_cast<double>(kept) * 0.1; // −10 LU
    double gated = 0.0;
    std::size_t count = 0;
    for (double b : blocks)
        if (b >= kAbsGateEnergy && b >= relative) {
            gated += b;
            ++count;
        }
    return count > 0 ? gated / static_cast<double>(count) : 0.0;
}

double GatedLoudness::integratedLufs() const
{
    return toLufs(gatedMean(blocks_));
}

double GatedLoudness::loudnessRangeLu() const
{
    if (shortTerm_.empty())
        return 0.0;
    double sum = 0.0;
    for (double s : shortTerm_)
        sum += s;
    const double relative = sum / static_cast<double>(shortTerm_.size()) * 0.01; // −20 LU
    std::vector<double> kept;
    for (double s : shortTerm_)
        if (s >= relative)
            kept.push_back(s);
    if (kept.empty())
        return 0.0;
    std::sort(kept.begin(), kept.end());
    const auto at = [&](double q) { return kept[static_cast<std::size_t>(static_cast<double>(kept.size() - 1) * q + 0.5)]; };
    return toLufs(at(0.95)) - toLufs(at(0.10));
}

void IntegratedLoudness::prepare(double sampleRate, int channels)
{
    channels_ = channels;
    filters_.assign(static_cast<std::size_t>(std::max(channels, 0)), KWeightingFilter(designKWeighting(sampleRate)));
    segLen_ = static_cast<std::size_t>(std::llround(sampleRate / 10.0));
    segFill_ = 0;
    segEnergy_ = 0.0;
    gated_.prepare(segLen_, false);
}

void IntegratedLoudness::process(const AudioBuffer& block)
{
    const int chs = std::min(channels_, block.channels());
    const std::size_t n = block.frames();
    std::size_t i = 0;
    while (i < n) {
        const std::size_t len = std::min(n - i, segLen_ - segFill_);
        if (chs == 2) { // both channels in one loop, one SIMD lane each
            auto& fl = filters_[0];
            auto& fr = filters_[1];
            const float* l = block.channel(0) + i;
            const float* r = block.channel(1) + i;
            Double2 e{0.0, 0.0}; // lane 0 left, lane 1 right
            KWeightingFilter::processStereo(fl, fr, l, r, len, [&e](std::size_t, Double2 y) { e += y * y; });
            segEnergy_ += e[0] + e[1];
        } else {
            for (int c = 0; c < chs; ++c) {
                auto& f = filters_[static_cast<std::size_t>(c)];
                const float* x = block.channel(c) + i;
                double e = 0.0;
                for (std::size_t k = 0; k < len; ++k) {
                    const double y = f.process(x[k]);
                    e += y * y;
                }
                segEnergy_ += e;
            }
        }
        segFill_ += len;
        i += len;
        if (segFill_ == segLen_) {
            gated_.addSegment(segEnergy_);
            segFill_ = 0;
            segEnergy_ = 0.0;
        }
    }
}

} // namespace mm
