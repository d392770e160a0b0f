#pragma once
// Logarithm and exponential for per-sample gain computers (compressors, meters), where
// libm's exact log/exp cost more than the rest of the processor together.
//
// fastLog2: x = 2^e · m with m in [√½, √2); log2(m) = 2/ln2 · atanh(t), t = (m−1)/(m+1),
// |t| ≤ 0.1716, from the odd series up to t^13: absolute error < 1e-12 (≈ 3e-12 dB).
// fastExp2: y = n + f with n = round(y), |f| ≤ ½; 2^f from its Taylor series to f^11:
// relative error < 4e-14. Both are branch-free apart from the range guards, exact enough
// that a compressor using them is bit-identical in float output to one using libm on
// all but a few samples per million (a 1-ulp difference).
#include "dsp/SimdLanes.h"

#include <bit>
#include <cmath>
#include <cstdint>

namespace mm::fast {

/// log2(x) for finite x > 0 (normal numbers; callers clamp to a floor such as 1e-20).
inline double log2(double x) noexcept
{
    constexpr double kSqrtHalf = 0.70710678118654752440;
    auto bits = std::bit_cast<std::uint64_t>(x);
    auto e = static_cast<std::int64_t>((bits >> 52) & 0x7ff) - 1023;
    double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL); // [1, 2)
    if (m > 2.0 * kSqrtHalf) { // into [√½, √2)
        m *= 0.5;
        ++e;
    }
    const double t = (m - 1.0) / (m + 1.0);
    const double t2 = t * t;
    // 2·atanh(t) = 2(t + t³/3 + t⁵/5 + … + t¹³/13)
    const double p = 1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0 + t2 * (1.0 / 11.0 + t2 * (1.0 / 13.0))))));
    constexpr double kTwoOverLn2 = 2.8853900817779268147; // 2 / ln 2
    return static_cast<double>(e) + kTwoOverLn2 * t * p;
}

/// 2^y for y in about [−1020, 1020]; values outside are clamped to that range.
inline double exp2(double y) noexcept
{
    y = y < -1020.0 ? -1020.0 : (y > 1020.0 ? 1020.0 : y);
    // Round to nearest (ties to even), as nearbyint in the default rounding mode: adding
    // and removing 1.5·2^52 leaves no fraction bits (|y| ≤ 1020 ≪ 2^51). Inline and
    // vectorisable, where nearbyint is a libm call on baseline x86-64 (no SSE4.1).
    constexpr double kRound = 6755399441055744.0; // 1.5 · 2^52
    const double n = (y + kRound) - kRound;
    const double f = (y - n) * 0.69314718055994530942; // in ln units, |f| ≤ ln2/2
    // e^f, Taylor to f^11 (|f| ≤ 0.3466: remainder < 4e-14)
    const double p =
        1.0 + f * (1.0 + f * (1.0 / 2.0 + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0 + f * (1.0 / 5040.0 + f * (1.0 / 40320.0 + f * (1.0 / 362880.0 + f * (1.0 / 3628800.0 + f * (1.0 / 39916800.0)))))))))));
    const auto scale = std::bit_cast<double>(static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + 1023) << 52);
    return p * scale;
}

/// Two values per call, one per SIMD lane (SSE2): the same operations as log2/exp2 above
/// in the same order, so each lane is bit-identical to the scalar function (FastMathTest).
/// The integer ↔ double steps use exact magic-number conversions (baseline x86-64 has no
/// packed int64 ↔ double instruction).

inline Double2 log2(Double2 x) noexcept
{
    constexpr double kSqrtHalf = 0.70710678118654752440;
    constexpr double kTwo52 = 4503599627370496.0; // 2^52: its bits | k hold k exactly
    const UInt2 bits = std::bit_cast<UInt2>(x);
    const UInt2 field = ((bits >> 52) & 0x7ff) | 0x4330000000000000ULL;
    Double2 e = (std::bit_cast<Double2>(field) - kTwo52) - 1023.0; // exact, as the int64 path
    const UInt2 mantissa = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    Double2 m = std::bit_cast<Double2>(mantissa); // [1, 2)
    const auto big = m > 2.0 * kSqrtHalf; // into [√½, √2)
    m = big ? m * 0.5 : m;
    e = big ? e + 1.0 : e;
    const Double2 t = (m - 1.0) / (m + 1.0);
    const Double2 t2 = t * t;
    const Double2 p = 1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0 + t2 * (1.0 / 11.0 + t2 * (1.0 / 13.0))))));
    constexpr double kTwoOverLn2 = 2.8853900817779268147;
    return e + kTwoOverLn2 * t * p;
}

inline Double2 exp2(Double2 y) noexcept
{
    y = y < -1020.0 ? Double2{-1020.0, -1020.0} : (y > 1020.0 ? Double2{1020.0, 1020.0} : y);
    constexpr double kRound = 6755399441055744.0; // 1.5 · 2^52
    const Double2 n = (y + kRound) - kRound;
    const Double2 f = (y - n) * 0.69314718055994530942;
    const Double2 p =
        1.0 + f * (1.0 + f * (1.0 / 2.0 + f * (1.0 / 6.0 + f * (1.0 / 24.0 + f * (1.0 / 120.0 + f * (1.0 / 720.0 + f * (1.0 / 5040.0 + f * (1.0 / 40320.0 + f * (1.0 / 362880.0 + f * (1.0 / 3628800.0 + f * (1.0 / 39916800.0)))))))))));
    // n + 1023 is an integer in [3, 2043]: added to 2^52 it sits in the low bits, and
    // shifting those to the exponent field gives 2^n exactly.
    const Double2 biased = (n + 1023.0) + 4503599627370496.0;
    const UInt2 scaleBits = std::bit_cast<UInt2>(biased) << 52;
    return p * std::bit_cast<Double2>(scaleBits);
}

/// 10·log10(power): the level in dB of a mean-square or squared value.
inline double powerToDb(double power) noexcept { return 3.0102999566398119521 * log2(power); }

/// 10^(db/20): the linear gain of a level in dB.
inline double dbToGain(double db) noexcept { return exp2(db * 0.16609640474436811739); } // log2(10)/20
/// powerToDb and dbToGain for two values (SIMD lanes), bit-identical per lane.
inline Double2 powerToDb(Double2 power) noexcept { return 3.0102999566398119521 * log2(power); }
inline Double2 dbToGain(Double2 db) noexcept { return exp2(db * 0.16609640474436811739); }

} // namespace mm::fast
