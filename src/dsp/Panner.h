#pragma once
// Constant-power panning (sine/cosine law) and stereo balance.
//
// Pan law: theta = (pan + 1) pi / 4, pan in [-1, +1]
//   left = cos(theta), right = sin(theta)
// so left^2 + right^2 = 1 at every position (constant power) and each side is
// cos(pi/4) = -3.01 dB at centre (the "-3 dB" pan law: D. Griesinger, "Stereo and
// surround panning in practice", AES 112th Conv., 2002; Izhaki, "Mixing Audio", ch. 13).
//
// Balance (for stereo sources): the same law normalised to unity at centre and clipped,
//   left = min(1, sqrt(2) cos(theta)), right = min(1, sqrt(2) sin(theta))
// so at centre both channels pass unchanged and toward one side the other channel fades
// out; a stereo source's image is kept, only weighted.
//
// Position changes are smoothed: the pan value ramps linearly over 20 ms and the gains
// are recomputed per sample during the ramp.
#include "dsp/Gain.h"
#include "dsp/Processor.h"

namespace mm {

struct PanGains {
    double left = 1.0;
    double right = 1.0;
};

/// Constant-power gains for a mono source at `pan` (clamped to [-1, 1]).
PanGains panGains(double pan) noexcept;
/// Balance gains for a stereo source at `pan` (clamped to [-1, 1]); unity at centre.
PanGains balanceGains(double pan) noexcept;

class Panner final : public Processor {
public:
    static constexpr double kRampMs = 20.0;

    /// -1 = hard left, 0 = centre, +1 = hard right. Ramps, except on the first call after
    /// prepare()/reset(), which jumps.
    void setPan(double pan) noexcept;
    double pan() const noexcept { return pan_.target(); }

    void prepare(const ProcessSpec& spec) override;
    /// Stereo source in place: applies the balance law to channels 0 and 1. A mono
    /// block cannot be widened in place and passes unchanged: use the overload below.
    void process(AudioBuffer& block) noexcept override;
    /// Mono source to stereo: stereoOut (destination first) gets channel 0 of monoIn with
    /// the constant-power law; stereoOut must have 2 channels and capacity for
    /// monoIn.frames(), and its frames() is set to monoIn.frames().
    void process(AudioBuffer& stereoOut, const AudioBuffer& monoIn) noexcept;
    void reset() noexcept override;

private:
    template <class Law, class Apply>
    void run(std::size_t frames, Law law, Apply apply) noexcept;

    LinearSmoother pan_;
    double sampleRate_ = 48000.0;
    bool jumpNext_ = true;
};

} // namespace mm
