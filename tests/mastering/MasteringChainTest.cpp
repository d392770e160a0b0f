// MasteringChain end to end on files: loudness on target, true peak under the ceiling on
// the written file by two meters (libebur128 via the Analyzer, and our 8× TruePeakMeter),
// width cap, exact length and sample alignment, limiter torture.
#include "core/Errors.h"
#include "dsp/TruePeakMeter.h"
#include "mastering/MasteringChain.h"
#include "mastering/MasteringSignals.h"
#include "mastering/MasteringTestUtil.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <tuple>

namespace mm {
namespace {

constexpr int kFloatWav = SF_FORMAT_WAV | SF_FORMAT_FLOAT;

double dspTruePeakDb(const AudioBuffer& b)
{
    // Sample by sample: TruePeakMeter::process() over-reads steady fs/4 sines (reported).
    TruePeakMeter m;
    m.prepare(b.channels());
    for (int c = 0; c < b.channels(); ++c) {
        for (std::size_t i = 0; i < b.frames(); ++i)
            m.pushSample(c, b.channel(c)[i]);
        for (int i = 0; i < TruePeakMeter::kLatency; ++i)
            m.pushSample(c, 0.0f);
    }
    return m.truePeakDb();
}

// Checks every promise about a written master; returns the worst true peak of the two meters.
double checkMaster(const MasterResult& r, const AudioBuffer& mix, const MasteringSettings& s, double loudnessTolLu)
{
    int fs = 0;
    const AudioBuffer out = test::readFile(r.path, &fs);
    EXPECT_EQ(out.frames(), mix.frames());
    EXPECT_EQ(r.frames, static_cast<std::int64_t>(mix.frames()));
    const double ours = dspTruePeakDb(out);
    EXPECT_LE(r.output.truePeakDbtp, s.ceilingDbtp) << "libebur128";
    EXPECT_LE(ours, s.ceilingDbtp) << "TruePeakMeter";
    EXPECT_NEAR(ours, r.dspTruePeakDbtp, 1e-6);
    EXPECT_NEAR(r.output.integratedLufs, s.targetLufs, loudnessTolLu);
    EXPECT_LE(r.output.widthPct, 140.0);
    EXPECT_FALSE(r.output.shortTermPerSecond.empty());
    EXPECT_FALSE(r.output.waveformPeaks.empty());
    return std::max(ours, r.output.truePeakDbtp);
}

using LoudnessCase = std::tuple<double, int, OutputFormat>; // target LUFS, fs, format

class MasteringLoudness : public ::testing::TestWithParam<LoudnessCase> {};

TEST_P(MasteringLoudness, HitsTargetUnderCeilingOnTheWrittenFile)
{
    const auto [target, fs, format] = GetParam();
    test::TempDir dir;
    const AudioBuffer mix = test::syntheticSong(fs, 8.0);
    test::writeFile(dir.file("mix.wav"), mix, fs, kFloatWav);

    MasteringSettings s;
    s.targetLufs = target;
    s.ceilingDbtp = -1.0;
    s.format = format;
    s.toneMatch.amount = 0.5;
    s.toneMatch.targetDb = test::analyse(test::pinkNoise(fs, 2, 4.0, -20.0, 1), fs).thirdOctaveDb;
    MasteringChain chain(dir.file("mix.wav"), dir.file("master.wav"), s);
    const MasterResult r = chain.master();
    std::printf("target %5.1f fs %d %s: out %+.3f LUFS (err %+.3f LU, %d renders, gain %+.2f dB, pre-limiter %.2f), "
                "TP ebur128 %+.3f ours %+.3f dBTP, limiter GR max %.2f avg %.2f, width %.0f%% (x%.2f), "
                "LRA %.1f, crest %.1f, mb GR avg",
                target, fs, toString(format).c_str(), r.output.integratedLufs, r.loudnessErrorLu, r.renders, r.gainDb,
                r.preLimiterLufs, r.output.truePeakDbtp, r.dspTruePeakDbtp, r.limiterMaxGrDb, r.limiterAvgGrDb,
                r.output.widthPct, r.widthFactor, r.output.lraLu, r.output.crestDb);
    for (const auto& b : r.multiband)
        std::printf(" %.2f/%.2f", b.averageGrDb, b.maxGrDb);
    std::printf("\n");
    checkMaster(r, mix, s, 0.5);
    EXPECT_EQ(r.path, dir.file("master.wav"));
    // Only the master is left in the folder (candidates removed).
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 2);
    EXPECT_EQ(r.toneMatchCurveDb.size(), 31u);
    EXPECT_EQ(r.multiband.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(TargetsRatesFormats, MasteringLoudness,
                         ::testing::Combine(::testing::Values(-14.0, -10.0, -8.0), ::testing::Values(44100, 48000),
                                            ::testing::Values(OutputFormat::Wav24, OutputFormat::Wav16)));

using TortureCase = std::tuple<test::Torture, int>;

class MasteringTorture : public ::testing::TestWithParam<TortureCase> {};

TEST_P(MasteringTorture, NoTruePeakOverTheCeiling)
{
    const auto [kind, fs] = GetParam();
    test::TempDir dir;
    const AudioBuffer mix = test::torture(kind, fs, 4.0);
    test::writeFile(dir.file("mix.wav"), mix, fs, kFloatWav);
    MasteringSettings s;
    s.targetLufs = -8.0;
    s.ceilingDbtp = -1.0;
    s.format = OutputFormat::Wav24;
    s.widthPct = 140.0;
    const MasterResult r = masterFile(dir.file("mix.wav"), dir.file("master.wav"), s);
    std::printf("torture %-15s fs %d: out %+.2f LUFS, TP ebur128 %+.3f ours %+.3f dBTP (ceiling -1), limiter GR max %.1f\n",
                test::name(kind), fs, r.output.integratedLufs, r.output.truePeakDbtp, r.dspTruePeakDbtp, r.limiterMaxGrDb);
    // Loudness is not promised on torture (a full-scale square cannot be made louder).
    checkMaster(r, mix, s, 100.0);
    // Full-scale material turned down to −8 LUFS may not reach the limiter: push it 12 dB
    // into it as well, through renderWithGain (the QC loop's entry).
    MasteringChain chain(dir.file("mix.wav"), dir.file("hot.wav"), s);
    const MasterResult hot = chain.renderWithGain(12.0);
    std::printf("torture %-15s fs %d +12 dB: TP ebur128 %+.3f ours %+.3f dBTP, limiter GR max %.1f, limiter ceiling %.2f\n",
                test::name(kind), fs, hot.output.truePeakDbtp, hot.dspTruePeakDbtp, hot.limiterMaxGrDb,
                hot.limiterCeilingDbtp);
    EXPECT_GT(hot.limiterMaxGrDb, 6.0);
    checkMaster(hot, mix, s, 100.0);
}

INSTANTIATE_TEST_SUITE_P(Signals, MasteringTorture,
                         ::testing::Combine(::testing::Values(test::Torture::Square, test::Torture::ClippedNoise,
                                                              test::Torture::QuarterRateSine45, test::Torture::Sine20Hz,
                                                              test::Torture::Transients),
                                            ::testing::Values(44100, 48000)));

TEST(MasteringChain, ImpulseComesOutAtTheSameSampleIndex)
{
    constexpr int fs = 48000;
    test::TempDir dir;
    AudioBuffer mix(2, 3 * fs);
    constexpr std::size_t kAt = 50001;
    mix.channel(0)[kAt] = 0.5f;
    mix.channel(1)[kAt] = 0.5f;
    test::writeFile(dir.file("mix.wav"), mix, fs, kFloatWav);
    for (bool multiband : {false, true}) {
        MasteringSettings s;
        s.format = OutputFormat::Wav32f;
        s.multiband.enabled = multiband;
        s.toneMatch.amount = 1.0;
        s.toneMatch.targetDb.assign(31, 0.0); // flat: a tilt against the impulse's rising third-octave spectrum
        MasteringChain chain(dir.file("mix.wav"), dir.file("master.wav"), s);
        const MasterResult r = chain.renderWithGain(0.0);
        bool curveActive = false;
        for (double c : r.toneMatchCurveDb)
            curveActive = curveActive || std::fabs(c) > 0.5;
        EXPECT_TRUE(curveActive);
        const AudioBuffer out = test::readFile(r.path);
        ASSERT_EQ(out.frames(), mix.frames());
        std::size_t at = 0;
        for (std::size_t i = 0; i < out.frames(); ++i)
            if (std::fabs(out.channel(0)[i]) > std::fabs(out.channel(0)[at]))
                at = i;
        // The chain's latency is compensated exactly (multiband off: same index ±0). The LR4
        // multiband sums to an allpass, not a delay: its group delay (≈ 3.6 samples at low
        // frequencies for the 6 kHz crossover, 2√2 / ωc) smears the impulse and may move its
        // largest sample by one.
        if (multiband)
            EXPECT_LE(std::abs(static_cast<long>(at) - static_cast<long>(kAt)), 1L);
        else
            EXPECT_EQ(at, kAt);
        std::printf("impulse at %zu -> %zu (multiband %s)\n", kAt, at, multiband ? "on" : "off");
    }
}

TEST(MasteringChain, CapsAWideMixAt140PercentAndWidensANarrowOne)
{
    constexpr int fs = 44100;
    test::TempDir dir;
    // Wide: independent noise plus some anti-phase content (width ≈ 180 %).
    AudioBuffer wide = test::pinkNoise(fs, 2, 5.0, -24.0, 21);
    const AudioBuffer anti = test::pinkNoise(fs, 1, 5.0, -24.0, 22);
    for (std::size_t i = 0; i < wide.frames(); ++i) {
        wide.channel(0)[i] += anti.channel(0)[i];
        wide.channel(1)[i] -= anti.channel(0)[i];
    }
    // Narrow: mostly shared content (width ≈ 30 %).
    AudioBuffer narrow = test::pinkNoise(fs, 2, 5.0, -34.0, 23);
    const AudioBuffer common = test::pinkNoise(fs, 1, 5.0, -24.0, 24);
    for (std::size_t i = 0; i < narrow.frames(); ++i)
        for (int c = 0; c < 2; ++c)
            narrow.channel(c)[i] += common.channel(0)[i];

    for (const auto& [name, mix, want] : {std::tuple{"wide", &wide, 140.0}, std::tuple{"narrow", &narrow, 60.0}, std::tuple{"narrow", &narrow, 35.0}}) {
        test::writeFile(dir.file("mix.wav"), *mix, fs, kFloatWav);
        MasteringSettings s;
        s.widthPct = want;
        const MasterResult r = masterFile(dir.file("mix.wav"), dir.file("master.wav"), s);
        std::printf("%s: width in %.0f%%, factor %.3f, out %.1f%% (target %.0f%%), correlation %.2f\n", name,
                    r.widthInPct, r.widthFactor, r.output.widthPct, want, r.output.correlation);
        EXPECT_LE(r.output.widthPct, 140.0);
        const double reachable = std::min(want, 2.0 * r.widthInPct); // the side factor is at most 2
        EXPECT_NEAR(r.output.widthPct, reachable, 0.03 * reachable);
    }
}

TEST(MasteringChain, RenderWithGainAndPreLimiterLoudnessForTheQcLoop)
{
    constexpr int fs = 48000;
    test::TempDir dir;
    const AudioBuffer mix = test::syntheticSong(fs, 6.0);
    test::writeFile(dir.file("mix.wav"), mix, fs, kFloatWav);
    MasteringSettings s;
    s.targetLufs = -16.0; // little limiting: the output follows the gain
    MasteringChain chain(dir.file("mix.wav"), dir.file("master.wav"), s);
    const double pre = chain.preLimiterLoudness();
    EXPECT_TRUE(std::isfinite(pre));
    const MasterResult a = chain.renderWithGain(s.targetLufs - pre);
    const MasterResult b = chain.renderWithGain(s.targetLufs - pre - 3.0);
    std::printf("pre-limiter %.2f LUFS; gain %+.2f -> %.2f LUFS; gain %+.2f -> %.2f LUFS\n", pre, a.gainDb,
                a.output.integratedLufs, b.gainDb, b.output.integratedLufs);
    EXPECT_NEAR(a.output.integratedLufs, s.targetLufs, 0.5);
    EXPECT_NEAR(a.output.integratedLufs - b.output.integratedLufs, 3.0, 0.3);
    EXPECT_DOUBLE_EQ(a.preLimiterLufs, pre);
    EXPECT_EQ(a.renders, 1);
}

TEST(MasteringChain, RejectsSettingsOutOfRange)
{
    MasteringSettings s;
    s.widthPct = 150.0;
    EXPECT_THROW(MasteringChain chain("a.wav", "b.wav", s), InputError);
    s = {};
    s.ceilingDbtp = 0.5;
    EXPECT_THROW(MasteringChain chain("a.wav", "b.wav", s), InputError);
}

} // namespace
} // namespace mm
