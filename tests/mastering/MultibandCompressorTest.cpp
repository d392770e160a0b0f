// MultibandCompressor: flat sum with compression off (impulse + FFT and sines, ±0.1 dB),
// gain reduction where the level is and reporting per band.
#include "mastering/MasteringTestUtil.h"
#include "mastering/MultibandCompressor.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <kiss_fftr.h>

#include <cmath>
#include <cstdio>
#include <vector>

namespace mm {
namespace {

MultibandSettings uncompressed(std::vector<double> crossovers)
{
    MultibandSettings s;
    s.crossoversHz = std::move(crossovers);
    for (std::size_t b = 0; b <= s.crossoversHz.size(); ++b) {
        MultibandBandSettings band;
        band.ratio = 1.0;
        s.bands.push_back(band);
    }
    return s;
}

// Magnitude response (dB) of the processor's impulse response at bins 20 Hz … 20 kHz:
// returns the largest |deviation| from 0 dB.
double worstDeviationDb(MultibandCompressor& mb, double fs)
{
    constexpr std::size_t kN = 1 << 16;
    AudioBuffer imp(1, kN);
    imp.channel(0)[0] = 1.0f;
    const AudioBuffer ir = test::runAligned(mb, imp, 0);
    kiss_fftr_cfg cfg = kiss_fftr_alloc(static_cast<int>(kN), 0, nullptr, nullptr);
    std::vector<kiss_fft_cpx> spec(kN / 2 + 1);
    kiss_fftr(cfg, ir.channel(0), spec.data());
    kiss_fftr_free(cfg);
    double worst = 0.0;
    for (std::size_t k = 1; k < spec.size(); ++k) {
        const double hz = static_cast<double>(k) * fs / kN;
        if (hz < 20.0 || hz > 20000.0)
            continue;
        const double db = 10.0 * std::log10(double(spec[k].r) * spec[k].r + double(spec[k].i) * spec[k].i);
        worst = std::max(worst, std::fabs(db));
    }
    return worst;
}

TEST(MultibandCompressor, SumsFlatWithCompressionOff)
{
    for (double fs : {44100.0, 48000.0}) {
        for (const auto& x : {std::vector<double>{200.0, 2000.0}, std::vector<double>{120.0, 1000.0, 6000.0}}) {
            MultibandCompressor mb;
            mb.setSettings(uncompressed(x), {});
            mb.prepare({fs, 1, 4096});
            const double worst = worstDeviationDb(mb, fs);
            std::printf("multiband %d bands fs %.0f: impulse-response magnitude within ±%.4f dB (20 Hz-20 kHz)\n",
                        mb.bands(), fs, worst);
            EXPECT_LE(worst, 0.1);
        }
    }
}

TEST(MultibandCompressor, SinesPassAtUnityWithCompressionOff)
{
    constexpr double fs = 48000.0;
    MultibandCompressor mb;
    mb.setSettings(uncompressed({120.0, 1000.0, 6000.0}), {});
    mb.prepare({fs, 2, 4096});
    double worst = 0.0;
    for (double hz : {20.0, 50.0, 120.0, 500.0, 1000.0, 3000.0, 6000.0, 12000.0, 20000.0}) {
        mb.reset();
        const AudioBuffer in = test::sine(fs, 2, 2.0, hz, -6.0);
        const AudioBuffer out = test::runAligned(mb, in, 0);
        double si = 0.0, so = 0.0;
        for (std::size_t i = 48000; i < 96000; ++i) { // the second second: settled, 1 s of whole periods
            si += double(in.channel(1)[i]) * in.channel(1)[i];
            so += double(out.channel(1)[i]) * out.channel(1)[i];
        }
        const double db = 10.0 * std::log10(so / si);
        worst = std::max(worst, std::fabs(db));
        EXPECT_NEAR(db, 0.0, 0.1) << hz << " Hz";
    }
    std::printf("multiband sines 20 Hz-20 kHz: worst %.4f dB\n", worst);
}

TEST(MultibandCompressor, DisabledIsBitExactBypass)
{
    MultibandSettings s;
    s.enabled = false;
    MultibandCompressor mb;
    mb.setSettings(s, {});
    mb.prepare({48000.0, 2, 4096});
    const AudioBuffer in = test::pinkNoise(48000.0, 2, 0.5, -20.0, 3);
    const AudioBuffer out = test::runAligned(mb, in, 0);
    for (std::size_t i = 0; i < in.frames(); ++i)
        ASSERT_EQ(out.channel(0)[i], in.channel(0)[i]);
    for (const auto& b : mb.report())
        EXPECT_EQ(b.maxGrDb, 0.0);
}

TEST(MultibandCompressor, CompressesOnlyTheLoudBandAndReportsIt)
{
    constexpr double fs = 48000.0;
    // Quiet pink noise everywhere plus 60 Hz bursts (0.25 s on / 0.75 s off): the bursts
    // sit 6 dB over the low band's programme level, 4 dB over its threshold.
    AudioBuffer in = test::pinkNoise(fs, 2, 6.0, -30.0, 5);
    const AudioBuffer bass = test::sine(fs, 2, 6.0, 60.0, -8.0);
    for (std::size_t i = 0; i < in.frames(); ++i)
        if ((i / 12000) % 4 == 0)
            for (int c = 0; c < 2; ++c)
                in.channel(c)[i] += bass.channel(c)[i];

    MultibandSettings s;
    s.crossoversHz = {150.0, 2000.0};
    BandLevelMeter meter;
    meter.prepare({fs, 2, 4096}, s.crossoversHz);
    {
        AudioBuffer chunk(2, 4096);
        for (std::size_t pos = 0; pos < in.frames(); pos += 4096) {
            const std::size_t n = std::min<std::size_t>(4096, in.frames() - pos);
            chunk.setFrames(n);
            for (int c = 0; c < 2; ++c)
                std::copy_n(in.channel(c) + pos, n, chunk.channel(c));
            meter.process(chunk);
        }
    }
    MultibandCompressor mb;
    mb.setSettings(s, meter.levelsDb());
    mb.prepare({fs, 2, 4096});
    test::runAligned(mb, in, 0);
    const auto r = mb.report();
    ASSERT_EQ(r.size(), 3u);
    for (const auto& b : r)
        std::printf("band %6.0f-%6.0f Hz: level %6.1f dB, threshold %6.1f dB, GR avg %.2f max %.2f dB\n", b.lowHz,
                    b.highHz, b.levelDb, b.thresholdDb, b.averageGrDb, b.maxGrDb);
    EXPECT_NEAR(r[0].levelDb, -8.0 - 3.01 - 6.02, 1.0); // sine of peak −8 dBFS, on a quarter of the time
    EXPECT_GT(r[0].maxGrDb, 1.0);
    EXPECT_GT(r[0].averageGrDb, 0.5);
    EXPECT_LE(r[0].averageGrDb, r[0].maxGrDb);
    EXPECT_LT(r[2].averageGrDb, 1.0); // stationary noise: little to do
    EXPECT_DOUBLE_EQ(r[2].highHz, 24000.0);
}


// The mix render measures band levels before the headroom gain, which is decided after it:
// levelsDb(gain) must read what measuring the scaled programme reads, gate included (a
// stretch whose bands sit at ≈ −72 dBFS is under the −70 dBFS gate unscaled and over it
// 10 dB up).
TEST(BandLevelMeter, LevelsForAGainDecidedAfterwardsEqualMeasuringTheScaledProgramme)
{
    constexpr double fs = 48000.0;
    AudioBuffer x = test::pinkNoise(fs, 2, 4.0, -20.0, 9);
    const AudioBuffer quiet = test::pinkNoise(fs, 2, 4.0, -66.0, 10); // bands ≈ −71 … −73 dBFS
    test::append(x, quiet);
    const std::array<double, 3> xo{120.0, 1000.0, 6000.0};
    const auto measure = [&](BandLevelMeter& m, float gain) {
        m.prepare({fs, 2, 4096}, xo);
        AudioBuffer block(2, 4096);
        for (std::size_t pos = 0; pos < x.frames(); pos += 4096) {
            const std::size_t n = std::min<std::size_t>(4096, x.frames() - pos);
            block.setFrames(n);
            for (int c = 0; c < 2; ++c)
                for (std::size_t i = 0; i < n; ++i)
                    block.channel(c)[i] = gain * x.channel(c)[pos + i];
            m.process(block);
        }
    };
    const double gainDb = 10.0;
    BandLevelMeter scaledMeter, unscaled;
    measure(scaledMeter, static_cast<float>(std::pow(10.0, gainDb / 20.0)));
    measure(unscaled, 1.0f);
    const auto scaled = scaledMeter.levelsDb();
    const auto later = unscaled.levelsDb(gainDb);
    const auto plain = unscaled.levelsDb();
    ASSERT_EQ(scaled.size(), 4u);
    ASSERT_EQ(later.size(), 4u);
    for (std::size_t b = 0; b < 4; ++b) {
        EXPECT_NEAR(later[b], scaled[b], 1e-4) << b;
        // The quiet half counts once scaled (it lowers the level by ≈ 3 dB where it was
        // gated out unscaled: every band but the lowest, where pink noise is loudest): the
        // gain is not just added to the unscaled reading.
        EXPECT_LE(later[b], plain[b] + gainDb + 1e-9) << b;
        if (b > 0) {
            EXPECT_LT(later[b], plain[b] + gainDb - 2.0) << b;
        }
    }
    // restart(): the programme starts again (a second mix render).
    unscaled.restart();
    EXPECT_DOUBLE_EQ(unscaled.levelsDb()[0], -70.0);
}

} // namespace
} // namespace mm
