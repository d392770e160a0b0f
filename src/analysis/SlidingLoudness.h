#pragma once
// Momentary (400 ms) and short-term (3 s) loudness of BS.1770-4 / EBU R128 on sliding
// windows advanced every sample, so that their maxima are exact: EBU Tech 3341 cases 10
// and 13 place tone bursts off any 100 ms grid, and a meter read every 100 ms under-reads
// the 400 ms maximum by up to 1.25 dB. Also records short-term loudness once per second.
#include "analysis/GatedLoudness.h"
#include "analysis/KWeighting.h"
#include "core/AudioBuffer.h"

#include <vector>

namespace mm {

class SlidingLoudness {
public:
    SlidingLoudness() = default;
    void prepare(double sampleRate, int channels);
    void reset();
    void process(const AudioBuffer& block);
    /// Two meters fed blocks of the same length at once: their K-weighting shares one
    /// loop (KWeightingFilter::processStereoPairEnergy), the windows run per meter; the
    /// readings are bit-identical to a.process(x) then b.process(y), which is what this
    /// does when the meters or blocks are not both stereo or differ in length.
    static void processPair(SlidingLoudness& a, const AudioBuffer& x, SlidingLoudness& b, const AudioBuffer& y);

    /// Maximum over the programme, in LUFS (−inf for silence). Windows shorter than their
    /// length (a programme under 400 ms / 3 s) count as zero-padded, as in libebur128.
    double maxMomentaryLufs() const;
    double maxShortTermLufs() const;
    /// Short-term loudness at the end of each whole second (window zero-padded at the start).
    const std::vector<double>& shortTermPerSecond() const { return perSecond_; }
    /// Integrated loudness and loudness range from the same K-weighted signal, gated as
    /// libebur128 gates (GatedLoudness).
    double integratedLufs() const { return gated_.integratedLufs(); }
    double loudnessRangeLu() const { return gated_.loudnessRangeLu(); }

private:
    static double toLufs(double meanSquare);
    /// energy_ for the block's frames: the K-weighted power summed over the channels.
    void weigh(const AudioBuffer& block);
    /// Advances the windows over energy_[0, n).
    void advance(std::size_t n);

    double rate_ = 48000.0;
    int channels_ = 0;
    std::vector<KWeightingFilter> filters_;
    std::vector<float> ring_;     // per-sample channel-summed weighted energy, last 3 s
    std::size_t ringPos_ = 0, mPos_ = 0;
    std::vector<double> energy_;  // the block's per-sample channel-summed weighted energy
    std::vector<Double2> delta_;  // per frame: {change of the 400 ms sum, change of the 3 s sum}
    std::size_t mLen_ = 0, sLen_ = 0;
    double mSum_ = 0.0, sSum_ = 0.0;
    double mMax_ = 0.0, sMax_ = 0.0;
    std::size_t seen_ = 0;
    std::size_t sinceRecompute_ = 0;
    std::size_t secondLen_ = 0, sinceSecond_ = 0;
    std::vector<double> perSecond_;
    std::size_t segLen_ = 4800, segFill_ = 0;
    double segEnergy_ = 0.0;
    GatedLoudness gated_;
};

} // namespace mm
