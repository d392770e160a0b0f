#include "dsp/TruePeakLimiter.h"

#include <algorithm>
#include <cmath>

namespace mm {

void TruePeakLimiter::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    channels_ = spec.channels;
    const float lookMs = std::clamp(params_.lookaheadMs, 0.5f, 20.0f);
    window_ = std::max(1, static_cast<int>(std::lround(lookMs * 1e-3 * sampleRate_)));
    // See the header: sample s is scaled by the average of W released holds, each the
    // minimum over W + 1 interval requirements, reaching intervals s − 1 and s.
    delay_ = window_ + TruePeakMeter::kLatency - 1;
    detector_.prepare(channels_);
    delayLine_.assign(static_cast<std::size_t>(channels_) * static_cast<std::size_t>(delay_), 0.0f);
    dqValue_.assign(static_cast<std::size_t>(window_ + 2), 1.0f);
    dqIndex_.assign(static_cast<std::size_t>(window_ + 2), 0);
    box_.assign(static_cast<std::size_t>(window_), 1.0f);
    frameIn_.assign(static_cast<std::size_t>(channels_), 0.0f);
    frameOut_.assign(static_cast<std::size_t>(channels_), 0.0f);
    reset();
}

void TruePeakLimiter::reset() noexcept
{
    detector_.reset();
    std::fill(delayLine_.begin(), delayLine_.end(), 0.0f);
    delayPos_ = 0;
    dqHead_ = 0;
    dqSize_ = 0;
    t_ = 0;
    std::fill(box_.begin(), box_.end(), 1.0f);
    boxPos_ = 0;
    boxSum_ = static_cast<double>(window_);
    fast_ = slow_ = lastGain_ = 1.0f;
    maxGrDb_ = sumGrDb_ = 0.0;
    count_ = 0;
}

double TruePeakLimiter::averageGainReductionDb() const noexcept
{
    return count_ ? sumGrDb_ / static_cast<double>(count_) : 0.0;
}

float TruePeakLimiter::step(const float* in, float* out, int nch) noexcept
{
    float peak = 0.0f;
    for (int c = 0; c < nch; ++c)
        peak = std::max(peak, detector_.pushSample(c, in[c]));
    const float req = peak > ceilingLin_ ? ceilingLin_ / peak : 1.0f;

    // Sliding minimum over the last W + 1 requirements.
    const int cap = window_ + 2;
    while (dqSize_ > 0) {
        const int back = (dqHead_ + dqSize_ - 1) % cap;
        if (dqValue_[static_cast<std::size_t>(back)] < req)
            break;
        --dqSize_;
    }
    const int slot = (dqHead_ + dqSize_) % cap;
    dqValue_[static_cast<std::size_t>(slot)] = req;
    dqIndex_[static_cast<std::size_t>(slot)] = t_;
    ++dqSize_;
    while (dqIndex_[static_cast<std::size_t>(dqHead_)] < t_ - window_) {
        dqHead_ = (dqHead_ + 1) % cap;
        --dqSize_;
    }
    const float hold = dqValue_[static_cast<std::size_t>(dqHead_)];
    ++t_;

    // Release: approach the hold from below; attack is left to the ramp.
    fast_ = hold < fast_ ? hold : hold + (fast_ - hold) * fastCoef_;
    float released = fast_;
    if (params_.programDependentRelease) {
        slow_ = hold + (slow_ - hold) * (hold < slow_ ? slowAttackCoef_ : slowReleaseCoef_);
        released = std::min(fast_, slow_);
    }

    // Attack ramp: moving average of W released gains (each ≤ its hold).
    boxSum_ += static_cast<double>(released) - static_cast<double>(box_[static_cast<std::size_t>(boxPos_)]);
    box_[static_cast<std::size_t>(boxPos_)] = released;
    boxPos_ = boxPos_ + 1 == window_ ? 0 : boxPos_ + 1;
    const float gain = std::min(1.0f, static_cast<float>(boxSum_ / window_));

    for (int c = 0; c < nch; ++c) {
        float& d = delayLine_[static_cast<std::size_t>(c) * static_cast<std::size_t>(delay_) + static_cast<std::size_t>(delayPos_)];
        out[c] = std::clamp(d * gain, -ceilingLin_, ceilingLin_);
        d = in[c];
    }
    delayPos_ = delayPos_ + 1 == delay_ ? 0 : delayPos_ + 1;
    return gain;
}

void TruePeakLimiter::process(AudioBuffer& block) noexcept
{
    // Parameters are read once per block.
    ceilingLin_ = static_cast<float>(std::pow(10.0, (params_.ceilingDbTP - kSafetyDb) / 20.0));
    const double fs = sampleRate_;
    const double tau = std::max(1.0, 0.5 * params_.releaseMs) * 1e-3 * fs; // linear one-pole: 1 dB at ≈ 2τ
    fastCoef_ = static_cast<float>(std::exp(-1.0 / tau));
    slowAttackCoef_ = static_cast<float>(std::exp(-1.0 / (5.0 * tau)));
    slowReleaseCoef_ = static_cast<float>(std::exp(-1.0 / (5.0 * tau)));

    const int used = std::min(block.channels(), channels_);
    float* in = frameIn_.data();
    float* out = frameOut_.data();
    for (std::size_t i = 0; i < block.frames(); ++i) {
        for (int c = 0; c < used; ++c)
            in[c] = block.channel(c)[i];
        const float g = step(in, out, used);
        for (int c = 0; c < used; ++c)
            block.channel(c)[i] = out[c];
        if (g < 1.0f) {
            const double gr = -20.0 * std::log10(static_cast<double>(g));
            maxGrDb_ = std::max(maxGrDb_, gr);
            sumGrDb_ += gr;
        }
        lastGain_ = g;
    }
    count_ += block.frames();
}

std::size_t TruePeakLimiter::flush(AudioBuffer& tail) noexcept
{
    tail.setFrames(std::min(static_cast<std::size_t>(delay_), tail.capacity()));
    tail.clear();
    process(tail);
    return tail.frames();
}

} // namespace mm
