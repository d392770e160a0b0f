// fast::log2 / fast::exp2 against libm over the ranges the gain computers use.
#include "dsp/FastMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

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

namespace {

TEST(FastMath, TwoLaneFormsAreBitIdenticalToTheScalarOnes)
{
    // The compressor's gain computer runs two frames per step through the Double2 forms:
    // each lane must give exactly the scalar result, over the whole range, the mantissa
    // fold at √2, exact powers of two and the clamps.
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<double> exponent(-70.0, 10.0);
    std::uniform_real_distribution<double> y(-1100.0, 1100.0);
    std::vector<double> xs{1.0, 0.5, 2.0, std::sqrt(2.0), std::nextafter(std::sqrt(2.0), 3.0), 1e-20, 3.0e9};
    std::vector<double> ys{0.0, -0.5, 0.5, 1020.0, -1020.0, 5000.0, -5000.0, 1e-300, -3.0103};
    for (int i = 0; i < 100000; ++i) {
        xs.push_back(std::pow(10.0, exponent(rng)));
        ys.push_back(i % 2 ? y(rng) : y(rng) / 100.0);
    }
    for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
        const mm::Double2 l = mm::fast::log2(mm::Double2{xs[i], xs[i + 1]});
        ASSERT_EQ(l[0], mm::fast::log2(xs[i])) << xs[i];
        ASSERT_EQ(l[1], mm::fast::log2(xs[i + 1])) << xs[i + 1];
    }
    for (std::size_t i = 0; i + 1 < ys.size(); ++i) {
        const mm::Double2 e = mm::fast::exp2(mm::Double2{ys[i], ys[i + 1]});
        ASSERT_EQ(e[0], mm::fast::exp2(ys[i])) << ys[i];
        ASSERT_EQ(e[1], mm::fast::exp2(ys[i + 1])) << ys[i + 1];
    }
}

} // namespace
