#pragma once
// Biquad filtering: a single filter (Biquad) and a chain of parametric bands (ParametricEq).
// Coefficients come from BiquadDesign.h; this file holds only filter state.
//
// Structure: Biquad is direct form I (fixed filters; shortest recursion). ParametricEq is
// transposed direct form II with double-precision state, one state per channel:
//   y = b0 x + s1;   s1 = (b1 x + s2) − a1 y;   s2 = b2 x − a2 y
// TDF-II keeps few state variables and behaves well when coefficients change between
// samples (J. O. Smith, "Introduction to Digital Filters", Transposed Direct Forms);
// double state avoids the noise/limit-cycle problems of float state at low fc/fs.
#include "dsp/BiquadDesign.h"
#include "dsp/Processor.h"
#include "dsp/SimdLanes.h"

#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace mm {

/// One biquad over every channel of a block, direct form I with double state:
///   y = (b0 x + b1 x1 + b2 x2 − a2 y2) − a1 y1
/// Only a multiply and a subtraction lie between one output and the next (TDF-II has a
/// multiply and three additions), and the filters here (high-pass, side-chain and width
/// filters) are latency-bound. Coefficient changes take effect at once, on the same
/// past inputs and outputs: no state to re-scale. In double, the form's rounding noise
/// is far below float resolution even for low cut-offs.
class Biquad final : public Processor {
public:
    /// Sets the coefficients, used from the next sample on; the state is kept. Not
    /// smoothed: for parameter changes on programme material use ParametricEq.
    void setCoeffs(const BiquadCoeffs& c) noexcept { coeffs_ = c; }
    const BiquadCoeffs& coeffs() const noexcept { return coeffs_; }

    void prepare(const ProcessSpec& spec) override;
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

    /// Zeroes state that has decayed below 1e-100, before it becomes denormal (slow on
    /// x86 without FTZ). process() calls it per block; callers of processSample() should
    /// call it once per block too (as chowdsp's IIRFilter::snapToZero).
    void snapToZero() noexcept;

    /// Filters one sample of `channel` (< spec.channels); for side-chain/detector paths.
    double processSample(int channel, double x) noexcept
    {
        auto& s = state_[static_cast<std::size_t>(channel)]; // x1, x2, y1, y2
        const double y = (((coeffs_.b0 * x + coeffs_.b1 * s[0]) + coeffs_.b2 * s[1]) - coeffs_.a2 * s[3]) - coeffs_.a1 * s[2];
        s = {x, s[0], y, s[2]};
        return y;
    }

    /// One channel stepped by a caller's loop, its state in registers from construction to
    /// end() (processSample() keeps it in memory, and the round trip through memory
    /// lengthens the recursion). The operations of processSample(): bit-identical to it.
    class Stepper {
    public:
        explicit Stepper(Biquad& f, int channel = 0) noexcept
            : s_(f.state_[static_cast<std::size_t>(channel)]), c_(f.coeffs_), x1_(s_[0]), x2_(s_[1]), y1_(s_[2]), y2_(s_[3])
        {
        }
        double step(double x) noexcept
        {
            const double y = (((c_.b0 * x + c_.b1 * x1_) + c_.b2 * x2_) - c_.a2 * y2_) - c_.a1 * y1_;
            x2_ = x1_, x1_ = x;
            y2_ = y1_, y1_ = y;
            return y;
        }
        void end() noexcept { s_ = {x1_, x2_, y1_, y2_}; }

    private:
        std::array<double, 4>& s_;
        BiquadCoeffs c_;
        double x1_, x2_, y1_, y2_;
    };

    /// Two recursions stepped together, one SIMD lane each, for a caller that runs them
    /// inside a loop of its own (interleaved with other work): the constructor loads the
    /// state into registers, step() filters one frame, end() stores the state back. Lanes
    /// 0 and 1 are channels 0 and 1 of one filter (spec.channels ≥ 2), or channel 0 of
    /// two filters with coefficients of their own. Each lane sees processSample()'s
    /// operations in the same order: bit-identical to it.
    class StereoStepper {
    public:
        explicit StereoStepper(Biquad& f) noexcept : StereoStepper(f.coeffs_, f.state_[0], f.coeffs_, f.state_[1]) {}
        StereoStepper(Biquad& lane0, Biquad& lane1) noexcept
            : StereoStepper(lane0.coeffs_, lane0.state_[0], lane1.coeffs_, lane1.state_[0])
        {
        }
        Double2 step(Double2 x) noexcept
        {
            const Double2 y = (((b0_ * x + b1_ * x1_) + b2_ * x2_) - a2_ * y2_) - a1_ * y1_;
            x2_ = x1_, x1_ = x;
            y2_ = y1_, y1_ = y;
            return y;
        }
        void end() noexcept
        {
            s0_ = {x1_[0], x2_[0], y1_[0], y2_[0]};
            s1_ = {x1_[1], x2_[1], y1_[1], y2_[1]};
        }

    private:
        StereoStepper(const BiquadCoeffs& c0, std::array<double, 4>& s0, const BiquadCoeffs& c1, std::array<double, 4>& s1) noexcept
            : s0_(s0), s1_(s1), b0_{c0.b0, c1.b0}, b1_{c0.b1, c1.b1}, b2_{c0.b2, c1.b2}, a1_{c0.a1, c1.a1}, a2_{c0.a2, c1.a2},
              x1_{s0[0], s1[0]}, x2_{s0[1], s1[1]}, y1_{s0[2], s1[2]}, y2_{s0[3], s1[3]}
        {
        }
        std::array<double, 4>& s0_;
        std::array<double, 4>& s1_;
        Double2 b0_, b1_, b2_, a1_, a2_;
        Double2 x1_, x2_, y1_, y2_;
    };

    /// Filters channels 0 and 1 (spec.channels ≥ 2) at once, one SIMD lane each, calling
    /// `sink(i, y)` with frame i's pair; the state stays in registers for the run.
    /// Bit-identical to processSample().
    template <class Sink>
    void processStereoSamples(const float* left, const float* right, std::size_t n, Sink&& sink) noexcept
    {
        StereoStepper f(*this);
        for (std::size_t i = 0; i < n; ++i)
            sink(i, f.step(Double2{static_cast<double>(left[i]), static_cast<double>(right[i])}));
        f.end();
    }

private:
    BiquadCoeffs coeffs_;
    std::vector<std::array<double, 4>> state_; // per channel: x1, x2, y1, y2
};

/// One band of a parametric EQ. `q` is the shelf slope S for shelves.
struct EqBand {
    FilterType type = FilterType::Peak;
    double freq = 1000.0;
    double q = 0.7071;
    double gainDb = 0.0;
    bool enabled = false;
};

/// Up to kMaxBands biquads in series (a parametric EQ / filter chain).
///
/// Parameter changes are smoothed, never applied as a step: every kSubBlock samples the
/// band's frequency (log domain), Q (log domain) and gain (dB) move toward their targets
/// with a one-pole of time constant kSmoothingMs, and the coefficients are redesigned.
/// Enabling/disabling a band crossfades it (y = x + wet (H x - x), wet ramped 0..1 by
/// the same one-pole); a change of filter type fades the band out, switches, fades in.
class ParametricEq final : public Processor {
public:
    static constexpr std::size_t kMaxBands = 8;
    static constexpr std::size_t kSubBlock = 32;
    static constexpr double kSmoothingMs = 5.0; // ~99 % of a change within 25 ms

    /// Sets the target bands (extra bands beyond kMaxBands are ignored; missing ones are
    /// disabled). Call between blocks. The first call after prepare()/reset() jumps.
    void setBands(std::span<const EqBand> bands) noexcept;
    std::span<const EqBand> bands() const noexcept { return {targets_.data(), targets_.size()}; }

    /// Analytic response in dB of the target bands (enabled ones) at `freq`.
    double targetMagnitudeDb(double freq) const noexcept;

    void prepare(const ProcessSpec& spec) override;
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;
    /// `pre`.process(block) then process(block), bit for bit, but for stereo blocks in one
    /// loop: the pre-filter's recursion (a stem's high-pass) overlaps the bands' instead
    /// of running as a latency-bound loop of its own. `pre` is prepared for the block's
    /// channels and snapped to zero afterwards, as its own process() does.
    void process(AudioBuffer& block, Biquad& pre) noexcept;

private:
    struct Live {
        FilterType type = FilterType::Peak;
        double logFreq = 0.0, logQ = 0.0, gainDb = 0.0, wet = 0.0;
        BiquadCoeffs coeffs;
    };
    void snapToTargets() noexcept;
    void advanceSmoothing() noexcept;
    void redesign(Live& live) const noexcept;
    void updateTargetLogs() noexcept;

    void processStereo(float* left, float* right, std::size_t start, std::size_t end, Biquad* pre) noexcept;
    void processBlock(AudioBuffer& block, Biquad* pre) noexcept;

    std::array<EqBand, kMaxBands> targets_{};
    std::array<std::array<double, 2>, kMaxBands> targetLogs_{}; ///< log(freq), log(q) of targets_
    std::array<Live, kMaxBands> live_{};
    std::vector<std::array<double, 2>> state_; // [band * channels + channel]
    double sampleRate_ = 48000.0;
    double smoothCoef_ = 0.0;
    int channels_ = 0;
    bool jumpNext_ = true;
};

} // namespace mm
