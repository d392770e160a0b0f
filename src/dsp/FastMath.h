#pragma once
// Logarithm and exponential for per-sample gain computers (compressors), where libm's
// exact log/exp cost more than the rest of the processor together. Four values per call
// in single precision (SSE, baseline x86-64), for gain computers whose result is a float
// gain: a level error of 1e-6 dB is a gain error of 1e-7, below float resolution.
//
// log2: x = 2^e · m with m in [√½, √2); log2(m) = 2/ln2 · atanh(t), t = (m−1)/(m+1),
// |t| ≤ 0.1716, from the odd series up to t^7: truncation error < 5e-8, so the result is
// within a few float ulps of the exact value (FastMathTest).
// exp2: y = n + f with n = round(y), |f| ≤ ½; 2^f = e^(f·ln2) from its Taylor series to
// the 7th power: truncation error < 1e-8 relative. Branch-free apart from the clamps.
#include "dsp/SimdLanes.h"

namespace mm::fast {

/// log2(x) per lane for finite x > 0 (normal numbers; callers clamp to a floor such as 1e-20).
inline Float4 log2(Float4 x) noexcept
{
    constexpr float kSqrtHalf = 0.70710678118654752440f;
    constexpr float kTwo23 = 8388608.0f; // 2^23: its bits | k hold k exactly (k < 2^23)
    UInt4 bits;
    __builtin_memcpy(&bits, &x, sizeof bits);
    UInt4 field = ((bits >> 23) & 0xffu) | 0x4b000000u;
    Float4 e;
    __builtin_memcpy(&e, &field, sizeof e);
    e = (e - kTwo23) - 127.0f; // exact
    const UInt4 mantissa = (bits & 0x007fffffu) | 0x3f800000u;
    Float4 m;
    __builtin_memcpy(&m, &mantissa, sizeof m); // [1, 2)
    const auto big = m > 2.0f * kSqrtHalf;    // into [√½, √2)
    m = big ? m * 0.5f : m;
    e = big ? e + 1.0f : e;
    const Float4 t = (m - 1.0f) / (m + 1.0f);
    const Float4 t2 = t * t;
    const Float4 p = 1.0f + t2 * (1.0f / 3.0f + t2 * (1.0f / 5.0f + t2 * (1.0f / 7.0f)));
    constexpr float kTwoOverLn2 = 2.8853900817779268147f;
    return e + kTwoOverLn2 * t * p;
}

/// 2^y per lane; y is clamped to [−126, 126] (normal results).
inline Float4 exp2(Float4 y) noexcept
{
    y = y < -126.0f ? Float4{} - 126.0f : (y > 126.0f ? Float4{} + 126.0f : y);
    constexpr float kRound = 12582912.0f; // 1.5 · 2^23: round to nearest, |y| ≤ 126 ≪ 2^22
    const Float4 n = (y + kRound) - kRound;
    const Float4 f = (y - n) * 0.69314718055994530942f; // |f| ≤ ln2/2
    const Float4 p =
        1.0f + f * (1.0f + f * (1.0f / 2.0f + f * (1.0f / 6.0f + f * (1.0f / 24.0f + f * (1.0f / 120.0f + f * (1.0f / 720.0f + f * (1.0f / 5040.0f)))))));
    // n + 127 is an integer in [1, 253]: added to 2^23 it sits in the low bits, and
    // shifting those to the exponent field gives 2^n exactly.
    const Float4 biased = (n + 127.0f) + 8388608.0f;
    UInt4 scaleBits;
    __builtin_memcpy(&scaleBits, &biased, sizeof scaleBits);
    scaleBits <<= 23;
    Float4 scale;
    __builtin_memcpy(&scale, &scaleBits, sizeof scale);
    return p * scale;
}

/// 10·log10(power): the level in dB of a mean-square or squared value.
inline Float4 powerToDb(Float4 power) noexcept { return 3.0102999566398119521f * log2(power); }
/// 10^(db/20): the linear gain of a level in dB.
inline Float4 dbToGain(Float4 db) noexcept { return exp2(db * 0.16609640474436811739f); } // log2(10)/20

} // namespace mm::fast
