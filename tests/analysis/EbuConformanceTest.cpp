// EBU Tech 3341 (loudness meter) and Tech 3342 (loudness range) conformance, with the
// test signals generated here from the specifications' descriptions (the EBU test files
// may be used only for testing and are not redistributed). Tolerances are the specs':
// ±0.1 LU for M, S and I; +0.2/−0.4 dB for true peak; ±1 LU for LRA.
#include "analysis/Analyzer.h"
#include "analysis/LoudnessMeter.h"
#include "dsp/TruePeakLimiter.h"
#include "support/Signals.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace mm;
using namespace mm::test;

namespace {

/// Concatenates 1 kHz stereo sine segments of {seconds, dBFS} (phase continuous).
AudioBuffer toneSequence(double fs, std::initializer_list<std::pair<double, double>> segments)
{
    std::size_t total = 0;
    for (auto [sec, db] : segments)
        total += static_cast<std::size_t>(std::llround(sec * fs));
    AudioBuffer b(2, total);
    std::size_t i = 0;
    for (auto [sec, db] : segments) {
        const auto n = static_cast<std::size_t>(std::llround(sec * fs));
        const double a = db <= -200 ? 0.0 : dbToGain(db);
        for (std::size_t k = 0; k < n; ++k, ++i) {
            const auto v = static_cast<float>(a * std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(i) / fs));
            b.channel(0)[i] = v;
            b.channel(1)[i] = v;
        }
    }
    return b;
}

AudioMetrics measure(const AudioBuffer& x, double fs, std::size_t blockSize = 4096)
{
    AnalyzerOptions opt;
    opt.expectedFrames = static_cast<std::int64_t>(x.frames());
    Analyzer a(fs, x.channels(), opt);
    AudioBuffer block(x.channels(), blockSize);
    for (std::size_t pos = 0; pos < x.frames(); pos += blockSize) {
        const std::size_t n = std::min(blockSize, x.frames() - pos);
        block.setFrames(n);
        for (int c = 0; c < x.channels(); ++c)
            std::copy(x.channel(c) + pos, x.channel(c) + pos + n, block.channel(c));
        a.process(block);
    }
    return a.finish();
}

constexpr double kLu = 0.1; // Tech 3341 tolerance for M, S, I

class Ebu3341 : public ::testing::TestWithParam<double> {
protected:
    double fs() const { return GetParam(); }
};

} // namespace

TEST_P(Ebu3341, Case1_Sine23)
{
    const auto m = measure(toneSequence(fs(), {{20, -23}}), fs());
    EXPECT_NEAR(m.integratedLufs, -23.0, kLu);
    EXPECT_NEAR(m.maxMomentaryLufs, -23.0, kLu);
    EXPECT_NEAR(m.maxShortTermLufs, -23.0, kLu);
}

TEST_P(Ebu3341, Case2_Sine33)
{
    const auto m = measure(toneSequence(fs(), {{20, -33}}), fs());
    EXPECT_NEAR(m.integratedLufs, -33.0, kLu);
    EXPECT_NEAR(m.maxMomentaryLufs, -33.0, kLu);
    EXPECT_NEAR(m.maxShortTermLufs, -33.0, kLu);
}

TEST_P(Ebu3341, Case3_RelativeGate)
{
    const auto m = measure(toneSequence(fs(), {{10, -36}, {60, -23}, {10, -36}}), fs());
    EXPECT_NEAR(m.integratedLufs, -23.0, kLu);
}

TEST_P(Ebu3341, Case4_AbsoluteAndRelativeGate)
{
    const auto m = measure(toneSequence(fs(), {{10, -72}, {10, -36}, {60, -23}, {10, -36}, {10, -72}}), fs());
    EXPECT_NEAR(m.integratedLufs, -23.0, kLu);
}

TEST_P(Ebu3341, Case5_GatingBlockBoundaries)
{
    const auto m = measure(toneSequence(fs(), {{20, -26}, {20.1, -20}, {20, -26}}), fs());
    EXPECT_NEAR(m.integratedLufs, -23.0, kLu);
}

TEST_P(Ebu3341, Case9_ShortTermConstantAfter3s)
{
    // 20 periods of 1.34 s at −20 dBFS and 1.66 s at −30 dBFS: every 3 s window holds
    // one period, 10·log10((1.34·0.01 + 1.66·0.001)/3) = −22.99 LUFS.
    AudioBuffer x(2, 0);
    for (int k = 0; k < 20; ++k)
        append(x, toneSequence(fs(), {{1.34, -20}, {1.66, -30}}));
    const auto m = measure(x, fs());
    EXPECT_NEAR(m.maxShortTermLufs, -23.0, kLu);
    ASSERT_GE(m.shortTermPerSecond.size(), 50u);
    for (std::size_t s = 3; s < m.shortTermPerSecond.size(); ++s)
        EXPECT_NEAR(m.shortTermPerSecond[s], -23.0, kLu) << "second " << s;
}

TEST_P(Ebu3341, Case10_MaxShortTermOffGrid)
{
    // 3 s bursts at −23 dBFS starting at offsets that no 100 ms grid hits.
    for (int k = 0; k < 20; ++k) {
        const double offset = 0.5 + 0.0137 * k;
        const auto m = measure(toneSequence(fs(), {{offset, -300}, {3.0, -23}, {1.0, -300}}), fs());
        EXPECT_NEAR(m.maxShortTermLufs, -23.0, kLu) << "segment " << k;
    }
}

TEST_P(Ebu3341, Case12_MomentaryConstant)
{
    // 0.18 s at −20 dBFS and 0.22 s at −30 dBFS: each 400 ms window reads −22.97 LUFS.
    AudioBuffer x(2, 0);
    for (int k = 0; k < 25; ++k)
        append(x, toneSequence(fs(), {{0.18, -20}, {0.22, -30}}));
    const auto m = measure(x, fs());
    EXPECT_NEAR(m.maxMomentaryLufs, -23.0, kLu);
}

TEST_P(Ebu3341, Case13_MaxMomentaryOffGrid)
{
    // 400 ms bursts at −23 dBFS at offsets off any 100 ms grid: a meter read every
    // 100 ms under-reads these by up to 1.25 dB.
    for (int k = 0; k < 20; ++k) {
        const double offset = 0.3 + 0.0071 * k;
        const auto m = measure(toneSequence(fs(), {{offset, -300}, {0.4, -23}, {0.5, -300}}), fs());
        EXPECT_NEAR(m.maxMomentaryLufs, -23.0, kLu) << "segment " << k;
    }
}

INSTANTIATE_TEST_SUITE_P(Rates, Ebu3341, ::testing::Values(48000.0, 44100.0),
                         [](const auto& p) { return std::to_string(static_cast<int>(p.param)); });

namespace {

/// A stereo sine of `freq` with true (continuous) peak `tpDb` and phase `phaseDeg` at sample 0.
AudioBuffer truePeakSine(double fs, double freq, double tpDb, double phaseDeg, double seconds = 2.0)
{
    AudioBuffer x = sine(fs, 2, seconds, freq, tpDb, phaseDeg * std::numbers::pi / 180.0);
    // 20 ms raised-cosine fades: a sine switched on mid-cycle is a step, and a step's
    // band-limited reconstruction overshoots (Gibbs), which is not what these cases test.
    const auto fade = static_cast<std::size_t>(0.02 * fs);
    for (std::size_t i = 0; i < fade; ++i) {
        const auto g = static_cast<float>(0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(i) / static_cast<double>(fade)));
        for (int c = 0; c < 2; ++c) {
            x.channel(c)[i] *= g;
            x.channel(c)[x.frames() - 1 - i] *= g;
        }
    }
    return x;
}

void expectTruePeak(const AudioBuffer& x, double fs, double expected)
{
    const auto m = measure(x, fs);
    EXPECT_LE(m.truePeakDbtp, expected + 0.2);
    EXPECT_GE(m.truePeakDbtp, expected - 0.4);
}

} // namespace

// Cases 15-19: sines at fs/4 (and fs/6, fs/8) whose samples miss the waveform's peak by
// up to 3 dB; the expected reading is the continuous peak.
TEST(Ebu3341TruePeak, Case15_QuarterRatePhase0) { expectTruePeak(truePeakSine(48000, 12000, -6, 0), 48000, -6.0); }
TEST(Ebu3341TruePeak, Case16_QuarterRatePhase45) { expectTruePeak(truePeakSine(48000, 12000, -6, 45), 48000, -6.0); }
TEST(Ebu3341TruePeak, Case17_SixthRatePhase60) { expectTruePeak(truePeakSine(48000, 8000, -6, 60), 48000, -6.0); }
TEST(Ebu3341TruePeak, Case18_EighthRatePhase67) { expectTruePeak(truePeakSine(48000, 6000, -6, 67.5), 48000, -6.0); }
TEST(Ebu3341TruePeak, Case19_OverFullScale)
{
    // Samples at 0 dBFS (float), waveform peaks at +3 dBTP.
    expectTruePeak(truePeakSine(48000, 12000, 3.0103, 45), 48000, 3.0);
}
// Cases 20-23: waveforms whose continuous peak is 0 dBTP with samples below it.
TEST(Ebu3341TruePeak, Case20_QuarterRateZeroDbtp) { expectTruePeak(truePeakSine(48000, 12000, 0, 45), 48000, 0.0); }
TEST(Ebu3341TruePeak, Case21_SixthRateZeroDbtp) { expectTruePeak(truePeakSine(48000, 8000, 0, 30), 48000, 0.0); }
TEST(Ebu3341TruePeak, Case22_LowSineZeroDbtp) { expectTruePeak(truePeakSine(48000, 997, 0, 10), 48000, 0.0); }
TEST(Ebu3341TruePeak, Case23_QuarterRateAt44k1) { expectTruePeak(truePeakSine(44100, 11025, 0, 45), 44100, 0.0); }

class Ebu3342 : public ::testing::TestWithParam<double> {};

TEST_P(Ebu3342, LoudnessRangeCases1to4)
{
    const double fs = GetParam();
    struct Case { std::initializer_list<std::pair<double, double>> seq; double lra; };
    const Case cases[] = {
        {{{20, -20}, {20, -30}}, 10.0},
        {{{20, -20}, {20, -15}}, 5.0},
        {{{20, -40}, {20, -20}}, 20.0},
        {{{20, -50}, {20, -35}, {20, -20}, {20, -35}, {20, -50}}, 15.0},
    };
    int n = 1;
    for (const auto& c : cases) {
        const auto m = measure(toneSequence(fs, c.seq), fs);
        EXPECT_NEAR(m.lraLu, c.lra, 1.0) << "Tech 3342 case " << n++;
    }
}

INSTANTIATE_TEST_SUITE_P(Rates, Ebu3342, ::testing::Values(48000.0, 44100.0),
                         [](const auto& p) { return std::to_string(static_cast<int>(p.param)); });

TEST(Calibration, SineMinus18dBFSReadsMinus18Lufs)
{
    for (double fs : {48000.0, 44100.0}) {
        const auto m = measure(sine(fs, 2, 10.0, 1000.0, -18.0), fs);
        EXPECT_NEAR(m.integratedLufs, -18.0, 0.05) << fs;
    }
}

TEST(Calibration, OddBlockSizesGiveTheSameResult)
{
    const AudioBuffer x = toneSequence(48000, {{0.7, -300}, {0.4, -23}, {0.5, -300}});
    const auto a = measure(x, 48000, 4096);
    const auto b = measure(x, 48000, 65);
    EXPECT_NEAR(a.maxMomentaryLufs, b.maxMomentaryLufs, 1e-6);
    EXPECT_NEAR(a.integratedLufs, b.integratedLufs, 1e-6);
}

namespace {

// libebur128 itself, fed every sample (interleaved), as the reference.
struct RawEbur128 {
    ebur128_state* st;
    int channels;
    RawEbur128(double fs, int chs, int mode) : st(ebur128_init(static_cast<unsigned>(chs), static_cast<unsigned long>(fs), mode)), channels(chs) {}
    ~RawEbur128() { ebur128_destroy(&st); }
    void add(const AudioBuffer& b)
    {
        std::vector<float> inter(b.frames() * static_cast<std::size_t>(channels));
        for (std::size_t i = 0; i < b.frames(); ++i)
            for (int c = 0; c < channels; ++c)
                inter[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] = b.channel(c)[i];
        ebur128_add_frames_float(st, inter.data(), b.frames());
    }
    double truePeak(int c) const
    {
        double p = 0.0;
        ebur128_true_peak(st, static_cast<unsigned>(c), &p);
        return p;
    }
};

// LoudnessMeter's libebur128 readings: loudness and LRA from one state, the true peak per
// channel (Ebur128ChannelPeak, screened). The figures must be one full libebur128 state's,
// exactly.
TEST(Ebur128Split, LoudnessMeterReadsWhatOneLibebur128StateReads)
{
    for (const double fs : {44100.0, 48000.0}) {
        // Different material per channel, with inter-sample peaks (a near-fs/4 sine) in one.
        AudioBuffer x = pinkNoise(fs, 2, 6.0, -12.0, 3);
        const AudioBuffer tone = sine(fs, 1, 6.0, fs / 4.0 - 17.0, -3.0, 0.7);
        for (std::size_t i = 0; i < x.frames(); ++i)
            x.channel(1)[i] = 0.5f * x.channel(1)[i] + tone.channel(0)[i];
        RawEbur128 whole(fs, 2, EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
        LoudnessMeter meter(fs, 2, true);
        Ebur128ChannelPeak left(fs), right(fs);
        constexpr std::size_t kBlock = 1000;
        AudioBuffer block(2, kBlock);
        for (std::size_t pos = 0; pos < x.frames(); pos += kBlock) {
            const std::size_t n = std::min(kBlock, x.frames() - pos);
            block.setFrames(n);
            for (int c = 0; c < 2; ++c)
                std::copy(x.channel(c) + pos, x.channel(c) + pos + n, block.channel(c));
            whole.add(block);
            meter.process(block);
            left.process(block.channel(0), n);
            right.process(block.channel(1), n);
        }
        const LoudnessResult r = meter.result();
        double integrated = 0.0, lra = 0.0;
        ebur128_loudness_global(whole.st, &integrated);
        ebur128_loudness_range(whole.st, &lra);
        EXPECT_EQ(r.integratedLufs, integrated) << fs;
        EXPECT_EQ(r.lraLu, lra) << fs;
        EXPECT_EQ(left.truePeak(), whole.truePeak(0)) << fs;
        EXPECT_EQ(right.truePeak(), whole.truePeak(1)) << fs;
        EXPECT_EQ(r.truePeakDbtp, 20.0 * std::log10(std::max(whole.truePeak(0), whole.truePeak(1)))) << fs;
        EXPECT_GT(right.truePeak(), left.truePeak()); // the sine's channel carries the peak
    }
}

// Ebur128ChannelPeak gives libebur128 only the chunks that can hold its maximum (screened
// by the float interpolator). Its reading must still be exactly what libebur128 reads
// when given every sample: on dense limited material (peaks at the ceiling all along, so
// many chunks reach within rounding of the maximum) and on material whose peak is one
// short inter-sample burst (most chunks skipped), at 4× (44.1, 48 kHz) and 2× (96 kHz).
TEST(Ebur128Split, ScreenedChannelPeakIsLibebur128sReadingExactly)
{
    for (const double fs : {44100.0, 48000.0, 96000.0}) {
        // Dense: pink noise 8 dB too loud for a −1 dBTP limiter.
        AudioBuffer dense = pinkNoise(fs, 1, 8.0, -9.0, 11);
        TruePeakLimiter limiter;
        limiter.setParams({});
        limiter.prepare({fs, 1, dense.frames()});
        limiter.process(dense);
        // Sparse: quiet noise with 30 ms of a near-fs/4 sine (inter-sample peaks) at 6 s.
        AudioBuffer sparse = pinkNoise(fs, 1, 8.0, -40.0, 12);
        const AudioBuffer burst = sine(fs, 1, 0.03, fs / 4.0 - 31.0, -2.0, 0.7);
        const auto at = static_cast<std::size_t>(6.0 * fs);
        for (std::size_t i = 0; i < burst.frames(); ++i)
            sparse.channel(0)[at + i] += burst.channel(0)[i];

        // Edge: the peak is a click right at the start of a chunk that follows skipped ones,
        // so its points read the samples before the chunk (the history fed ahead of it).
        AudioBuffer edge = pinkNoise(fs, 1, 8.0, -30.0, 13);
        constexpr std::size_t kBlock = 777; // not a multiple of the screen's chunk; each call is one chunk
        const std::size_t click = (static_cast<std::size_t>(5.0 * fs) / kBlock) * kBlock;
        edge.channel(0)[click] = 0.5f;
        edge.channel(0)[click + 1] = -0.5f;
        edge.channel(0)[click + 2] = 0.5f;

        for (const AudioBuffer* x : {&dense, &sparse, &edge}) {
            RawEbur128 whole(fs, 1, EBUR128_MODE_TRUE_PEAK);
            Ebur128ChannelPeak screened(fs);
            AudioBuffer block(1, kBlock);
            for (std::size_t pos = 0; pos < x->frames(); pos += kBlock) {
                const std::size_t n = std::min(kBlock, x->frames() - pos);
                block.setFrames(n);
                std::copy(x->channel(0) + pos, x->channel(0) + pos + n, block.channel(0));
                whole.add(block);
                screened.process(block.channel(0), n);
            }
            const double expected = 20.0 * std::log10(whole.truePeak(0));
            EXPECT_EQ(20.0 * std::log10(screened.truePeak()), expected) << fs << (x == &dense ? " dense" : x == &sparse ? " sparse" : " edge");
            if (x != &dense) { // the screen did its work: libebur128 saw little but the burst
                EXPECT_LT(screened.framesMeasured(), static_cast<std::int64_t>(x->frames() / 10)) << fs;
            } else { // limited: peaks at the ceiling all along
                EXPECT_LE(expected, -1.0) << fs;
                EXPECT_GT(expected, -1.5) << fs;
            }
        }
    }
}

} // namespace
