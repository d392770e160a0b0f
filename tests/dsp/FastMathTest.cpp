// fast::log2 / fast::exp2 against libm over the ranges the gain computers use.
#include "dsp/FastMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

TEST(FastMath, Log2MatchesLibmWithin1e11Relative)
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> exponent(-70.0, 10.0); // 1e-70 … 1e10
    double worst = 0.0;
    for (int i = 0; i < 200000; ++i) {
        const double x = std::pow(10.0, exponent(rng));
        const double ref = std::log2(x);
        worst = std::max(worst, std::fabs(mm::fast::log2(x) - ref) / std::max(1.0, std::fabs(ref)));
    }
    EXPECT_LT(worst, 1e-11);
    EXPECT_DOUBLE_EQ(mm::fast::log2(1.0), 0.0);
    EXPECT_NEAR(mm::fast::log2(0.5), -1.0, 1e-15);
    EXPECT_NEAR(mm::fast::powerToDb(1e-20), -200.0, 1e-9);
}

TEST(FastMath, Exp2MatchesLibmWithin1e13Relative)
{
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> y(-60.0, 60.0);
    double worst = 0.0;
    for (int i = 0; i < 200000; ++i) {
        const double v = y(rng);
        worst = std::max(worst, std::fabs(mm::fast::exp2(v) / std::exp2(v) - 1.0));
    }
    EXPECT_LT(worst, 1e-13);
    EXPECT_DOUBLE_EQ(mm::fast::exp2(0.0), 1.0);
    EXPECT_NEAR(mm::fast::dbToGain(-6.0205999132796239), 0.5, 1e-14);
    EXPECT_NEAR(mm::fast::dbToGain(20.0), 10.0, 1e-12);
    EXPECT_GT(mm::fast::exp2(-5000.0), 0.0); // clamped, not a denormal trap or NaN
}

} // namespace
