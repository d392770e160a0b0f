#include "analysis/LoudnessMeter.h"

#include "core/Errors.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm {

struct LoudnessMeter::Ebur128 {
    ebur128_state* state = nullptr;
};

LoudnessMeter::LoudnessMeter(double sampleRate, int channels, bool measureTruePeak, bool integratedOnly, bool truePeakElsewhere)
    : channels_(channels), truePeak_(measureTruePeak && !truePeakElsewhere), integratedOnly_(integratedOnly)
{
    // A mono file is measured as one channel (weight 1): the loudness it has once panned
    // to the centre with the constant-power law (−3 dB in each of two channels).
    if (measureTruePeak) {
        const int mode = EBUR128_MODE_I | (truePeak_ ? EBUR128_MODE_TRUE_PEAK : 0) | (integratedOnly ? 0 : EBUR128_MODE_LRA);
        ebu_ = new Ebur128{ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(std::lround(sampleRate)), mode)};
        if (!ebu_->state) {
            delete ebu_;
            throw InternalError("libebur128 initialisation failed");
        }
    }
    if (!integratedOnly_)
        sliding_.prepare(sampleRate, channels);
    else if (!ebu_)
        integrated_.prepare(sampleRate, channels);
}

LoudnessMeter::~LoudnessMeter()
{
    if (ebu_) {
        if (ebu_->state)
            ebur128_destroy(&ebu_->state);
        delete ebu_;
    }
}

void LoudnessMeter::process(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    if (n == 0)
        return;
    if (ebu_) {
        interleaved_.resize(n * static_cast<std::size_t>(channels_));
        for (int c = 0; c < channels_; ++c) {
            const float* src = block.channel(c);
            for (std::size_t i = 0; i < n; ++i)
                interleaved_[i * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(c)] = src[i];
        }
        if (ebur128_add_frames_float(ebu_->state, interleaved_.data(), n) != EBUR128_SUCCESS)
            throw InternalError("libebur128 failed to add frames");
    }
    if (!integratedOnly_)
        sliding_.process(block);
    else if (!ebu_)
        integrated_.process(block);
}

LoudnessResult LoudnessMeter::result() const
{
    LoudnessResult r;
    constexpr double kNegInf = -std::numeric_limits<double>::infinity();
    double v = 0.0;
    if (ebu_) {
        r.integratedLufs = ebur128_loudness_global(ebu_->state, &v) == EBUR128_SUCCESS ? v : kNegInf;
        if (!integratedOnly_)
            r.lraLu = ebur128_loudness_range(ebu_->state, &v) == EBUR128_SUCCESS ? v : 0.0;
    } else if (integratedOnly_) {
        r.integratedLufs = integrated_.integratedLufs();
    } else {
        r.integratedLufs = sliding_.integratedLufs();
        r.lraLu = sliding_.loudnessRangeLu();
    }
    if (!std::isfinite(r.lraLu))
        r.lraLu = 0.0;
    if (truePeak_) {
        double peak = 0.0;
        for (int c = 0; c < channels_; ++c) {
            double p = 0.0;
            if (ebur128_true_peak(ebu_->state, static_cast<unsigned>(c), &p) == EBUR128_SUCCESS)
                peak = std::max(peak, p);
        }
        r.truePeakDbtp = peak > 0.0 ? 20.0 * std::log10(peak) : kNegInf;
    } else {
        r.truePeakDbtp = std::numeric_limits<double>::quiet_NaN();
    }
    if (integratedOnly_)
        return r;
    r.maxMomentaryLufs = sliding_.maxMomentaryLufs();
    r.maxShortTermLufs = sliding_.maxShortTermLufs();
    r.shortTermPerSecond = sliding_.shortTermPerSecond();
    return r;
}

struct Ebur128ChannelPeak::State {
    ebur128_state* state = nullptr;
};

Ebur128ChannelPeak::Ebur128ChannelPeak(double sampleRate)
    : state_(new State{ebur128_init(1, static_cast<unsigned long>(std::lround(sampleRate)), EBUR128_MODE_TRUE_PEAK)})
{
    if (!state_->state) {
        delete state_;
        throw InternalError("libebur128 initialisation failed");
    }
}

Ebur128ChannelPeak::~Ebur128ChannelPeak()
{
    ebur128_destroy(&state_->state);
    delete state_;
}

void Ebur128ChannelPeak::process(const float* samples, std::size_t n)
{
    if (n > 0 && ebur128_add_frames_float(state_->state, samples, n) != EBUR128_SUCCESS)
        throw InternalError("libebur128 failed to add frames");
}

double Ebur128ChannelPeak::truePeak() const
{
    double p = 0.0;
    return ebur128_true_peak(state_->state, 0, &p) == EBUR128_SUCCESS ? p : 0.0;
}

} // namespace mm
