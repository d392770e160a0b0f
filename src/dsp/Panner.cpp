#include "dsp/Panner.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mm {

PanGains panGains(double pan) noexcept
{
    const double theta = (std::clamp(pan, -1.0, 1.0) + 1.0) * std::numbers::pi / 4.0;
    return {std::cos(theta), std::sin(theta)};
}

PanGains balanceGains(double pan) noexcept
{
    const PanGains g = panGains(pan);
    return {std::min(1.0, std::numbers::sqrt2 * g.left), std::min(1.0, std::numbers::sqrt2 * g.right)};
}

void Panner::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    reset();
}

void Panner::reset() noexcept
{
    pan_.prepare(sampleRate_, kRampMs, pan_.target());
    jumpNext_ = true;
}

void Panner::setPan(double pan) noexcept
{
    const double p = std::clamp(pan, -1.0, 1.0);
    if (jumpNext_) {
        pan_.setValue(p);
        jumpNext_ = false;
    } else {
        pan_.setTarget(p);
    }
}

// Calls apply(i, gains) for every frame; gains are recomputed per sample only while the
// pan position ramps.
template <class Law, class Apply>
void Panner::run(std::size_t frames, Law law, Apply apply) noexcept
{
    jumpNext_ = false;
    std::size_t i = 0;
    for (; i < frames && pan_.isSmoothing(); ++i)
        apply(i, law(pan_.next()));
    const PanGains g = law(pan_.current());
    for (; i < frames; ++i)
        apply(i, g);
}

void Panner::process(AudioBuffer& block) noexcept
{
    if (block.channels() < 2)
        return;
    float* l = block.channel(0);
    float* r = block.channel(1);
    run(block.frames(), balanceGains, [l, r](std::size_t i, const PanGains& g) {
        l[i] = static_cast<float>(l[i] * g.left);
        r[i] = static_cast<float>(r[i] * g.right);
    });
}

void Panner::process(AudioBuffer& stereoOut, const AudioBuffer& monoIn) noexcept
{
    if (stereoOut.channels() < 2 || monoIn.channels() < 1)
        return;
    stereoOut.setFrames(monoIn.frames());
    const float* m = monoIn.channel(0);
    float* l = stereoOut.channel(0);
    float* r = stereoOut.channel(1);
    run(stereoOut.frames(), panGains, [m, l, r](std::size_t i, const PanGains& g) {
        l[i] = static_cast<float>(m[i] * g.left);
        r[i] = static_cast<float>(m[i] * g.right);
    });
}

} // namespace mm
