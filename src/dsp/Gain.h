#pragma once
// Gain changes without zipper noise: a linear ramp of the linear gain over a fixed time
// (default 20 ms, a common de-zipper length: short enough to follow automation, long
// enough that the ramp's spectrum stays under ~50 Hz). LinearSmoother is the reusable
// ramp; SmoothedGain the processor.
#include "dsp/Processor.h"

#include <cstddef>

namespace mm {

/// A value that moves to its target in a straight line over a fixed number of samples.
class LinearSmoother {
public:
    /// Sets the ramp length (rounded to whole samples, at least 1) and jumps to `value`.
    void prepare(double sampleRate, double rampMs, double value) noexcept;
    /// Starts a ramp from the current value to `target` (restarts if one is running).
    void setTarget(double target) noexcept;
    /// Jumps to `value` with no ramp.
    void setValue(double value) noexcept;
    /// Advances one sample and returns the new value; exact target at the ramp's end.
    double next() noexcept
    {
        if (remaining_ == 0)
            return current_;
        if (--remaining_ == 0)
            current_ = target_;
        else
            current_ += step_;
        return current_;
    }
    double current() const noexcept { return current_; }
    double target() const noexcept { return target_; }
    bool isSmoothing() const noexcept { return remaining_ > 0; }
    std::size_t rampSamples() const noexcept { return rampSamples_; }

private:
    double current_ = 0.0, target_ = 0.0, step_ = 0.0;
    std::size_t remaining_ = 0;
    std::size_t rampSamples_ = 1;
};

/// Applies a gain in dB to every channel; changes ramp linearly (in linear gain) over
/// rampMs, so consecutive gains never differ by more than |g_new - g_old| / rampSamples.
class SmoothedGain final : public Processor {
public:
    static constexpr double kDefaultRampMs = 20.0;

    explicit SmoothedGain(double rampMs = kDefaultRampMs) noexcept : rampMs_(rampMs) {}

    /// New gain; ramps from the current gain, except on the first call after
    /// prepare()/reset(), which jumps.
    void setGainDb(double db) noexcept;
    double gainDb() const noexcept { return gainDb_; }
    /// Linear gain applied to the last processed sample.
    double currentGain() const noexcept { return smoother_.current(); }
    std::size_t rampSamples() const noexcept { return smoother_.rampSamples(); }

    void prepare(const ProcessSpec& spec) override;
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

private:
    LinearSmoother smoother_;
    double rampMs_;
    double sampleRate_ = 48000.0;
    double gainDb_ = 0.0;
    bool jumpNext_ = true;
};

} // namespace mm
