#pragma once
// Second-order (biquad) filter coefficient design, kept apart from filter state
// (see Biquad.h). Formulas: R. Bristow-Johnson, "Cookbook formulae for audio EQ
// biquad filter coefficients" (the RBJ Audio EQ Cookbook, W3C Audio EQ Cookbook note).
//
// Every design returns coefficients normalised by a0, for the transfer function
//
//            b0 + b1 z^-1 + b2 z^-2
//   H(z) = --------------------------
//             1 + a1 z^-1 + a2 z^-2
//
// With w0 = 2 pi fc / fs, alpha = sin(w0) / (2 Q), A = 10^(gainDb / 40):
//   low-pass   b = {(1-cos w0)/2, 1-cos w0, (1-cos w0)/2},  a = {1+alpha, -2 cos w0, 1-alpha}
//   high-pass  b = {(1+cos w0)/2, -(1+cos w0), (1+cos w0)/2}, a as low-pass
//   peak       b = {1+alpha A, -2 cos w0, 1-alpha A},        a = {1+alpha/A, -2 cos w0, 1-alpha/A}
//   shelves    alpha = sin(w0)/2 * sqrt((A + 1/A)(1/S - 1) + 2), S = shelf slope (1 = steepest
//              without overshoot); full b/a in BiquadDesign.cpp.
// fc is clamped to [1 Hz, 0.49 fs] and Q (or S) to at least 0.01 so every design is stable.

namespace mm {

/// The filter shapes a parametric band can take.
enum class FilterType { HighPass, LowPass, LowShelf, HighShelf, Peak };

/// Normalised biquad coefficients (a0 = 1); the default is a unity pass-through.
struct BiquadCoeffs {
    double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
};

/// 2nd-order high-pass, -3.01 dB at fc for q = 1/sqrt(2) (Butterworth).
BiquadCoeffs designHighPass(double fc, double q, double fs) noexcept;
/// 2nd-order low-pass, -3.01 dB at fc for q = 1/sqrt(2) (Butterworth).
BiquadCoeffs designLowPass(double fc, double q, double fs) noexcept;
/// Low shelf: gainDb below fc, 0 dB above, gainDb/2 at fc; slope S in (0, 1].
BiquadCoeffs designLowShelf(double fc, double slope, double gainDb, double fs) noexcept;
/// High shelf: gainDb above fc, 0 dB below, gainDb/2 at fc; slope S in (0, 1].
BiquadCoeffs designHighShelf(double fc, double slope, double gainDb, double fs) noexcept;
/// Peaking (bell) EQ: gainDb at fc, bandwidth set by q; 0 dB far from fc.
BiquadCoeffs designPeak(double fc, double q, double gainDb, double fs) noexcept;
/// 2nd-order all-pass: |H| = 1, phase -180 degrees at fc. RBJ: b = {1-alpha, -2 cos w0,
/// 1+alpha}, a = {1+alpha, -2 cos w0, 1-alpha}. With q = 1/sqrt(2) it equals the sum of
/// a 4th-order Linkwitz-Riley low-pass and high-pass at fc.
BiquadCoeffs designAllPass(double fc, double q, double fs) noexcept;
/// Dispatches on `type`; `qOrSlope` is Q for pass/peak filters and S for shelves; gainDb
/// is ignored by high/low-pass.
BiquadCoeffs design(FilterType type, double fc, double qOrSlope, double gainDb, double fs) noexcept;

/// Analytic magnitude |H(e^{j 2 pi freq / fs})| in dB.
double magnitudeDb(const BiquadCoeffs& c, double freq, double fs) noexcept;

} // namespace mm
