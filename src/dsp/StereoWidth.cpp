#include "dsp/StereoWidth.h"

#include <algorithm>

namespace mm {

namespace {
constexpr double kButterworthQ = 0.70710678118654752;
}

void StereoWidth::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    const ProcessSpec mono{spec.sampleRate, 1, spec.maxBlock};
    midAllPass_.prepare(mono);
    sideHighPass1_.prepare(mono);
    sideHighPass2_.prepare(mono);
    setParams(params_); // coefficients for the new rate
    reset();
}

void StereoWidth::reset() noexcept
{
    width_.prepare(sampleRate_, kRampMs, params_.width);
    midAllPass_.reset();
    sideHighPass1_.reset();
    sideHighPass2_.reset();
    jumpNext_ = true;
}

void StereoWidth::setParams(const StereoWidthParams& p) noexcept
{
    params_ = p;
    params_.width = std::clamp(p.width, 0.0, kMaxWidth);
    if (params_.monoBelowHz > 0.0) {
        midAllPass_.setCoeffs(designAllPass(params_.monoBelowHz, kButterworthQ, sampleRate_));
        const BiquadCoeffs hp = designHighPass(params_.monoBelowHz, kButterworthQ, sampleRate_);
        sideHighPass1_.setCoeffs(hp);
        sideHighPass2_.setCoeffs(hp);
    }
    if (jumpNext_)
        width_.setValue(params_.width);
    else
        width_.setTarget(params_.width);
    jumpNext_ = false;
}

// The crossover's three filters over a block, handing sink(i, mid, side) each frame's
// filtered mid and side: the mid's all-pass and the side's first high-pass in the two
// lanes of one step, the side's second high-pass beside them, their state in registers
// for the block — independent recursions that overlap, where processSample()'s state in
// memory made each wait on a store and a load. The same operations in the same order:
// bit-identical to it.
template <class Sink>
void StereoWidth::crossover(const float* l, const float* r, std::size_t n, Sink&& sink) noexcept
{
    Biquad::StereoStepper first(midAllPass_, sideHighPass1_); // lane 0 mid, lane 1 side
    Biquad::Stepper second(sideHighPass2_);
    for (std::size_t i = 0; i < n; ++i) {
        const Double2 y = first.step(Double2{0.5 * (double(l[i]) + double(r[i])), 0.5 * (double(l[i]) - double(r[i]))});
        sink(i, y[0], second.step(y[1]));
    }
    first.end();
    second.end();
    midAllPass_.snapToZero();
    sideHighPass1_.snapToZero();
    sideHighPass2_.snapToZero();
}

void StereoWidth::process(AudioBuffer& block) noexcept
{
    jumpNext_ = false;
    if (block.channels() < 2)
        return;
    const bool withCrossover = params_.monoBelowHz > 0.0;
    if (!withCrossover && !width_.isSmoothing() && width_.current() == 1.0)
        return; // identity
    float* l = block.channel(0);
    float* r = block.channel(1);
    if (!withCrossover && !width_.isSmoothing()) {
        // A steady width without the crossover (the usual case): the loop below with w
        // fixed, which vectorises. Same operations per sample: bit-identical.
        const double w = width_.current();
        for (std::size_t i = 0; i < block.frames(); ++i) {
            const double mid = 0.5 * (double(l[i]) + double(r[i]));
            const double side = 0.5 * (double(l[i]) - double(r[i])) * w;
            l[i] = static_cast<float>(mid + side);
            r[i] = static_cast<float>(mid - side);
        }
        return;
    }
    if (!withCrossover) {
        for (std::size_t i = 0; i < block.frames(); ++i) {
            const double w = width_.next();
            const double mid = 0.5 * (double(l[i]) + double(r[i]));
            const double side = 0.5 * (double(l[i]) - double(r[i])) * w;
            l[i] = static_cast<float>(mid + side);
            r[i] = static_cast<float>(mid - side);
        }
        return;
    }
    const bool ramp = width_.isSmoothing();
    const double steady = width_.current();
    crossover(l, r, block.frames(), [&](std::size_t i, double mid, double side) {
        const double w = ramp ? width_.next() : steady;
        side *= w;
        l[i] = static_cast<float>(mid + side);
        r[i] = static_cast<float>(mid - side);
    });
}

void StereoWidth::toMidSide(AudioBuffer& block) noexcept
{
    jumpNext_ = false;
    if (block.channels() < 2)
        return;
    float* l = block.channel(0);
    float* r = block.channel(1);
    if (params_.monoBelowHz <= 0.0) {
        for (std::size_t i = 0; i < block.frames(); ++i) {
            const double mid = 0.5 * (double(l[i]) + double(r[i]));
            const double side = 0.5 * (double(l[i]) - double(r[i]));
            l[i] = static_cast<float>(mid);
            r[i] = static_cast<float>(side);
        }
        return;
    }
    crossover(l, r, block.frames(), [&](std::size_t i, double mid, double side) {
        l[i] = static_cast<float>(mid);
        r[i] = static_cast<float>(side);
    });
}

void StereoWidth::fromMidSide(AudioBuffer& block, double width) noexcept
{
    if (block.channels() < 2)
        return;
    const double w = std::clamp(width, 0.0, kMaxWidth);
    float* m = block.channel(0);
    float* s = block.channel(1);
    for (std::size_t i = 0; i < block.frames(); ++i) {
        const double mid = m[i], side = double(s[i]) * w;
        m[i] = static_cast<float>(mid + side);
        s[i] = static_cast<float>(mid - side);
    }
}

} // namespace mm
