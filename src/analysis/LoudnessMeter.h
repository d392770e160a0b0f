#pragma once
// Programme loudness per EBU R128. With true peak on, integrated loudness, loudness
// range and true peak come from libebur128 (the reference implementation the EBU test set
// was checked against): the master's final measurement. Without it, our own K-weighting
// and libebur128's gating rules (GatedLoudness; same readings within 0.001 LU, tests/
// analysis/GatedLoudnessTest.cpp) at a fraction of the cost. Maximum momentary /
// short-term loudness always come from SlidingLoudness (sample resolution).
#include "analysis/GatedLoudness.h"
#include "analysis/SlidingLoudness.h"
#include "core/AudioBuffer.h"

#include <vector>

namespace mm {

struct LoudnessResult {
    double integratedLufs = 0.0;   ///< −inf for silence
    double lraLu = 0.0;
    double truePeakDbtp = 0.0;     ///< −inf for silence; NaN when not measured
    double maxMomentaryLufs = 0.0;
    double maxShortTermLufs = 0.0;
    std::vector<double> shortTermPerSecond;
};

class LoudnessMeter {
public:
    /// `integratedOnly`: integrated loudness alone (no LRA, no momentary/short-term
    /// maxima or series: result() leaves them 0/empty) — for the meters that only steer a
    /// gain (per-stem and mix meters of the mix renders, the mastering gain search).
    /// `truePeakElsewhere` (with measureTruePeak): libebur128's loudness and LRA, but not
    /// its true peak (result().truePeakDbtp is NaN): the caller reads it with one
    /// Ebur128ChannelPeak per channel, which can run on other threads.
    LoudnessMeter(double sampleRate, int channels, bool measureTruePeak = true, bool integratedOnly = false,
                  bool truePeakElsewhere = false);
    ~LoudnessMeter();
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;

    void process(const AudioBuffer& block);
    LoudnessResult result() const;

private:
    struct Ebur128; // owns libebur128's state (an anonymous struct: cannot be forward-declared)
    Ebur128* ebu_ = nullptr;
    int channels_;
    bool truePeak_;
    bool integratedOnly_;
    SlidingLoudness sliding_;
    IntegratedLoudness integrated_;
    std::vector<float> interleaved_;
};

/// libebur128's true peak of one channel: a one-channel libebur128 state in true-peak
/// mode. libebur128 interpolates every channel on its own, so this reads what a
/// multichannel state reads for that channel (Ebur128ChannelPeakTest), and one reader per
/// channel can run on its own thread.
class Ebur128ChannelPeak {
public:
    explicit Ebur128ChannelPeak(double sampleRate);
    ~Ebur128ChannelPeak();
    Ebur128ChannelPeak(const Ebur128ChannelPeak&) = delete;
    Ebur128ChannelPeak& operator=(const Ebur128ChannelPeak&) = delete;

    void process(const float* samples, std::size_t n);
    /// Linear (1.0 = 0 dBTP); 0 before any sample.
    double truePeak() const;

private:
    struct State;
    State* state_ = nullptr;
};

} // namespace mm
