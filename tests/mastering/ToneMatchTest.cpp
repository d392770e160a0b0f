// ToneMatch: the correction curve's rules (shape only, clamp, amount, no-energy bands),
// measured distance reduction on pink noise with a bump, identity and time alignment.
#include "analysis/Spectrum.h"
#include "dsp/Biquad.h"
#include "dsp/BiquadDesign.h"
#include "mastering/MasteringTestUtil.h"
#include "mastering/ToneMatch.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace mm {
namespace {

constexpr double kFs = 48000.0;

AudioBuffer withPeak(const AudioBuffer& in, double hz, double q, double db)
{
    Biquad eq;
    eq.prepare({kFs, in.channels(), in.frames()});
    eq.setCoeffs(designPeak(hz, q, db, kFs));
    AudioBuffer out = in;
    eq.process(out);
    return out;
}

AudioBuffer applyToneMatch(const AudioBuffer& in, const std::vector<double>& curve)
{
    ToneMatch tm;
    tm.setCurve(curve);
    tm.prepare({kFs, in.channels(), 4096});
    return test::runAligned(tm, in, tm.latency());
}

TEST(ToneMatchCurve, RemovesLevelAndClampsAndScales)
{
    const std::size_t n = thirdOctaveCentres().size();
    ToneMatchSettings s;
    s.amount = 1.0;
    s.targetDb.assign(n, -30.0);
    std::vector<double> mix(n, -50.0); // 20 dB quieter but the same shape: nothing to do
    for (double c : computeToneMatchCurve(mix, s))
        EXPECT_NEAR(c, 0.0, 1e-9);

    mix[17] += 10.0; // 1 kHz band 10 dB hot
    std::vector<double> curve = computeToneMatchCurve(mix, s);
    for (double c : curve)
        EXPECT_LE(std::fabs(c), s.maxBandDb + 1e-9);
    EXPECT_NEAR(curve[17], -4.0, 1e-9); // clamped
    EXPECT_LT(curve[16], 0.0);          // smoothing reaches the neighbours
    s.amount = 0.5;
    EXPECT_NEAR(computeToneMatchCurve(mix, s)[17], -2.0, 1e-9);
    s.amount = 0.0;
    for (double c : computeToneMatchCurve(mix, s))
        EXPECT_EQ(c, 0.0);

    // A band without energy is left alone; the extremes are tapered away.
    s.amount = 1.0;
    mix.assign(n, -50.0);
    mix[25] = -120.0;    // 5 kHz: silent in the mix
    mix[0] = -60.0;      // 20 Hz 10 dB low
    mix[30] = -60.0;     // 20 kHz 10 dB low
    curve = computeToneMatchCurve(mix, s);
    EXPECT_EQ(curve[25], 0.0);
    EXPECT_EQ(curve[0], 0.0);
    EXPECT_EQ(curve[30], 0.0);
}

TEST(ToneMatch, HalvesTheDistanceToTheTargetOnPinkNoiseWithABump)
{
    const AudioBuffer pink = test::pinkNoise(kFs, 2, 12.0, -20.0, 7);
    const AudioBuffer mix = withPeak(pink, 2000.0, 1.0, 6.0);
    const AudioMetrics target = test::analyse(pink, kFs);
    const AudioMetrics before = test::analyse(mix, kFs);

    ToneMatchSettings s;
    s.amount = 1.0;
    s.targetDb = target.thirdOctaveDb;
    const std::vector<double> curve = computeToneMatchCurve(before.thirdOctaveDb, s);
    double most = 0.0;
    for (double c : curve) {
        EXPECT_LE(std::fabs(c), 4.0 + 1e-9);
        most = std::min(most, c);
    }
    const AudioMetrics after = test::analyse(applyToneMatch(mix, curve), kFs);
    const double d0 = thirdOctaveDistanceDb(before.thirdOctaveDb, target.thirdOctaveDb);
    const double d1 = thirdOctaveDistanceDb(after.thirdOctaveDb, target.thirdOctaveDb);
    std::printf("tone match: distance %.2f dB -> %.2f dB (%.0f %% less), deepest cut %.2f dB\n", d0, d1,
                100.0 * (1.0 - d1 / d0), most);
    EXPECT_GT(d0, 1.0); // the bump is really there
    EXPECT_LE(d1, 0.5 * d0);
    EXPECT_LT(most, -2.0);
}

TEST(ToneMatch, AmountZeroIsIdentity)
{
    const AudioBuffer pink = test::pinkNoise(kFs, 2, 3.0, -20.0, 9);
    const AudioBuffer mix = withPeak(pink, 2000.0, 1.0, 6.0);
    ToneMatchSettings s;
    s.amount = 0.0;
    s.targetDb = test::analyse(pink, kFs).thirdOctaveDb;
    const AudioMetrics in = test::analyse(mix, kFs);
    const AudioBuffer out = applyToneMatch(mix, computeToneMatchCurve(in.thirdOctaveDb, s));
    const AudioMetrics o = test::analyse(out, kFs);
    for (std::size_t b = 0; b < o.thirdOctaveDb.size(); ++b)
        EXPECT_NEAR(o.thirdOctaveDb[b], in.thirdOctaveDb[b], 0.01) << "band " << b;
}

TEST(ToneMatch, ImpulseStaysAtItsSampleIndex)
{
    std::vector<double> curve(thirdOctaveCentres().size(), 0.0);
    curve[10] = 3.0;  // 200 Hz
    curve[23] = -3.0; // 4 kHz
    AudioBuffer in(2, 30000);
    in.channel(0)[12345] = 0.5f;
    in.channel(1)[12345] = 0.5f;
    ToneMatch tm;
    tm.setCurve(curve);
    tm.prepare({kFs, 2, 4096});
    ASSERT_GT(tm.latency(), 0);
    const AudioBuffer out = test::runAligned(tm, in, tm.latency());
    ASSERT_EQ(out.frames(), in.frames());
    std::size_t at = 0;
    for (std::size_t i = 0; i < out.frames(); ++i)
        if (std::fabs(out.channel(0)[i]) > std::fabs(out.channel(0)[at]))
            at = i;
    EXPECT_EQ(at, 12345u);
    // Linear phase: the response is symmetric about the impulse.
    for (std::size_t k = 1; k < 2000; ++k)
        EXPECT_NEAR(out.channel(0)[12345 - k], out.channel(0)[12345 + k], 1e-5) << k;
}

} // namespace
} // namespace mm
