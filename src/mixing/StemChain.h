#pragma once
// One stem's processing, in order: high-pass → unmasking EQ → compressor → fader → pan
// (mono stems become stereo here). The compressor sits before the fader so that its
// threshold is on the stem's own level scale, where the policy measured it.
#include "dsp/Biquad.h"
#include "dsp/Compressor.h"
#include "dsp/Gain.h"
#include "dsp/Panner.h"
#include "mixing/MixPolicy.h"

namespace mm {

class StemChain {
public:
    StemChain() = default;
    StemChain(const StemChain&) = delete;
    StemChain& operator=(const StemChain&) = delete;

    void prepare(double sampleRate, int inputChannels, std::size_t maxBlock, const StemDecision& decision);
    /// Processes in.frames() frames of the stem into the stereo `out` (destination first).
    /// `in` is used as scratch and altered.
    void process(AudioBuffer& out, AudioBuffer& in) noexcept;

    double averageGainReductionDb() const noexcept { return compress_ ? comp_.averageGainReductionDb() : 0.0; }
    double maxGainReductionDb() const noexcept { return compress_ ? comp_.maxGainReductionDb() : 0.0; }

private:
    /// The two halves of process(): high-pass, EQ and compressor in place on `in` (the
    /// stem's own channels), then fader and pan into the stereo `out`.
    void processPreFader(AudioBuffer& in) noexcept;
    void processPostFader(AudioBuffer& out, AudioBuffer& in) noexcept;

    Biquad hpf_;
    bool hpfOn_ = false;
    ParametricEq eq_;
    bool eqOn_ = false;
    Compressor comp_;
    bool compress_ = false;
    SmoothedGain fader_;
    Panner panner_;
};

} // namespace mm
