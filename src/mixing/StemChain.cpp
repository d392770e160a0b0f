#include "mixing/StemChain.h"

#include "dsp/BiquadDesign.h"

#include <cstring>

namespace mm {

void StemChain::prepare(double sampleRate, int inputChannels, std::size_t maxBlock, const StemDecision& d)
{
    const ProcessSpec spec{sampleRate, inputChannels, maxBlock};
    hpfOn_ = d.hpfHz > 0.0;
    hpf_.prepare(spec);
    if (hpfOn_)
        hpf_.setCoeffs(designHighPass(d.hpfHz, 0.7071, sampleRate)); // 12 dB/oct Butterworth
    eqOn_ = !d.eq.empty();
    eq_.prepare(spec);
    if (eqOn_) {
        std::vector<EqBand> bands;
        for (const auto& e : d.eq)
            if (bands.size() < ParametricEq::kMaxBands)
                bands.push_back(e.band);
        eq_.setBands(bands);
    }
    compress_ = d.compress;
    comp_.prepare(spec);
    if (compress_)
        comp_.setParams(d.comp);
    fader_.prepare(spec);
    fader_.setGainDb(d.muted ? -200.0 : d.gainDb);
    panner_.prepare(ProcessSpec{sampleRate, 2, maxBlock});
    panner_.setPan(d.pan);
}

void StemChain::process(AudioBuffer& out, AudioBuffer& in) noexcept
{
    processPreFader(in);
    processPostFader(out, in);
}

void StemChain::processPreFader(AudioBuffer& in) noexcept
{
    if (hpfOn_ && eqOn_)
        eq_.process(in, hpf_); // one loop for both (bit-identical to one after the other)
    else if (hpfOn_)
        hpf_.process(in);
    else if (eqOn_)
        eq_.process(in);
    if (compress_)
        comp_.process(in);
}

void StemChain::processPostFader(AudioBuffer& out, AudioBuffer& in) noexcept
{
    fader_.process(in);
    if (in.channels() == 1) {
        panner_.process(out, in);
    } else {
        out.setFrames(in.frames());
        for (int c = 0; c < 2; ++c)
            std::memcpy(out.channel(c), in.channel(c), in.frames() * sizeof(float));
        panner_.process(out);
    }
}

} // namespace mm
