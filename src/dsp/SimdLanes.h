#pragma once
// Two doubles in one SSE2 register (GCC vector extensions; baseline x86-64, no -march):
// the stereo fast paths run the left channel in lane 0 and the right in lane 1, and the
// gain computers two frames at once. Every operation acts on each lane as the scalar
// operation would, so code that keeps the scalar form's order of operations gives
// bit-identical results (tests/dsp/FastPathTest.cpp).
#include <cstddef>
#include <cstdint>

namespace mm {

typedef double Double2 __attribute__((vector_size(16)));
typedef float Float4 __attribute__((vector_size(16)));
typedef std::uint32_t UInt4 __attribute__((vector_size(16)));

/// |v| per lane (clears the sign bits).
inline Float4 abs4(Float4 v) noexcept
{
    UInt4 bits;
    __builtin_memcpy(&bits, &v, sizeof bits);
    bits &= 0x7fffffffu;
    __builtin_memcpy(&v, &bits, sizeof v);
    return v;
}

/// The larger of a and b per lane (b where either is NaN).
inline Float4 max4(Float4 a, Float4 b) noexcept { return a > b ? a : b; }

/// max |x[i]| over i < n (0 for n = 0), four lanes at a time: a maximum does not depend on
/// the order it is taken in, so this is the sequential loop's result, without its
/// one-compare-per-sample dependency chain.
inline float peakAbs(const float* x, std::size_t n) noexcept
{
    Float4 m0{}, m1{};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        Float4 a, b;
        __builtin_memcpy(&a, x + i, sizeof a);
        __builtin_memcpy(&b, x + i + 4, sizeof b);
        m0 = max4(m0, abs4(a));
        m1 = max4(m1, abs4(b));
    }
    const Float4 m = max4(m0, m1);
    float peak = m[0] > m[1] ? m[0] : m[1];
    peak = peak > m[2] ? peak : m[2];
    peak = peak > m[3] ? peak : m[3];
    for (; i < n; ++i) {
        const float a = x[i] < 0.0f ? -x[i] : x[i];
        peak = peak > a ? peak : a;
    }
    return peak;
}

/// Σ x[i]² over i < n in double, in four partial sums (lanes of two vectors) added in a
/// fixed order: the result does not depend on the caller, and the sums are not one
/// latency-bound chain.
inline double sumSquares(const float* x, std::size_t n) noexcept
{
    Double2 a{}, b{};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const Double2 u{x[i], x[i + 1]}, v{x[i + 2], x[i + 3]};
        a += u * u;
        b += v * v;
    }
    const Double2 s = a + b;
    double sum = s[0] + s[1];
    for (; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    return sum;
}

/// One biquad's coefficients in both lanes.
struct BiquadLanes {
    Double2 b0, b1, b2, a1, a2;
    BiquadLanes() = default;
    BiquadLanes(double cb0, double cb1, double cb2, double ca1, double ca2) noexcept
        : b0{cb0, cb0}, b1{cb1, cb1}, b2{cb2, cb2}, a1{ca1, ca1}, a2{ca2, ca2}
    {
    }
};

/// One transposed-direct-form-II step in both lanes, as the scalar form
/// y = b0 x + s0;  s0 = b1 x − a1 y + s1;  s1 = b2 x − a2 y.
inline Double2 tdf2(const BiquadLanes& k, Double2& s0, Double2& s1, Double2 x) noexcept
{
    const Double2 y = k.b0 * x + s0;
    s0 = (k.b1 * x + s1) - k.a1 * y;
    s1 = k.b2 * x - k.a2 * y;
    return y;
}

} // namespace mm
