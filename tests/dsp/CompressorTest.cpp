// Compressor tests by measurement: steady signals in, output levels and gain-reduction
// timing measured and compared with the Giannoulis/Massberg/Reiss (JAES 2012) formulas.
#include "dsp/Compressor.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mm {
namespace {

double toDb(double g) { return 20.0 * std::log10(std::max(g, 1e-30)); }

double rms(const float* x, std::size_t from, std::size_t to)
{
    double s = 0.0;
    for (std::size_t i = from; i < to; ++i)
        s += double(x[i]) * x[i];
    return std::sqrt(s / static_cast<double>(to - from));
}

// Runs `buf` through `comp` in engine-sized blocks, in place.
void run(Compressor& comp, AudioBuffer& buf, std::size_t block = 4096)
{
    AudioBuffer tmp(buf.channels(), block);
    for (std::size_t pos = 0; pos < buf.frames(); pos += block) {
        const std::size_t n = std::min(block, buf.frames() - pos);
        tmp.setFrames(n);
        for (int c = 0; c < buf.channels(); ++c)
            std::copy_n(buf.channel(c) + pos, n, tmp.channel(c));
        comp.process(tmp);
        for (int c = 0; c < buf.channels(); ++c)
            std::copy_n(tmp.channel(c), n, buf.channel(c) + pos);
    }
}

// A square wave of `dbfs` peak: |x| is constant, so a peak detector sees a flat level.
AudioBuffer square(double fs, int channels, double seconds, double freq, double dbfs)
{
    AudioBuffer b = test::sine(fs, channels, seconds, freq, 0.0);
    const auto a = static_cast<float>(test::dbToGain(dbfs));
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < b.frames(); ++i)
            b.channel(c)[i] = b.channel(c)[i] >= 0.0f ? a : -a;
    return b;
}

// Measured gain reduction (dB, input level minus output level, make-up excluded) of a
// steady signal, over its last 0.25 s (the first 0.75 s let attack and detector settle).
double steadyGrDb(Compressor& comp, AudioBuffer in)
{
    AudioBuffer out = in;
    comp.reset();
    run(comp, out);
    const std::size_t from = in.frames() - in.frames() / 4;
    return toDb(rms(in.channel(0), from, in.frames()) / rms(out.channel(0), from, out.frames())) + comp.params().makeupDb;
}

TEST(Compressor, StaticCurveFormula)
{
    CompressorParams p; // T -20, R 4, W 6
    EXPECT_DOUBLE_EQ(Compressor::staticCurveDb(-40.0, p), -40.0);
    EXPECT_DOUBLE_EQ(Compressor::staticCurveDb(-23.0, p), -23.0);            // knee start
    EXPECT_NEAR(Compressor::staticCurveDb(-20.0, p), -20.0 - 0.75 * 6.0 / 8.0, 1e-12); // T + (1/R-1) W/8
    EXPECT_NEAR(Compressor::staticCurveDb(-17.0, p), -20.0 + 3.0 / 4.0, 1e-12); // knee end meets the line
    EXPECT_NEAR(Compressor::staticCurveDb(0.0, p), -15.0, 1e-12);
    p.kneeDb = 0.0;
    EXPECT_NEAR(Compressor::staticCurveDb(-20.0, p), -20.0, 1e-12);
    // The curve is continuous and monotonic over the whole range (soft and hard knee).
    for (const double w : {0.0, 6.0, 12.0}) {
        p.kneeDb = w;
        double prev = Compressor::staticCurveDb(-80.0, p);
        for (double x = -80.0; x <= 6.0; x += 0.01) {
            const double y = Compressor::staticCurveDb(x, p);
            EXPECT_GE(y, prev - 1e-12);
            EXPECT_LT(y - prev, 0.0101);
            prev = y;
        }
    }
}

// Input sweep -60..0 dBFS of a steady 1 kHz sine: measured output level within 0.2 dB of
// y_G + make-up. Peak detector: the level is the sine's peak (fast attack, slow release:
// ripple < 0.01 dB); RMS detector: the level is its RMS, peak - 3.01 dB.
TEST(Compressor, MeasuredStaticCurveWithin0p2dB)
{
    for (const double fs : {44100.0, 48000.0}) {
        for (const Detector det : {Detector::Peak, Detector::Rms}) {
            CompressorParams p;
            p.thresholdDb = -24.0;
            p.ratio = 4.0;
            p.kneeDb = 6.0;
            p.attackMs = 1.0;
            p.releaseMs = 1000.0;
            p.makeupDb = 3.0;
            p.detector = det;
            p.rmsWindowMs = 50.0;
            Compressor comp;
            comp.prepare({fs, 1, 4096});
            comp.setParams(p);
            double worst = 0.0;
            for (double peakDb = -60.0; peakDb <= 0.0; peakDb += 3.0) {
                const double levelDb = det == Detector::Peak ? peakDb : peakDb - 3.0103;
                const double expectedGr = levelDb - Compressor::staticCurveDb(levelDb, p);
                const double outDb = peakDb - steadyGrDb(comp, test::sine(fs, 1, 1.0, 1000.0, peakDb)) + p.makeupDb;
                const double expectedOut = peakDb - expectedGr + p.makeupDb;
                worst = std::max(worst, std::abs(outDb - expectedOut));
                EXPECT_NEAR(outDb, expectedOut, 0.2) << "fs=" << fs << " in=" << peakDb;
            }
            std::printf("[ measure  ] static curve fs=%.0f %s worst error %.4f dB\n", fs, det == Detector::Peak ? "peak" : "rms", worst);
        }
    }
}

// Time constants: the detector input steps between two constant (DC) levels, so the
// gain-computer target x_L is a clean step. Attack time = time from the step until the
// measured gain reduction first covers 1 - 1/e of its final change (0 -> 10.5 dB);
// release time = time until it has fallen by 1 - 1/e of its start value. +-10 %.
TEST(Compressor, AttackAndReleaseTimeConstantsWithin10Percent)
{
    for (const double fs : {44100.0, 48000.0}) {
        CompressorParams p;
        p.thresholdDb = -20.0;
        p.ratio = 4.0;
        p.kneeDb = 0.0;
        p.attackMs = 10.0;
        p.releaseMs = 200.0;
        Compressor comp;
        comp.prepare({fs, 1, 4096});
        comp.setParams(p);
        const auto n = static_cast<std::size_t>(fs);
        AudioBuffer sig(1, 3 * n); // 1 s at -40 dBFS, 1 s at -6 dBFS, 1 s at -40 dBFS
        for (std::size_t i = 0; i < sig.frames(); ++i)
            sig.channel(0)[i] = (i >= n && i < 2 * n) ? 0.5f : 0.01f;
        AudioBuffer out = sig;
        run(comp, out);
        auto grAt = [&](std::size_t i) { return toDb(double(sig.channel(0)[i]) / out.channel(0)[i]); };
        const double grFinal = grAt(2 * n - 1);
        EXPECT_NEAR(grFinal, (toDb(0.5) + 20.0) * 0.75, 0.01);
        const double target = grFinal * (1.0 - std::exp(-1.0));
        std::size_t i = n;
        while (grAt(i) < target)
            ++i;
        const double attackMs = 1e3 * static_cast<double>(i - n + 1) / fs;
        std::size_t j = 2 * n;
        while (grAt(j) > grFinal * std::exp(-1.0))
            ++j;
        const double releaseMs = 1e3 * static_cast<double>(j - 2 * n + 1) / fs;
        std::printf("[ measure  ] fs=%.0f attack %.3f ms (set 10), release %.3f ms (set 200)\n", fs, attackMs, releaseMs);
        EXPECT_NEAR(attackMs, p.attackMs, 0.1 * p.attackMs);
        EXPECT_NEAR(releaseMs, p.releaseMs, 0.1 * p.releaseMs);
    }
}

// A sine's RMS is 3.01 dB under its peak, so above the knee the RMS detector reduces
// 3.01 (1 - 1/R) dB less; a square wave (crest factor 0 dB) gets the same from both.
TEST(Compressor, RmsDetectorFollowsCrestFactor)
{
    const double fs = 48000.0;
    CompressorParams p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 1.0;
    p.releaseMs = 1000.0;
    p.rmsWindowMs = 50.0;
    Compressor peak, rmsComp;
    peak.prepare({fs, 1, 4096});
    rmsComp.prepare({fs, 1, 4096});
    peak.setParams(p);
    p.detector = Detector::Rms;
    rmsComp.setParams(p);
    const double grSinePeak = steadyGrDb(peak, test::sine(fs, 1, 1.0, 1000.0, -6.0));
    const double grSineRms = steadyGrDb(rmsComp, test::sine(fs, 1, 1.0, 1000.0, -6.0));
    std::printf("[ measure  ] sine -6 dBFS GR: peak %.3f dB, rms %.3f dB\n", grSinePeak, grSineRms);
    EXPECT_NEAR(grSinePeak - grSineRms, 3.0103 * 0.75, 0.1);
    const double grSqPeak = steadyGrDb(peak, square(fs, 1, 1.0, 1000.0, -6.0));
    const double grSqRms = steadyGrDb(rmsComp, square(fs, 1, 1.0, 1000.0, -6.0));
    EXPECT_NEAR(grSqPeak, grSqRms, 0.05);
    EXPECT_NEAR(grSqPeak, (-6.0 + 20.0) * 0.75, 0.05);
}

// Known signal: 1 s silence, 1 s square at -6 dBFS (GR 10.5 dB), 1 s square at -40 dBFS
// (under threshold, GR 0). Silence is below the stats floor, so average = 10.5 / 2.
// Tolerance 0.1 dB covers the 1 ms attack / 5 ms release transitions (< 0.03 dB).
TEST(Compressor, ReportsAverageAndMaxGainReduction)
{
    const double fs = 48000.0;
    CompressorParams p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 1.0;
    p.releaseMs = 5.0;
    Compressor comp;
    comp.prepare({fs, 2, 4096});
    comp.setParams(p);
    AudioBuffer sig(2, static_cast<std::size_t>(fs));
    test::append(sig, square(fs, 2, 1.0, 100.0, -6.0));
    test::append(sig, square(fs, 2, 1.0, 100.0, -40.0));
    run(comp, sig);
    const double gr = (-6.0 + 20.0) * 0.75;
    std::printf("[ measure  ] avg GR %.4f dB (expected %.4f), max GR %.4f dB (expected %.4f)\n",
                comp.averageGainReductionDb(), gr / 2.0, comp.maxGainReductionDb(), gr);
    EXPECT_NEAR(comp.averageGainReductionDb(), gr / 2.0, 0.1);
    EXPECT_NEAR(comp.maxGainReductionDb(), gr, 0.01);
    comp.resetStats();
    EXPECT_EQ(comp.averageGainReductionDb(), 0.0);
    EXPECT_EQ(comp.maxGainReductionDb(), 0.0);
}

// A 50 Hz sine at -6 dBFS: without side-chain filter ~10 dB GR; a 200 Hz side-chain
// high-pass takes the detector 24 dB down (2 octaves of 12 dB/oct), under threshold.
// A 2 kHz sine is unaffected by the same filter (within 0.1 dB).
TEST(Compressor, SidechainHighPassReducesGrOnLowSine)
{
    const double fs = 48000.0;
    CompressorParams p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.attackMs = 1.0;
    p.releaseMs = 1000.0;
    Compressor plain, filtered;
    plain.prepare({fs, 1, 4096});
    filtered.prepare({fs, 1, 4096});
    plain.setParams(p);
    p.sidechainHpHz = 200.0;
    filtered.setParams(p);
    const double grPlain = steadyGrDb(plain, test::sine(fs, 1, 1.0, 50.0, -6.0));
    const double grFiltered = steadyGrDb(filtered, test::sine(fs, 1, 1.0, 50.0, -6.0));
    std::printf("[ measure  ] 50 Hz GR: no side-chain HP %.3f dB, 200 Hz HP %.3f dB\n", grPlain, grFiltered);
    EXPECT_GT(grPlain, 9.0);
    EXPECT_LT(grFiltered, 0.5);
    EXPECT_NEAR(steadyGrDb(plain, test::sine(fs, 1, 1.0, 2000.0, -6.0)),
                steadyGrDb(filtered, test::sine(fs, 1, 1.0, 2000.0, -6.0)), 0.1);
}

// Stereo link: a loud left and a quiet right channel get the same gain (the image does
// not shift). Max link reacts to the louder channel; mean link to the mean power.
TEST(Compressor, StereoLinkAppliesOneGain)
{
    const double fs = 48000.0;
    CompressorParams p;
    p.thresholdDb = -20.0;
    p.ratio = 4.0;
    p.kneeDb = 0.0;
    p.attackMs = 1.0;
    p.releaseMs = 1000.0;
    for (const StereoLink link : {StereoLink::Max, StereoLink::Mean}) {
        p.link = link;
        Compressor comp;
        comp.prepare({fs, 2, 4096});
        comp.setParams(p);
        AudioBuffer in = square(fs, 2, 1.0, 100.0, -6.0);
        for (std::size_t i = 0; i < in.frames(); ++i)
            in.channel(1)[i] *= 0.01f; // -40 dB
        AudioBuffer out = in;
        run(comp, out);
        const std::size_t from = in.frames() / 2;
        const double grL = toDb(rms(in.channel(0), from, in.frames()) / rms(out.channel(0), from, out.frames()));
        const double grR = toDb(rms(in.channel(1), from, in.frames()) / rms(out.channel(1), from, out.frames()));
        EXPECT_NEAR(grL, grR, 0.01);
        const double level = link == StereoLink::Max ? -6.0 : 10.0 * std::log10((std::pow(10.0, -0.6) + std::pow(10.0, -4.6)) / 2.0);
        EXPECT_NEAR(grL, (level + 20.0) * 0.75, 0.05);
    }
}

} // namespace
} // namespace mm
