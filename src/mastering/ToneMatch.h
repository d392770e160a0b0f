#pragma once
// Spectral tone matching: a gentle, smoothed EQ curve that moves the mix's long-term
// third-octave spectrum towards a target shape (a preset's target curve or a reference
// track's spectrum), applied as one linear-phase FIR.
//
// Curve (computeToneMatchCurve), per ISO 266 third-octave band b:
//   d_b = target_b − mix_b, only where the mix has energy (mix_b > kMinMixDb); else 0.
//   Shape, not level: subtract the mean of d over 100 Hz … 10 kHz (loudness is set later
//   by the limiter stage, so a level offset here would only change the headroom).
//   Smooth across neighbours with [1/4, 1/2, 1/4] (one band either side): a third of an
//   octave is narrower than the ear's tolerance for broad tonal balance, and a single
//   band's deviation is more often a note of the song than a tonal fault.
//   Taper to 0 at the band edges of hearing / of typical programme spectra (full weight
//   31.5 Hz … 12.5 kHz, half at 25 Hz and 16 kHz, none at 20 Hz and 20 kHz): those bands
//   hold little energy, are unreliable in a 4096-point Welch estimate (20 Hz) or are
//   where codecs and the reference's own low-pass differ (> 16 kHz).
//   Clamp to ±maxBandDb (DESIGN.md guardrail: EQ ±4 dB per band), scale by amount.
//
// Why linear phase: a minimum-phase EQ of the whole mix shifts phase around every bend
// of the curve, smearing transients and moving the relative timing of instruments in
// different bands; a symmetric FIR changes the magnitude only (constant group delay).
// Its cost, latency (kTaps − 1) / 2 ≈ 43 ms, does not matter offline: the chain drops
// that many leading output samples and flushes the tail, so the master stays sample-
// aligned with the mix. Pre-ringing of a linear-phase filter grows with the curve's
// steepness; the ±4 dB clamp and the smoothing keep the curve broad, so it stays below
// audibility (the FIR's own smoothing is ≈ 50 Hz, FirDesign.h).
#include "dsp/FirConvolver.h"
#include "dsp/Processor.h"
#include "mastering/MasteringSettings.h"

#include <span>
#include <vector>

namespace mm {

/// Bands where the mix is below this level (third-octave mean square, dB) get no correction.
inline constexpr double kToneMatchMinMixDb = -90.0;

/// Correction in dB at thirdOctaveCentres() that moves `mixDb` towards settings.targetDb.
/// All zeros when amount ≤ 0 or the target is empty / of the wrong size.
std::vector<double> computeToneMatchCurve(std::span<const double> mixDb, const ToneMatchSettings& settings);

/// RMS difference (dB) of two third-octave spectra over [loHz, hiHz] after removing their
/// mean difference: the "tonal distance" the tone match reduces.
double thirdOctaveDistanceDb(std::span<const double> aDb, std::span<const double> bDb, double loHz = 50.0,
                             double hiHz = 12000.0);

class ToneMatch final : public Processor {
public:
    /// 4097 taps, FirDesign.h's choice for 44.1/48 kHz (≈ 11.7 Hz bins at 48 kHz). The
    /// 20–25 Hz bands are narrower than that resolution: one more reason for the taper.
    static constexpr std::size_t kTaps = 4097;

    /// Sets the correction (dB at thirdOctaveCentres()); call before prepare(), which
    /// designs the filter for the sample rate. An all-zero curve bypasses (latency 0).
    void setCurve(std::span<const double> correctionDb);
    const std::vector<double>& curveDb() const noexcept { return curve_; }

    void prepare(const ProcessSpec& spec) override;
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

    /// Delay of the output behind the input, samples (0 when bypassed).
    int latency() const noexcept { return active_ ? fir_.latency() : 0; }
    bool active() const noexcept { return active_; }

private:
    std::vector<double> curve_;
    FirConvolver fir_;
    bool active_ = false;
};

} // namespace mm
