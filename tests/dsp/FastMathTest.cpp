// fast::log2 / fast::exp2 (four lanes, single precision) against libm over the ranges the
// compressors' gain computers use: powers from 1e-20 to 1e4, levels from −60 to +60 dB.
#include "dsp/FastMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

float lane(mm::Float4 v, int i) { return v[i]; }

TEST(FastMath, Log2WithinAFewFloatUlps)
{
    // Float rounding of a result near 66 is 3.8e-6: allow 1e-7 of |log2 x| (≈ 2 ulps) or
    // 2e-7 absolute near zero.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> exponent(-20.0, 4.0);
    double worst = 0.0;
    for (int i = 0; i < 50000; ++i) {
        mm::Float4 x;
        for (int k = 0; k < 4; ++k)
            x[k] = static_cast<float>(std::pow(10.0, exponent(rng)));
        const mm::Float4 y = mm::fast::log2(x);
        for (int k = 0; k < 4; ++k) {
            const double ref = std::log2(static_cast<double>(x[k]));
            worst = std::max(worst, std::fabs(static_cast<double>(lane(y, k)) - ref) / std::max(2.0, std::fabs(ref)));
        }
    }
    EXPECT_LT(worst, 1e-7);
    const mm::Float4 exact = mm::fast::log2(mm::Float4{1.0f, 0.5f, 2.0f, 1024.0f});
    EXPECT_EQ(lane(exact, 0), 0.0f);
    EXPECT_EQ(lane(exact, 1), -1.0f);
    EXPECT_EQ(lane(exact, 2), 1.0f);
    EXPECT_EQ(lane(exact, 3), 10.0f);
    EXPECT_NEAR(lane(mm::fast::powerToDb(mm::Float4{} + 1e-20f), 0), -200.0, 1e-4);
    EXPECT_NEAR(lane(mm::fast::powerToDb(mm::Float4{} + 0.5f), 0), -3.0103, 1e-5);
}

TEST(FastMath, Exp2WithinAFewFloatUlps)
{
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<float> y(-20.0f, 20.0f); // ±120 dB of gain
    double worst = 0.0;
    for (int i = 0; i < 50000; ++i) {
        mm::Float4 v;
        for (int k = 0; k < 4; ++k)
            v[k] = y(rng);
        const mm::Float4 e = mm::fast::exp2(v);
        for (int k = 0; k < 4; ++k)
            worst = std::max(worst, std::fabs(static_cast<double>(lane(e, k)) / std::exp2(static_cast<double>(v[k])) - 1.0));
    }
    EXPECT_LT(worst, 3e-7); // float epsilon is 1.2e-7
    const mm::Float4 exact = mm::fast::exp2(mm::Float4{0.0f, 1.0f, -3.0f, 10.0f});
    EXPECT_EQ(lane(exact, 0), 1.0f);
    EXPECT_EQ(lane(exact, 1), 2.0f);
    EXPECT_EQ(lane(exact, 2), 0.125f);
    EXPECT_EQ(lane(exact, 3), 1024.0f);
    const mm::Float4 gains = mm::fast::dbToGain(mm::Float4{-6.0205999f, 20.0f, 0.0f, -40.0f});
    EXPECT_NEAR(lane(gains, 0), 0.5, 1e-7);
    EXPECT_NEAR(lane(gains, 1), 10.0, 4e-6);
    EXPECT_NEAR(lane(gains, 3), 0.01, 3e-9);
    // Clamped at the ends of the normal range: no infinity, no denormal, no NaN.
    const mm::Float4 ends = mm::fast::exp2(mm::Float4{-5000.0f, 5000.0f, -126.0f, 126.0f});
    EXPECT_GT(lane(ends, 0), 0.0f);
    EXPECT_TRUE(std::isnormal(lane(ends, 0)));
    EXPECT_TRUE(std::isfinite(lane(ends, 1)));
    EXPECT_FLOAT_EQ(lane(ends, 2), std::ldexp(1.0f, -126));
    EXPECT_FLOAT_EQ(lane(ends, 3), std::ldexp(1.0f, 126));
}

} // namespace
