#include "dsp/Gain.h"

#include <algorithm>
#include <cmath>

namespace mm {

void LinearSmoother::prepare(double sampleRate, double rampMs, double value) noexcept
{
    rampSamples_ = static_cast<std::size_t>(std::max(1.0, std::round(rampMs * 1e-3 * sampleRate)));
    setValue(value);
}

void LinearSmoother::setTarget(double target) noexcept
{
    target_ = target;
    if (target_ == current_) {
        remaining_ = 0;
        return;
    }
    remaining_ = rampSamples_;
    step_ = (target_ - current_) / static_cast<double>(rampSamples_);
}

void LinearSmoother::setValue(double value) noexcept
{
    current_ = target_ = value;
    step_ = 0.0;
    remaining_ = 0;
}

// ---------------------------------------------------------------------------------------

void SmoothedGain::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    reset();
}

void SmoothedGain::reset() noexcept
{
    smoother_.prepare(sampleRate_, rampMs_, std::pow(10.0, gainDb_ / 20.0));
    jumpNext_ = true;
}

void SmoothedGain::setGainDb(double db) noexcept
{
    gainDb_ = db;
    const double g = std::pow(10.0, db / 20.0);
    if (jumpNext_) {
        smoother_.setValue(g);
        jumpNext_ = false;
    } else {
        smoother_.setTarget(g);
    }
}

void SmoothedGain::process(AudioBuffer& block) noexcept
{
    jumpNext_ = false;
    const std::size_t frames = block.frames();
    std::size_t i = 0;
    // Ramp part: one gain per frame, the same for every channel.
    for (; i < frames && smoother_.isSmoothing(); ++i) {
        const auto g = static_cast<float>(smoother_.next());
        for (int c = 0; c < block.channels(); ++c)
            block.channel(c)[i] *= g;
    }
    const auto g = static_cast<float>(smoother_.current());
    if (i == frames || g == 1.0f)
        return;
    for (int c = 0; c < block.channels(); ++c) {
        float* x = block.channel(c);
        for (std::size_t k = i; k < frames; ++k)
            x[k] *= g;
    }
}

} // namespace mm
