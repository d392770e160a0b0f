// SmoothedGain, Panner and StereoWidth, tested by measurement on known signals.
#include "dsp/Gain.h"
#include "dsp/Panner.h"
#include "dsp/StereoWidth.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace mm {
namespace {

double toDb(double g) { return 20.0 * std::log10(std::max(g, 1e-30)); }

double rms(const float* x, std::size_t n)
{
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        s += double(x[i]) * x[i];
    return std::sqrt(s / static_cast<double>(n));
}

// Steady-state RMS of a sine of `freq` in x[from, to): least-squares fit of sin and cos.
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

// ---- SmoothedGain ---------------------------------------------------------------------

// 0 -> -6 dB on a constant 1.0 input, so the output is the gain itself. The ramp is
// 20 ms = 960 samples at 48 kHz: the target is reached exactly at sample 959 and not
// before, and no step between samples exceeds |g1 - g0| / 960 (+1e-6 float rounding).
TEST(SmoothedGain, RampsLinearlyToTargetWithinRamp)
{
    const double fs = 48000.0;
    SmoothedGain gain;
    gain.prepare({fs, 2, 4096});
    gain.setGainDb(0.0);
    AudioBuffer ones(2, 2048);
    std::fill_n(ones.channel(0), 2048, 1.0f);
    std::fill_n(ones.channel(1), 2048, 1.0f);
    AudioBuffer warm = ones;
    gain.process(warm);
    EXPECT_EQ(warm.channel(0)[2047], 1.0f);

    gain.setGainDb(-6.0);
    const double g0 = 1.0, g1 = test::dbToGain(-6.0);
    ASSERT_EQ(gain.rampSamples(), 960u);
    AudioBuffer out(2, 2048);
    std::size_t reached = 2048;
    double maxStep = 0.0;
    double prev = g0;
    // Odd block lengths: the ramp must carry across block boundaries.
    for (std::size_t pos = 0; pos < 2048; pos += 65) {
        AudioBuffer blk(2, std::min<std::size_t>(65, 2048 - pos));
        for (int c = 0; c < 2; ++c)
            std::fill_n(blk.channel(c), blk.frames(), 1.0f);
        gain.process(blk);
        for (std::size_t i = 0; i < blk.frames(); ++i) {
            const double g = blk.channel(0)[i];
            EXPECT_EQ(blk.channel(1)[i], blk.channel(0)[i]);
            maxStep = std::max(maxStep, std::abs(g - prev));
            EXPECT_LE(g, prev + 1e-7); // monotonic
            if (reached == 2048 && std::abs(g - g1) < 1e-6)
                reached = pos + i;
            prev = g;
        }
    }
    std::printf("[ measure  ] gain ramp reached target at sample %zu, max step %.3g (bound %.3g)\n",
                reached, maxStep, (g0 - g1) / 960.0);
    EXPECT_EQ(reached, 959u);
    EXPECT_LE(maxStep, (g0 - g1) / 960.0 + 1e-6);
    EXPECT_NEAR(prev, g1, 1e-7);
}

// ---- Panner -----------------------------------------------------------------------------

double panRun(Panner& pan, double position, const AudioBuffer& mono, AudioBuffer& stereo)
{
    pan.reset();
    pan.setPan(position);
    pan.process(stereo, mono);
    return rms(mono.channel(0), mono.frames());
}

TEST(Panner, CentreIsMinus3dBEachSide)
{
    const double fs = 48000.0;
    Panner pan;
    pan.prepare({fs, 1, 48000});
    const AudioBuffer mono = test::whiteNoise(fs, 1, 1.0, -12.0, 7);
    AudioBuffer stereo(2, mono.frames());
    const double in = panRun(pan, 0.0, mono, stereo);
    const double l = toDb(rms(stereo.channel(0), stereo.frames()) / in);
    const double r = toDb(rms(stereo.channel(1), stereo.frames()) / in);
    std::printf("[ measure  ] centre: L %.4f dB, R %.4f dB\n", l, r);
    EXPECT_NEAR(l, -3.0103, 0.01);
    EXPECT_NEAR(r, -3.0103, 0.01);
}

TEST(Panner, HardLeftSilencesRightAndViceVersa)
{
    const double fs = 48000.0;
    Panner pan;
    pan.prepare({fs, 1, 48000});
    const AudioBuffer mono = test::sine(fs, 1, 1.0, 1000.0, -6.0);
    AudioBuffer stereo(2, mono.frames());
    const double in = panRun(pan, -1.0, mono, stereo);
    EXPECT_EQ(rms(stereo.channel(1), stereo.frames()), 0.0);
    EXPECT_NEAR(toDb(rms(stereo.channel(0), stereo.frames()) / in), 0.0, 1e-4);
    panRun(pan, 1.0, mono, stereo);
    EXPECT_LT(toDb(rms(stereo.channel(0), stereo.frames()) / in), -140.0);
    EXPECT_NEAR(toDb(rms(stereo.channel(1), stereo.frames()) / in), 0.0, 1e-4);
}

TEST(Panner, PowerSumConstantAcrossPositions)
{
    const double fs = 48000.0;
    Panner pan;
    pan.prepare({fs, 1, 48000});
    const AudioBuffer mono = test::pinkNoise(fs, 1, 1.0, -18.0, 3);
    AudioBuffer stereo(2, mono.frames());
    double worst = 0.0;
    for (int k = -10; k <= 10; ++k) {
        const double in = panRun(pan, k / 10.0, mono, stereo);
        const double l = rms(stereo.channel(0), stereo.frames());
        const double r = rms(stereo.channel(1), stereo.frames());
        const double sumDb = 10.0 * std::log10((l * l + r * r) / (in * in));
        worst = std::max(worst, std::abs(sumDb));
        EXPECT_NEAR(sumDb, 0.0, 0.01) << "pan " << k / 10.0;
    }
    std::printf("[ measure  ] pan power sum worst deviation %.2e dB\n", worst);
}

// Balance on a stereo source: unity at centre; at +1 the left channel is gone and the
// right one untouched; at +0.5 left = sqrt(2) cos(3 pi / 8) = -2.33 dB.
TEST(Panner, StereoBalance)
{
    const double fs = 48000.0;
    Panner pan;
    pan.prepare({fs, 2, 48000});
    const AudioBuffer src = test::whiteNoise(fs, 2, 0.5, -12.0, 11);
    for (const double p : {0.0, 0.5, 1.0}) {
        AudioBuffer b = src;
        pan.reset();
        pan.setPan(p);
        pan.process(b);
        const double l = rms(b.channel(0), b.frames()) / rms(src.channel(0), src.frames());
        const double r = rms(b.channel(1), b.frames()) / rms(src.channel(1), src.frames());
        EXPECT_NEAR(r, 1.0, 1e-6);
        EXPECT_NEAR(l, std::numbers::sqrt2 * std::cos((p + 1.0) * std::numbers::pi / 4.0), 1e-6);
    }
}

// A pan move during playback ramps over 20 ms: on a constant input the left gain moves
// by at most the per-sample share of the change (plus the curvature of the cosine).
TEST(Panner, PanChangeIsRamped)
{
    const double fs = 48000.0;
    Panner pan;
    pan.prepare({fs, 1, 4096});
    pan.setPan(-1.0);
    AudioBuffer mono(1, 4096);
    std::fill_n(mono.channel(0), 4096, 1.0f);
    AudioBuffer stereo(2, 4096);
    pan.process(stereo, mono);
    pan.setPan(1.0);
    pan.process(stereo, mono);
    double maxStep = 0.0;
    for (std::size_t i = 1; i < 4096; ++i)
        maxStep = std::max(maxStep, double(std::abs(stereo.channel(0)[i] - stereo.channel(0)[i - 1])));
    // d(cos theta)/dsample <= (pi / 2) / 960 for a full sweep over 960 samples.
    EXPECT_LE(maxStep, std::numbers::pi / 2.0 / 960.0 + 1e-6);
    EXPECT_LT(std::abs(stereo.channel(0)[959]), 1e-6);
    EXPECT_GT(stereo.channel(0)[0], 0.99f);
}

// ---- StereoWidth ------------------------------------------------------------------------

AudioBuffer widthRun(const StereoWidthParams& p, const AudioBuffer& in, double fs)
{
    StereoWidth w;
    w.prepare({fs, 2, in.frames()});
    w.setParams(p);
    AudioBuffer out = in;
    w.process(out);
    return out;
}

void midSide(const AudioBuffer& b, double& midRms, double& sideRms)
{
    double m = 0.0, s = 0.0;
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const double mi = 0.5 * (double(b.channel(0)[i]) + b.channel(1)[i]);
        const double si = 0.5 * (double(b.channel(0)[i]) - b.channel(1)[i]);
        m += mi * mi;
        s += si * si;
    }
    midRms = std::sqrt(m / static_cast<double>(b.frames()));
    sideRms = std::sqrt(s / static_cast<double>(b.frames()));
}

TEST(StereoWidth, ZeroIsMonoOneIsIdentity)
{
    const double fs = 48000.0;
    const AudioBuffer noise = test::whiteNoise(fs, 2, 1.0, -12.0, 21);
    const AudioBuffer mono = widthRun({0.0, 0.0}, noise, fs);
    for (std::size_t i = 0; i < mono.frames(); ++i)
        ASSERT_EQ(mono.channel(0)[i], mono.channel(1)[i]);
    const AudioBuffer same = widthRun({1.0, 0.0}, noise, fs);
    double maxDiff = 0.0;
    for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < same.frames(); ++i)
            maxDiff = std::max(maxDiff, double(std::abs(same.channel(c)[i] - noise.channel(c)[i])));
    EXPECT_LE(maxDiff, 1e-7);
}

// Independent noise: side/mid RMS ratio scales by the width, +-2 %.
TEST(StereoWidth, SideToMidRatioScalesByWidth)
{
    const double fs = 48000.0;
    const AudioBuffer noise = test::whiteNoise(fs, 2, 1.0, -12.0, 5);
    double m0, s0, m1, s1;
    midSide(noise, m0, s0);
    for (const double width : {0.5, 1.4, 2.0}) {
        midSide(widthRun({width, 0.0}, noise, fs), m1, s1);
        const double scale = (s1 / m1) / (s0 / m0);
        std::printf("[ measure  ] width %.1f: side/mid ratio x%.5f\n", width, scale);
        EXPECT_NEAR(scale, width, 0.02 * width);
    }
}

// Mono below 120 Hz at width 1: the mid (and so the mono sum) stays flat +-0.1 dB at
// every frequency, side content above ~10 fc passes +-0.1 dB, and below fc/4 it is
// removed (> 40 dB down: LR4 high-pass, 24 dB/octave).
TEST(StereoWidth, MidSideStepsEqualProcessUpToFloatRounding)
{
    // The mastering keeps toMidSide()'s output in its stage file and applies each render's
    // factor with fromMidSide(): the two together must give process()'s output at a
    // steady width, within the float rounding of M and S between them (|Δ| ≤ 1e-6 on
    // full-scale noise, −120 dB: a few float steps, the side's scaled by the width), with
    // and without the crossover, in blocks.
    const double fs = 48000.0;
    const AudioBuffer in = test::whiteNoise(fs, 2, 1.0, -1.0, 21);
    for (const StereoWidthParams p : {StereoWidthParams{1.6, 120.0}, StereoWidthParams{0.5, 0.0}, StereoWidthParams{2.0, 150.0}}) {
        StereoWidth ref, split;
        for (StereoWidth* w : {&ref, &split}) {
            w->prepare({fs, 2, 4096});
            w->setParams(p);
        }
        double worst = 0.0;
        for (std::size_t from = 0; from < in.frames(); from += 4096) {
            const std::size_t n = std::min<std::size_t>(4096, in.frames() - from);
            AudioBuffer a(2, n), b(2, n);
            for (int c = 0; c < 2; ++c) {
                std::copy_n(in.channel(c) + from, n, a.channel(c));
                std::copy_n(in.channel(c) + from, n, b.channel(c));
            }
            ref.process(a);
            split.toMidSide(b);
            StereoWidth::fromMidSide(b, p.width);
            for (int c = 0; c < 2; ++c)
                for (std::size_t i = 0; i < n; ++i)
                    worst = std::max(worst, std::fabs(static_cast<double>(a.channel(c)[i]) - b.channel(c)[i]));
        }
        EXPECT_LE(worst, 1e-6) << p.width << " " << p.monoBelowHz;
        EXPECT_GT(worst, 0.0); // (the rounding between the steps is real: not the same code path)
    }
}

TEST(StereoWidth, MonoBelowKeepsMidFlatAndRemovesLowSide)
{
    double worstMid = 0.0;
    for (const double fs : {44100.0, 48000.0}) {
        const StereoWidthParams p{1.0, 120.0};
        for (const double f : {20.0, 60.0, 120.0, 240.0, 1000.0, 5000.0, 15000.0}) {
            const AudioBuffer in = test::sine(fs, 2, 1.0, f, -6.0); // L == R: pure mid
            const AudioBuffer out = widthRun(p, in, fs);
            const std::size_t from = in.frames() / 2;
            for (int c = 0; c < 2; ++c) {
                const double db = toDb(sineRms(out.channel(c), from, out.frames(), f, fs) / sineRms(in.channel(c), from, in.frames(), f, fs));
                worstMid = std::max(worstMid, std::abs(db));
                EXPECT_NEAR(db, 0.0, 0.1) << "mid f=" << f;
            }
        }
        // Mono sum of independent noise: flat magnitude keeps its RMS.
        const AudioBuffer noise = test::whiteNoise(fs, 2, 2.0, -12.0, 9);
        const AudioBuffer out = widthRun(p, noise, fs);
        double inSum = 0.0, outSum = 0.0;
        for (std::size_t i = 0; i < noise.frames(); ++i) {
            inSum += std::pow(double(noise.channel(0)[i]) + noise.channel(1)[i], 2);
            outSum += std::pow(double(out.channel(0)[i]) + out.channel(1)[i], 2);
        }
        EXPECT_NEAR(10.0 * std::log10(outSum / inSum), 0.0, 0.1);

        // Side-only sines (R = -L).
        auto sideGainDb = [&](double f, double width) {
            AudioBuffer s = test::sine(fs, 2, 1.0, f, -6.0);
            for (std::size_t i = 0; i < s.frames(); ++i)
                s.channel(1)[i] = -s.channel(0)[i];
            const AudioBuffer o = widthRun({width, 120.0}, s, fs);
            const std::size_t from = s.frames() / 2;
            return toDb(sineRms(o.channel(0), from, o.frames(), f, fs) / sineRms(s.channel(0), from, s.frames(), f, fs));
        };
        EXPECT_NEAR(sideGainDb(2000.0, 1.0), 0.0, 0.1);
        EXPECT_NEAR(sideGainDb(2000.0, 1.4), toDb(1.4), 0.1);
        EXPECT_LT(sideGainDb(30.0, 1.0), -40.0);
        std::printf("[ measure  ] fs=%.0f mono-below: side 30 Hz %.1f dB, 2 kHz %.4f dB\n", fs, sideGainDb(30.0, 1.0), sideGainDb(2000.0, 1.0));
    }
    std::printf("[ measure  ] mono-below worst mid deviation %.4f dB\n", worstMid);
}

} // namespace
} // namespace mm
