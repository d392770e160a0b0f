// Biquad design and filtering, tested by measurement: a sine through the filter, its
// steady-state level compared with the analytic response (RBJ cookbook formulas).
#include "dsp/Biquad.h"
#include "dsp/BiquadDesign.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

namespace mm {
namespace {

// Steady-state RMS of a sine of `freq` in x[from, to): least-squares fit of sin and cos
// at `freq` (exact for a pure sinusoid whatever the window length, unlike a plain RMS
// over a non-integer number of periods), RMS = amplitude / sqrt(2).
double sineRms(const float* x, std::size_t from, std::size_t to, double freq, double fs)
{
    double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
    const double w = 2.0 * std::numbers::pi * freq / fs;
    for (std::size_t i = from; i < to; ++i) {
        const double s = std::sin(w * static_cast<double>(i));
        const double c = std::cos(w * static_cast<double>(i));
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += x[i] * s;
        xc += x[i] * c;
    }
    const double det = ss * cc - sc * sc;
    const double a = (xs * cc - xc * sc) / det;
    const double b = (xc * ss - xs * sc) / det;
    return std::sqrt((a * a + b * b) / 2.0);
}

double toDb(double g) { return 20.0 * std::log10(std::max(g, 1e-30)); }

// Measured gain in dB of a processor at `freq`: 1 s sine at -6 dBFS, the first 0.5 s
// discarded for the filter's transient to decay (slowest pole here: < 20 ms).
template <class P>
double measureGainDb(P& proc, double freq, double fs)
{
    AudioBuffer in = test::sine(fs, 1, 1.0, freq, -6.0);
    AudioBuffer out = in;
    proc.reset();
    out.setFrames(out.frames());
    proc.process(out);
    const std::size_t from = in.frames() / 2;
    return toDb(sineRms(out.channel(0), from, out.frames(), freq, fs) / sineRms(in.channel(0), from, in.frames(), freq, fs));
}

struct DesignCase {
    const char* name;
    FilterType type;
    double fc, qOrSlope, gainDb;
};

const DesignCase kCases[] = {
    {"HighPass 100 Hz", FilterType::HighPass, 100.0, 0.7071, 0.0},
    {"HighPass 1 kHz Q2", FilterType::HighPass, 1000.0, 2.0, 0.0},
    {"LowPass 5 kHz", FilterType::LowPass, 5000.0, 0.7071, 0.0},
    {"LowShelf 200 Hz +6", FilterType::LowShelf, 200.0, 1.0, 6.0},
    {"HighShelf 4 kHz -6", FilterType::HighShelf, 4000.0, 1.0, -6.0},
    {"Peak 1 kHz +4 Q1.4", FilterType::Peak, 1000.0, 1.4, 4.0},
    {"Peak 300 Hz -9 Q4", FilterType::Peak, 300.0, 4.0, -9.0},
};

// Sine at f0, in the pass band and in the stop band (fc/8 and 8 fc, below 0.45 fs).
TEST(Biquad, MeasuredResponseMatchesAnalyticWithin0p1dB)
{
    double worst = 0.0;
    for (const double fs : {44100.0, 48000.0}) {
        Biquad bq;
        bq.prepare({fs, 1, 48000});
        for (const auto& k : kCases) {
            const BiquadCoeffs c = design(k.type, k.fc, k.qOrSlope, k.gainDb, fs);
            bq.setCoeffs(c);
            for (const double f : {k.fc / 8.0, k.fc / 2.0, k.fc, k.fc * 2.0, std::min(k.fc * 8.0, 0.45 * fs)}) {
                const double expected = magnitudeDb(c, f, fs);
                const double measured = measureGainDb(bq, f, fs);
                worst = std::max(worst, std::abs(measured - expected));
                EXPECT_NEAR(measured, expected, 0.1) << k.name << " fs=" << fs << " f=" << f;
            }
        }
    }
    std::printf("[ measure  ] biquad worst |measured - analytic| = %.2e dB\n", worst);
}

// Known values of the designs (cookbook definitions), 1e-3 dB unless stated.
TEST(BiquadDesign, KnownMagnitudes)
{
    for (const double fs : {44100.0, 48000.0}) {
        EXPECT_NEAR(magnitudeDb(designHighPass(100.0, 1.0 / std::sqrt(2.0), fs), 100.0, fs), -3.0103, 1e-3);
        EXPECT_NEAR(magnitudeDb(designLowPass(5000.0, 1.0 / std::sqrt(2.0), fs), 5000.0, fs), -3.0103, 1e-3);
        // Q sets the level at fc for pass filters: |H(fc)| = Q.
        EXPECT_NEAR(magnitudeDb(designHighPass(1000.0, 2.0, fs), 1000.0, fs), 20.0 * std::log10(2.0), 1e-3);
        EXPECT_NEAR(magnitudeDb(designPeak(1000.0, 1.4, 4.0, fs), 1000.0, fs), 4.0, 1e-3);
        EXPECT_NEAR(magnitudeDb(designPeak(300.0, 4.0, -9.0, fs), 300.0, fs), -9.0, 1e-3);
        EXPECT_NEAR(magnitudeDb(designLowShelf(200.0, 1.0, 6.0, fs), 200.0, fs), 3.0, 1e-3);
        EXPECT_NEAR(magnitudeDb(designHighShelf(4000.0, 1.0, -6.0, fs), 4000.0, fs), -3.0, 1e-3);
        // Far from the corner the shelf reaches its gain and the other side stays at 0 dB
        // (0.05 dB: the bilinear transform's residual at 1/20 and 5x the corner).
        EXPECT_NEAR(magnitudeDb(designLowShelf(200.0, 1.0, 6.0, fs), 10.0, fs), 6.0, 0.05);
        EXPECT_NEAR(magnitudeDb(designLowShelf(200.0, 1.0, 6.0, fs), 10000.0, fs), 0.0, 0.05);
        EXPECT_NEAR(magnitudeDb(designHighShelf(4000.0, 1.0, -6.0, fs), 20000.0, fs), -6.0, 0.05);
        EXPECT_NEAR(magnitudeDb(designHighShelf(4000.0, 1.0, -6.0, fs), 100.0, fs), 0.0, 0.05);
        // Butterworth pass filters follow the bilinear-transform image of the analog
        // prototype: |H|^2 = 1 / (1 + W^4), W = tan(pi f / fs) / tan(pi fc / fs) (LP), 1/W (HP).
        auto warped = [fs](double f, double fc) { return std::tan(std::numbers::pi * f / fs) / std::tan(std::numbers::pi * fc / fs); };
        for (const double f : {100.0, 3000.0, 10000.0, 20000.0}) {
            const double wl = warped(f, 1000.0);
            EXPECT_NEAR(magnitudeDb(designLowPass(1000.0, 1.0 / std::sqrt(2.0), fs), f, fs), -10.0 * std::log10(1.0 + std::pow(wl, 4)), 1e-3);
            EXPECT_NEAR(magnitudeDb(designHighPass(1000.0, 1.0 / std::sqrt(2.0), fs), f, fs), -10.0 * std::log10(1.0 + std::pow(1.0 / wl, 4)), 1e-3);
        }
    }
}

TEST(ParametricEq, SeriesResponseMatchesSumOfBands)
{
    const double fs = 48000.0;
    ParametricEq eq;
    eq.prepare({fs, 2, 4096});
    const EqBand bands[] = {
        {FilterType::HighPass, 40.0, 0.7071, 0.0, true},
        {FilterType::LowShelf, 150.0, 1.0, -3.0, true},
        {FilterType::Peak, 2500.0, 1.0, 4.0, true},
        {FilterType::HighShelf, 9000.0, 1.0, 2.0, true},
        {FilterType::Peak, 500.0, 2.0, 12.0, false}, // disabled: must not act
    };
    eq.setBands(bands);
    double worst = 0.0;
    for (const double f : {30.0, 100.0, 150.0, 700.0, 2500.0, 9000.0, 15000.0}) {
        AudioBuffer in = test::sine(fs, 2, 1.0, f, -12.0);
        AudioBuffer out = in;
        eq.reset();
        eq.setBands(bands);
        for (std::size_t pos = 0; pos < out.frames(); pos += 4096) { // block-wise, like the engine
            const std::size_t n = std::min<std::size_t>(4096, out.frames() - pos);
            AudioBuffer blk(2, n);
            for (int c = 0; c < 2; ++c)
                std::copy_n(out.channel(c) + pos, n, blk.channel(c));
            eq.process(blk);
            for (int c = 0; c < 2; ++c)
                std::copy_n(blk.channel(c), n, out.channel(c) + pos);
        }
        const std::size_t from = out.frames() / 2;
        for (int c = 0; c < 2; ++c) {
            const double measured = toDb(sineRms(out.channel(c), from, out.frames(), f, fs) / sineRms(in.channel(c), from, in.frames(), f, fs));
            worst = std::max(worst, std::abs(measured - eq.targetMagnitudeDb(f)));
            EXPECT_NEAR(measured, eq.targetMagnitudeDb(f), 0.1) << "f=" << f;
        }
    }
    std::printf("[ measure  ] eq worst |measured - analytic| = %.2e dB\n", worst);
}

// A +6 dB bell change on a 100 Hz sine between blocks: the output must glide to the new
// level (within 0.1 dB after 30 ms) with no click: the largest second difference of the
// output stays within 1.5x that of the final steady sine (a click is a spike in it).
TEST(ParametricEq, BandChangeIsSmoothedWithoutClick)
{
    const double fs = 48000.0, f = 100.0;
    const std::size_t block = 512;
    ParametricEq eq;
    eq.prepare({fs, 1, block});
    EqBand band{FilterType::Peak, f, 1.0, 0.0, true};
    eq.setBands({&band, 1});
    AudioBuffer sig = test::sine(fs, 1, 1.0, f, -12.0);
    const std::size_t changeAt = 24 * block; // 0.256 s
    for (std::size_t pos = 0; pos < sig.frames(); pos += block) {
        if (pos == changeAt) {
            band.gainDb = 6.0;
            eq.setBands({&band, 1});
        }
        AudioBuffer blk(1, std::min(block, sig.frames() - pos));
        std::copy_n(sig.channel(0) + pos, blk.frames(), blk.channel(0));
        eq.process(blk);
        std::copy_n(blk.channel(0), blk.frames(), sig.channel(0) + pos);
    }
    const float* y = sig.channel(0);
    const double w = 2.0 * std::numbers::pi * f / fs;
    const double finalAmp = test::dbToGain(-12.0 + 6.0);
    double maxD2 = 0.0;
    for (std::size_t i = changeAt - block; i < changeAt + 4 * block; ++i)
        maxD2 = std::max(maxD2, std::abs(double(y[i]) - 2.0 * y[i - 1] + y[i - 2]));
    const double steadyD2 = finalAmp * 2.0 * (1.0 - std::cos(w)); // |second difference| of the sine
    std::printf("[ measure  ] eq change: max second difference %.3g vs steady %.3g\n", maxD2, steadyD2);
    EXPECT_LT(maxD2, 1.5 * steadyD2);
    const auto settled = changeAt + static_cast<std::size_t>(0.030 * fs);
    const double level = toDb(sineRms(y, settled, settled + 4800, f, fs)) + 3.0103; // RMS -> peak
    EXPECT_NEAR(level, -6.0, 0.1);
}

} // namespace
} // namespace mm
