#pragma once
// Two doubles in one SSE2 register (GCC vector extensions; baseline x86-64, no -march):
// the stereo fast paths run the left channel in lane 0 and the right in lane 1, and the
// gain computers two frames at once. Every operation acts on each lane as the scalar
// operation would, so code that keeps the scalar form's order of operations gives
// bit-identical results (tests/dsp/FastPathTest.cpp).
#include <cstdint>

namespace mm {

typedef double Double2 __attribute__((vector_size(16)));
typedef std::uint64_t UInt2 __attribute__((vector_size(16)));

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
    s0 = k.b1 * x - k.a1 * y + s1;
    s1 = k.b2 * x - k.a2 * y;
    return y;
}

} // namespace mm
