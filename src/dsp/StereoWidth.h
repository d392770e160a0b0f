#pragma once
// Mid/side stereo width with an optional mono-below crossover.
//
//   M = (L + R) / 2,  S = (L - R) / 2,  S' = width * S,  L' = M + S',  R' = M - S'
// width 0 = mono, 1 = unchanged, 2 = side doubled; "width %" = 100 * width, the ratio
// rms(side) / rms(mid) scales by exactly `width`.
//
// Mono below fc (monoBelowHz > 0): the side is high-passed by a 4th-order
// Linkwitz-Riley high-pass (two cascaded 2nd-order Butterworth sections) and the mid by
// the matching 2nd-order all-pass (Q = 1/sqrt(2)), which is exactly LR4 low + LR4 high
// (S. Linkwitz, "Active crossover networks for non-coincident drivers", JAES 24(1),
// 1976). Then HP4 = AP * w^4 / (1 + w^4) (w = f / fc, prewarped): the side stays in phase
// with the mid, the mid (and so the mono sum L + R) keeps a flat magnitude, and side
// content below fc fades out at 24 dB/octave.
//
// `width` changes ramp linearly over 20 ms; a change of monoBelowHz takes effect at the
// next block, without smoothing (it is a set-up parameter, not for automation).
#include "dsp/Biquad.h"
#include "dsp/Gain.h"
#include "dsp/Processor.h"

namespace mm {

struct StereoWidthParams {
    double width = 1.0;       ///< 0..2 (clamped)
    double monoBelowHz = 0.0; ///< 0 = off; e.g. 120 Hz keeps the low end mono
};

class StereoWidth final : public Processor {
public:
    static constexpr double kRampMs = 20.0;
    static constexpr double kMaxWidth = 2.0;

    /// New parameters; width ramps, except on the first call after prepare()/reset().
    void setParams(const StereoWidthParams& p) noexcept;
    const StereoWidthParams& params() const noexcept { return params_; }

    void prepare(const ProcessSpec& spec) override;
    /// Processes channels 0 and 1 in place; a mono block passes unchanged.
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

    /// The width in two steps, for a caller that applies several widths to one signal
    /// (the mastering's gain search): toMidSide() turns channels 0 and 1 into M and S
    /// after the crossover (the mid's all-pass, the side's high-passes; the width itself
    /// not applied, and not smoothed), fromMidSide() makes L = M + w·S, R = M − w·S.
    /// The two equal process() at a steady width up to the float rounding of M and S
    /// in between (≈ 1e-7 relative). Mono blocks pass unchanged.
    void toMidSide(AudioBuffer& block) noexcept;
    static void fromMidSide(AudioBuffer& block, double width) noexcept;

private:
    template <class Sink>
    void crossover(const float* l, const float* r, std::size_t n, Sink&& sink) noexcept;

    StereoWidthParams params_;
    LinearSmoother width_;
    Biquad midAllPass_, sideHighPass1_, sideHighPass2_;
    double sampleRate_ = 48000.0;
    bool jumpNext_ = true;
};

} // namespace mm
