// Stereo figures, spectrum and stem features on signals whose answers are known.
#include "analysis/Analyzer.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mm;
using namespace mm::test;

namespace {

AudioMetrics measure(const AudioBuffer& x, double fs, StemFeatures* f = nullptr)
{
    AnalyzerOptions opt;
    opt.features = f != nullptr;
    opt.truePeak = false;
    Analyzer a(fs, x.channels(), opt);
    a.process(x);
    auto m = a.finish();
    if (f)
        *f = a.features();
    return m;
}

} // namespace

TEST(StereoMeter, MonoFileHasCorrelationOneWidthZero)
{
    const auto m = measure(pinkNoise(48000, 1, 2.0, -20, 1), 48000);
    EXPECT_DOUBLE_EQ(m.correlation, 1.0);
    EXPECT_DOUBLE_EQ(m.widthPct, 0.0);
}

TEST(StereoMeter, IdenticalChannelsAreMono)
{
    AudioBuffer x = pinkNoise(48000, 2, 2.0, -20, 1);
    std::copy(x.channel(0), x.channel(0) + x.frames(), x.channel(1));
    const auto m = measure(x, 48000);
    EXPECT_NEAR(m.correlation, 1.0, 1e-9);
    EXPECT_NEAR(m.widthPct, 0.0, 1e-3);
}

TEST(StereoMeter, IndependentNoisesAreUncorrelatedAndFullWidth)
{
    // Two independent Gaussian noises of 5 s: the sample correlation's standard error is
    // 1/sqrt(240000) ≈ 0.002; ±0.02 is ten of those.
    const auto m = measure(whiteNoise(48000, 2, 5.0, -20, 7), 48000);
    EXPECT_NEAR(m.correlation, 0.0, 0.02);
    EXPECT_NEAR(m.widthPct, 100.0, 2.0);
}

TEST(StereoMeter, InvertedChannelIsMinusOne)
{
    AudioBuffer x = pinkNoise(48000, 2, 2.0, -20, 3);
    for (std::size_t i = 0; i < x.frames(); ++i)
        x.channel(1)[i] = -x.channel(0)[i];
    const auto m = measure(x, 48000);
    EXPECT_NEAR(m.correlation, -1.0, 1e-9);
    EXPECT_GE(m.widthPct, 999.0); // mid is empty: width reads its cap
}

TEST(Spectrum, SineLandsInItsThirdOctaveBand)
{
    const auto m = measure(sine(48000, 2, 3.0, 1000.0, -6.0), 48000);
    const auto& centres = thirdOctaveCentres();
    ASSERT_EQ(m.thirdOctaveDb.size(), centres.size());
    std::size_t k1000 = 0;
    for (std::size_t k = 0; k < centres.size(); ++k)
        if (std::fabs(centres[k] - 1000.0) < 1.0)
            k1000 = k;
    EXPECT_NEAR(m.thirdOctaveDb[k1000], -6.0 - 3.0103, 0.3);
    // Hann window side lobes: two bands away the level is > 60 dB down.
    EXPECT_LT(m.thirdOctaveDb[k1000 + 2], m.thirdOctaveDb[k1000] - 60.0);
    EXPECT_LT(m.thirdOctaveDb[k1000 - 2], m.thirdOctaveDb[k1000] - 60.0);
}

TEST(Spectrum, PinkNoiseIsFlatInThirdOctaves)
{
    // Pink noise has equal power per third octave: bands from 50 Hz to 16 kHz within ±1.5 dB
    // of their mean (the generator is ±0.5 dB; the rest is the estimate's variance).
    const auto m = measure(pinkNoise(48000, 1, 20.0, -20, 5), 48000);
    const auto& centres = thirdOctaveCentres();
    double sum = 0.0;
    int n = 0;
    for (std::size_t k = 0; k < centres.size(); ++k)
        if (centres[k] >= 50 && centres[k] <= 16000) {
            sum += m.thirdOctaveDb[k];
            ++n;
        }
    const double mean = sum / n;
    for (std::size_t k = 0; k < centres.size(); ++k) {
        if (centres[k] >= 50 && centres[k] <= 16000) {
            EXPECT_NEAR(m.thirdOctaveDb[k], mean, 1.5) << centres[k] << " Hz";
        }
    }
}

TEST(Features, ActivityOfHalfSilentSignal)
{
    AudioBuffer x = pinkNoise(48000, 2, 4.0, -20, 2);
    append(x, AudioBuffer(2, 4 * 48000));
    StemFeatures f;
    measure(x, 48000, &f);
    EXPECT_NEAR(f.activity, 0.5, 0.06);
    EXPECT_FALSE(f.silent);
}

TEST(Features, TransientDensityOfAClickTrain)
{
    // Decaying 2 kHz bursts, 4 per second, for 6 s: 4 onsets per active second (±0.5).
    AudioBuffer x(1, 6 * 48000);
    for (int hit = 0; hit < 24; ++hit)
        for (std::size_t i = 0; i < 4800; ++i)
            x.channel(0)[static_cast<std::size_t>(hit) * 12000 + i] =
                static_cast<float>(0.5 * std::exp(-static_cast<double>(i) / 800.0) * std::sin(2 * 3.14159265 * 2000 * static_cast<double>(i) / 48000));
    StemFeatures f;
    measure(x, 48000, &f);
    EXPECT_NEAR(f.transientsPerSecond * f.activity, 4.0, 0.5);
}

TEST(Features, SilenceIsReportedSilent)
{
    StemFeatures f;
    const auto m = measure(AudioBuffer(2, 48000), 48000, &f);
    EXPECT_TRUE(f.silent);
    EXPECT_TRUE(std::isinf(m.integratedLufs));
    EXPECT_DOUBLE_EQ(f.activity, 0.0);
}

TEST(Features, BandEnergiesFollowTheSpectrum)
{
    StemFeatures low, high;
    measure(sine(48000, 1, 2.0, 80.0, -10.0), 48000, &low);
    measure(sine(48000, 1, 2.0, 3000.0, -10.0), 48000, &high);
    EXPECT_NEAR(low.bandDb[1], -13.0, 0.5);   // 80 Hz is in "bass" (60-150 Hz)
    EXPECT_NEAR(high.bandDb[5], -13.0, 0.5);  // 3 kHz is in "presence" (2.5-5 kHz)
    EXPECT_LT(low.spectralCentroidHz, 200.0);
    EXPECT_GT(high.spectralCentroidHz, 2000.0);
    EXPECT_FALSE(low.bandFrames.empty());
}
