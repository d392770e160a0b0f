#pragma once
// 4th-order Linkwitz–Riley crossover (24 dB/oct) and a multiband splitter whose bands
// sum to an allpass, i.e. flat magnitude.
//
// LR4 = two cascaded 2nd-order Butterworth sections (Q = 1/√2) per side
// (Linkwitz, "Active crossover networks for noncoincident drivers", JAES 1976):
//   H_lp(s) = 1 / (s² + √2 s + 1)²,  H_hp(s) = s⁴ / (s² + √2 s + 1)²  (s = jω/ωc),
//   H_lp + H_hp = (s² − √2 s + 1) / (s² + √2 s + 1)  — a 2nd-order allpass,
// so each band is −6.02 dB at fc and the two sum flat. The digital sections are the
// bilinear transforms with pre-warping (RBJ Audio EQ Cookbook), which keep that identity.
// Sections are transposed direct form II with double state (low corner frequencies).
#include "dsp/Processor.h"

#include <array>
#include <span>
#include <vector>

namespace mm {

/// One biquad's coefficients (a0 normalised to 1).
struct SosCoefficients {
    double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
};

/// 2nd-order Butterworth low-pass, high-pass and the matching allpass at `hz`.
SosCoefficients designButterworthLowPass(double hz, double sampleRate);
SosCoefficients designButterworthHighPass(double hz, double sampleRate);
SosCoefficients designButterworthAllpass(double hz, double sampleRate);

/// Two-band LR4 split of a planar block.
class LinkwitzRiley {
public:
    LinkwitzRiley() = default;
    LinkwitzRiley(const LinkwitzRiley&) = delete;
    LinkwitzRiley& operator=(const LinkwitzRiley&) = delete;

    /// Sets the crossover frequency (computes coefficients; safe between blocks).
    void setCrossover(double hz, double sampleRate) noexcept;
    double crossover() const noexcept { return hz_; }
    /// Allocates state for spec.channels and sets the frequency.
    void prepare(const ProcessSpec& spec, double hz);
    void reset() noexcept;
    /// low = LR4 low-pass(in), high = LR4 high-pass(in); buffers may not alias.
    void split(AudioBuffer& low, AudioBuffer& high, const AudioBuffer& in) noexcept;

private:
    std::array<SosCoefficients, 2> coef_{}; // low, high
    std::vector<double> state_;            // channel × (low 2 sections, high 2 sections) × 2
    double hz_ = 1000.0;
    int channels_ = 0;
};

/// The allpass H_lp + H_hp of an LR4 crossover, applied in place: puts a band through
/// the same phase as the bands split at `hz` so that the sum stays flat.
class LinkwitzRileyAllpass {
public:
    LinkwitzRileyAllpass() = default;
    LinkwitzRileyAllpass(const LinkwitzRileyAllpass&) = delete;
    LinkwitzRileyAllpass& operator=(const LinkwitzRileyAllpass&) = delete;

    void prepare(const ProcessSpec& spec, double hz);
    void reset() noexcept;
    void process(AudioBuffer& block) noexcept;
    bool stereo() const noexcept { return channels_ == 2; }
    /// A three-crossover splitter's compensation in one loop: ap01 then ap02 on band0,
    /// ap12 on band1 (all prepared for stereo, ap02 and ap12 at one frequency, the bands of
    /// one length). Bit-identical to ap01.process(band0), ap02.process(band0),
    /// ap12.process(band1), but the three recursions overlap.
    static void processChain3(LinkwitzRileyAllpass& ap01, LinkwitzRileyAllpass& ap02, AudioBuffer& band0, LinkwitzRileyAllpass& ap12,
                              AudioBuffer& band1) noexcept;

private:
    SosCoefficients coef_{};
    std::vector<double> state_; // channel × 2
    int channels_ = 0;
};

/// Splits a block into 2–4 bands with a tree of LR4 crossovers plus allpass
/// compensation of the lower bands, so Σ bands = Π allpass(fk) · input (flat magnitude).
class MultibandSplitter {
public:
    static constexpr int kMaxCrossovers = 3;

    MultibandSplitter() = default;
    MultibandSplitter(const MultibandSplitter&) = delete;
    MultibandSplitter& operator=(const MultibandSplitter&) = delete;

    /// `crossoversHz`: 1–3 ascending frequencies; allocates band buffers of spec.maxBlock.
    void prepare(const ProcessSpec& spec, std::span<const double> crossoversHz);
    void reset() noexcept;
    /// Splits `in` (≤ maxBlock frames) into bands, lowest first; read them with band().
    void split(const AudioBuffer& in) noexcept;

    int bands() const noexcept { return static_cast<int>(bands_.size()); }
    const AudioBuffer& band(int i) const noexcept { return bands_[static_cast<std::size_t>(i)]; }
    AudioBuffer& band(int i) noexcept { return bands_[static_cast<std::size_t>(i)]; }

private:
    std::array<LinkwitzRiley, kMaxCrossovers> splits_;
    // allpass_[b][k]: band b's compensation for crossover k (k > b).
    std::array<std::array<LinkwitzRileyAllpass, kMaxCrossovers>, kMaxCrossovers> allpass_;
    std::vector<AudioBuffer> bands_;
    AudioBuffer restA_, restB_;
    int crossovers_ = 0;
};

} // namespace mm
