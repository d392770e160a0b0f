#pragma once
// Integrated loudness and loudness range (ITU-R BS.1770-4, EBU Tech 3341/3342) from the
// K-weighted energy of consecutive 100 ms segments, with the block and gating rules of
// libebur128, so that both read the same on the same audio:
//   - a 400 ms block every 100 ms, the first when 400 ms have been seen; energies below
//     the absolute gate (−70 LUFS) are not kept; integrated = mean of the kept blocks
//     at or above (their mean − 10 LU);
//   - a 3 s short-term block every second, the first at 3 s; LRA = the spread between
//     the 10th and 95th percentiles of those at or above (their mean − 20 LU).
// A trailing part of a segment (< 100 ms) is not measured, as in libebur128.
// tests/analysis/GatedLoudnessTest.cpp checks the readings against libebur128.
#include "analysis/KWeighting.h"
#include "core/AudioBuffer.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

namespace mm {

class GatedLoudness {
public:
    /// samplesPerSegment: round(rate / 10).
    void prepare(std::size_t samplesPerSegment, bool keepShortTerm);
    void reset();
    /// One whole 100 ms segment: Σ over channels (weight 1) and samples of y².
    void addSegment(double energySum);

    double integratedLufs() const; ///< −inf when no block passes the gates
    double loudnessRangeLu() const; ///< 0 when fewer than two short-term blocks count

private:
    double segmentSum(std::size_t count) const;
    static double gatedMean(const std::vector<double>& blocks);

    std::size_t segLen_ = 4800;
    bool keepShortTerm_ = false;
    std::array<double, 30> last_{}; // ring of the last 30 segments' energies
    std::size_t pos_ = 0, seen_ = 0;
    std::vector<double> blocks_, shortTerm_; // mean squares above the absolute gate
};

/// Integrated loudness only: K-weighting plus GatedLoudness — for meters that steer a
/// gain (stem and mix meters of the mix renders, the mastering gain search). About 5×
/// cheaper than libebur128 in its I mode.
class IntegratedLoudness {
public:
    void prepare(double sampleRate, int channels);
    void process(const AudioBuffer& block);
    double integratedLufs() const { return gated_.integratedLufs(); }

private:
    std::vector<KWeightingFilter> filters_;
    int channels_ = 0;
    std::size_t segLen_ = 4800, segFill_ = 0;
    double segEnergy_ = 0.0;
    GatedLoudness gated_;
};

} // namespace mm
