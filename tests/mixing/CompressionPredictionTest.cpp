// The policy's prediction of a stem compressor (mixing/CompressionPrediction.h) against
// the compressor itself, on sustained, dynamic and percussive material, with the RMS and
// the peak detector: the threshold found for 2 dB average gain reduction must give 2 dB
// within the case's tolerance when the real Compressor runs, and the predicted loudness
// loss must match the measured loss of integrated loudness (BS.1770) within its own. The
// mixer relies on both to place every stem at its level in one render.
// Tolerances: RMS detector (12 of the 16 roles) 0.3 dB and 0.5 LU. Peak detector 1.0 dB
// and 1.3 LU: the 10 ms envelope cannot see single peaks, and these signals are harsher
// than the roles that use it (4-5 dB of loudness taken for 2 dB average reduction); on the
// bench song's kick, snare and hats the prediction came within 0.1 dB.
#include "analysis/Analyzer.h"
#include "analysis/GatedLoudness.h"
#include "dsp/Compressor.h"
#include "mixing/CompressionPrediction.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mm;
using namespace mm::test;

namespace {

constexpr double kFs = 48000.0;
constexpr std::size_t kBlock = 4096;

/// A bass-like tone whose level steps every 0.5 s (seeded), ± 10 dB around −20 dBFS.
AudioBuffer phrasedTone(double seconds)
{
    AudioBuffer x(2, static_cast<std::size_t>(seconds * kFs));
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> level(-30.0, -10.0);
    double g = dbToGain(level(rng));
    for (std::size_t i = 0; i < x.frames(); ++i) {
        if (i % 24000 == 0)
            g = dbToGain(level(rng));
        const double t = static_cast<double>(i) / kFs;
        const double v = g * (0.8 * std::sin(2 * M_PI * 110 * t) + 0.2 * std::sin(2 * M_PI * 330 * t));
        x.channel(0)[i] = static_cast<float>(v);
        x.channel(1)[i] = static_cast<float>(0.9 * v);
    }
    return x;
}

/// Drum-like hits: white-noise bursts with a 40 ms decay, 4 per second, peaks −15 … −3 dBFS.
AudioBuffer hits(double seconds)
{
    AudioBuffer x(2, static_cast<std::size_t>(seconds * kFs));
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> level(-15.0, -3.0), noise(-1.0, 1.0);
    double g = 0.0;
    for (std::size_t i = 0; i < x.frames(); ++i) {
        if (i % 12000 == 0)
            g = dbToGain(level(rng));
        const double env = g * std::exp(-static_cast<double>(i % 12000) / (0.040 * kFs));
        x.channel(0)[i] = static_cast<float>(env * noise(rng));
        x.channel(1)[i] = static_cast<float>(env * noise(rng));
    }
    return x;
}

/// Vocal-like: pink noise under a slow (0.7 Hz) swell of ±8 dB.
AudioBuffer swelling(double seconds)
{
    AudioBuffer x = pinkNoise(kFs, 2, seconds, -18.0, 5);
    for (std::size_t i = 0; i < x.frames(); ++i) {
        const double g = dbToGain(8.0 * std::sin(2 * M_PI * 0.7 * static_cast<double>(i) / kFs));
        x.channel(0)[i] = static_cast<float>(x.channel(0)[i] * g);
        x.channel(1)[i] = static_cast<float>(x.channel(1)[i] * g);
    }
    return x;
}

/// Calls `f` on x in blocks of kBlock frames (copies, as a stream would deliver them).
template <typename F>
void inBlocks(const AudioBuffer& x, F&& f)
{
    AudioBuffer block(x.channels(), kBlock);
    for (std::size_t pos = 0; pos < x.frames(); pos += kBlock) {
        const std::size_t n = std::min(kBlock, x.frames() - pos);
        block.setFrames(n);
        for (int c = 0; c < x.channels(); ++c)
            std::copy(x.channel(c) + pos, x.channel(c) + pos + n, block.channel(c));
        f(block);
    }
}

StemFeatures featuresOf(const AudioBuffer& x)
{
    AnalyzerOptions o;
    o.features = true;
    o.expectedFrames = static_cast<std::int64_t>(x.frames());
    Analyzer a(kFs, x.channels(), o);
    inBlocks(x, [&](const AudioBuffer& b) { a.process(b); });
    a.finish();
    return a.features();
}

struct Measured {
    double averageGrDb, loudnessLossDb;
};

Measured compress(const AudioBuffer& x, const CompressorParams& p)
{
    Compressor comp;
    comp.prepare({kFs, x.channels(), kBlock});
    comp.setParams(p);
    IntegratedLoudness before, after;
    before.prepare(kFs, x.channels());
    after.prepare(kFs, x.channels());
    inBlocks(x, [&](AudioBuffer& b) {
        before.process(b);
        comp.process(b);
        after.process(b);
    });
    return {comp.averageGainReductionDb(), before.integratedLufs() - after.integratedLufs()};
}

struct Case {
    const char* name;
    AudioBuffer (*signal)(double);
    Detector detector;
    double ratio, attackMs, releaseMs;
    double grTolDb, lossTolDb;
};

class CompressionPredictionTest : public ::testing::TestWithParam<Case> {};

TEST_P(CompressionPredictionTest, ThresholdGivesTheAimedReductionAndTheLoudnessLossIsPredicted)
{
    const Case& c = GetParam();
    const AudioBuffer x = c.signal(30.0);
    const StemFeatures f = featuresOf(x);
    ASSERT_EQ(f.envelopeMeanSquare.size(), x.frames() / 480);
    CompressorParams p;
    p.detector = c.detector;
    p.ratio = c.ratio;
    p.attackMs = c.attackMs;
    p.releaseMs = c.releaseMs;
    p.kneeDb = 6.0;
    p.thresholdDb = thresholdForTargetGr(f, p, 2.0);
    const auto predicted = predictCompression(f, p);
    const auto measured = compress(x, p);
    EXPECT_NEAR(predicted.averageGrDb, 2.0, 0.01) << c.name;
    EXPECT_NEAR(measured.averageGrDb, 2.0, c.grTolDb) << c.name << " threshold " << p.thresholdDb;
    EXPECT_NEAR(predicted.loudnessLossDb, measured.loudnessLossDb, c.lossTolDb) << c.name << " threshold " << p.thresholdDb;
    EXPECT_GT(measured.loudnessLossDb, 0.5) << c.name; // the case compresses at all
}

INSTANTIATE_TEST_SUITE_P(Material, CompressionPredictionTest,
                         ::testing::Values(Case{"bass, RMS", phrasedTone, Detector::Rms, 4.0, 20.0, 150.0, 0.3, 0.5},
                                           Case{"hits, RMS", hits, Detector::Rms, 3.0, 10.0, 120.0, 0.3, 0.5},
                                           Case{"vocal, RMS", swelling, Detector::Rms, 3.0, 5.0, 100.0, 0.3, 0.5},
                                           Case{"bass, peak", phrasedTone, Detector::Peak, 4.0, 10.0, 80.0, 1.0, 1.3},
                                           Case{"hits, peak", hits, Detector::Peak, 4.0, 5.0, 100.0, 1.0, 1.3},
                                           Case{"vocal, peak", swelling, Detector::Peak, 2.0, 10.0, 150.0, 1.0, 1.3}),
                         [](const ::testing::TestParamInfo<Case>& param) {
                             std::string n = param.param.name;
                             for (char& ch : n)
                                 if (!std::isalnum(static_cast<unsigned char>(ch)))
                                     ch = '_';
                             return n;
                         });

TEST(CompressionPrediction, FiltersBeforeTheCompressorMoveTheThresholdByTheirLevelChange)
{
    const StemFeatures f = featuresOf(swelling(20.0));
    CompressorParams p;
    p.detector = Detector::Rms;
    p.ratio = 3.0;
    const double flat = thresholdForTargetGr(f, p, 2.0);
    const double cut = thresholdForTargetGr(f, p, 2.0, -3.0);
    EXPECT_NEAR(cut - flat, -3.0, 0.01);
}

TEST(CompressionPrediction, WithoutAnEnvelopeFallsBackToTheLevelHistogram)
{
    StemFeatures f = featuresOf(swelling(20.0));
    f.envelopeMeanSquare.clear();
    f.envelopePeakPower.clear();
    CompressorParams p;
    p.detector = Detector::Rms;
    p.thresholdDb = thresholdForTargetGr(f, p, 2.0);
    const auto predicted = predictCompression(f, p);
    EXPECT_NEAR(predicted.averageGrDb, 2.0, 0.01);
    EXPECT_EQ(predicted.loudnessLossDb, predicted.averageGrDb);
}

} // namespace
