// Our integrated loudness and loudness range (GatedLoudness, through LoudnessMeter without
// true peak) against libebur128 itself on the same audio. Same K-weighting design and
// gating rules, so the readings agree to rounding: tolerance 0.002 LU for integrated
// loudness, 0.01 LU for LRA (its percentiles pick one block each).
#include "analysis/KWeighting.h"
#include "analysis/LoudnessMeter.h"
#include "analysis/SlidingLoudness.h"
#include "support/Signals.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using mm::AudioBuffer;

struct Reading {
    double integrated, lra;
};

Reading libebur128(const AudioBuffer& a, double rate)
{
    ebur128_state* st = ebur128_init(static_cast<unsigned>(a.channels()), static_cast<unsigned long>(rate), EBUR128_MODE_I | EBUR128_MODE_LRA);
    std::vector<float> inter(a.frames() * static_cast<std::size_t>(a.channels()));
    for (std::size_t i = 0; i < a.frames(); ++i)
        for (int c = 0; c < a.channels(); ++c)
            inter[i * static_cast<std::size_t>(a.channels()) + static_cast<std::size_t>(c)] = a.channel(c)[i];
    ebur128_add_frames_float(st, inter.data(), a.frames());
    Reading r{};
    if (ebur128_loudness_global(st, &r.integrated) != EBUR128_SUCCESS)
        r.integrated = NAN;
    if (ebur128_loudness_range(st, &r.lra) != EBUR128_SUCCESS)
        r.lra = NAN;
    ebur128_destroy(&st);
    return r;
}

// Feeds `a` in blocks of odd sizes (segments straddle block boundaries).
Reading ours(const AudioBuffer& a, double rate, bool integratedOnly)
{
    mm::LoudnessMeter meter(rate, a.channels(), false, integratedOnly);
    const std::size_t sizes[] = {4096, 777, 1, 10000, 333};
    std::size_t pos = 0, k = 0;
    AudioBuffer block(a.channels(), 10000);
    while (pos < a.frames()) {
        const std::size_t n = std::min(sizes[k++ % 5], a.frames() - pos);
        block.setFrames(n);
        for (int c = 0; c < a.channels(); ++c)
            std::copy(a.channel(c) + pos, a.channel(c) + pos + n, block.channel(c));
        meter.process(block);
        pos += n;
    }
    const auto r = meter.result();
    return {r.integratedLufs, r.lraLu};
}

// A programme with loudness changes: pink noise at several levels, gaps of silence,
// a sine section (a level series like EBU 3342's, in one file).
AudioBuffer programme(double rate, int channels)
{
    using namespace mm::test;
    AudioBuffer a = pinkNoise(rate, channels, 7.3, -20.0, 1);
    append(a, pinkNoise(rate, channels, 5.1, -32.0, 2));
    append(a, sine(rate, channels, 0.9, 1000.0, -90.0)); // under the absolute gate
    append(a, sine(rate, channels, 6.0, 440.0, -14.0));
    append(a, whiteNoise(rate, channels, 9.7, -26.0, 3));
    append(a, pinkNoise(rate, channels, 4.2, -45.0, 4)); // under the relative gate
    return a;
}

class GatedLoudness : public ::testing::TestWithParam<std::tuple<double, int>> {};

TEST_P(GatedLoudness, MatchesLibebur128)
{
    const auto [rate, channels] = GetParam();
    const AudioBuffer a = programme(rate, channels);
    const Reading ref = libebur128(a, rate);
    const Reading full = ours(a, rate, false);
    const Reading iOnly = ours(a, rate, true);
    ASSERT_TRUE(std::isfinite(ref.integrated));
    EXPECT_NEAR(full.integrated, ref.integrated, 0.002);
    EXPECT_NEAR(iOnly.integrated, ref.integrated, 0.002);
    EXPECT_NEAR(full.lra, ref.lra, 0.01);
    EXPECT_GT(ref.lra, 3.0); // the programme does have a range to measure
}

INSTANTIATE_TEST_SUITE_P(RatesAndChannels, GatedLoudness,
                         ::testing::Combine(::testing::Values(44100.0, 48000.0, 96000.0), ::testing::Values(1, 2)));

TEST(GatedLoudnessEdges, SilenceAndShortProgrammes)
{
    const double rate = 48000.0;
    // Silence: −inf, like libebur128.
    AudioBuffer silence(2, 48000);
    silence.clear();
    EXPECT_TRUE(std::isinf(ours(silence, rate, true).integrated));
    EXPECT_TRUE(std::isinf(ours(silence, rate, false).integrated));
    // 350 ms: shorter than one block → −inf in both.
    const AudioBuffer shortTone = mm::test::sine(rate, 2, 0.35, 1000.0, -20.0);
    EXPECT_TRUE(std::isinf(libebur128(shortTone, rate).integrated));
    EXPECT_TRUE(std::isinf(ours(shortTone, rate, true).integrated));
    // EBU 3341 calibration: a 1 kHz sine of −20 dBFS peak in both channels reads −20.0 LUFS
    // (mean square −3.01 dB, two channels +3.01 dB, K gain at 1 kHz cancels the −0.691).
    const AudioBuffer tone = mm::test::sine(rate, 2, 2.0, 1000.0, -20.0);
    EXPECT_NEAR(ours(tone, rate, true).integrated, libebur128(tone, rate).integrated, 0.002);
    EXPECT_NEAR(ours(tone, rate, true).integrated, -20.0, 0.1);
}

} // namespace

TEST(KWeightingFastPath, StereoLanesAreBitIdenticalToEachChannelAlone)
{
    // Two different channels through the two-lane path and through a filter each: every
    // output pair must match exactly, and the state carried across runs of odd lengths too.
    std::mt19937 rng(51);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> l(20000), r(20000);
    for (std::size_t i = 0; i < l.size(); ++i) {
        l[i] = 0.9f * u(rng);
        r[i] = 0.4f * u(rng);
    }
    for (const double fs : {44100.0, 48000.0}) {
        const auto coeffs = mm::designKWeighting(fs);
        mm::KWeightingFilter fl(coeffs), fr(coeffs), refL(coeffs), refR(coeffs);
        std::size_t pos = 0, checked = 0;
        for (const std::size_t len : {std::size_t{1}, std::size_t{7}, std::size_t{333}, std::size_t{4096}, std::size_t{15563}}) {
            mm::KWeightingFilter::processStereo(fl, fr, l.data() + pos, r.data() + pos, len, [&](std::size_t i, mm::Double2 y) {
                ASSERT_EQ(y[0], refL.process(l[pos + i])) << pos + i;
                ASSERT_EQ(y[1], refR.process(r[pos + i])) << pos + i;
                ++checked;
            });
            pos += len;
        }
        EXPECT_EQ(checked, l.size());
    }
}

TEST(SlidingLoudnessFastPath, ReadingsDoNotDependOnBlockSize)
{
    // The windows advance in runs between events (segment, second, window, ring wrap);
    // fed one frame at a time every run is one frame long, so any block size must give
    // the same readings bit for bit. 8 s of noise stepping in level, so maxima and
    // seconds fall at different places, at 44.1 kHz (windows not a multiple of 4096).
    const double rate = 44100.0;
    mm::AudioBuffer a = mm::test::pinkNoise(rate, 2, 8.0, -20.0, 77);
    for (std::size_t i = 0; i < a.frames(); ++i) {
        const float g = (i / 30000) % 3 == 1 ? 3.0f : 1.0f;
        a.channel(0)[i] *= g;
        a.channel(1)[i] *= 0.5f * g;
    }
    const auto feed = [&](std::size_t block) {
        mm::SlidingLoudness s;
        s.prepare(rate, 2);
        for (std::size_t from = 0; from < a.frames(); from += block) {
            const std::size_t len = std::min(block, a.frames() - from);
            mm::AudioBuffer b(2, len);
            for (int c = 0; c < 2; ++c)
                std::copy_n(a.channel(c) + from, len, b.channel(c));
            s.process(b);
        }
        return s;
    };
    const mm::SlidingLoudness one = feed(1);
    EXPECT_GT(one.maxMomentaryLufs(), one.maxShortTermLufs() + 0.5);
    EXPECT_EQ(one.shortTermPerSecond().size(), 8u);
    for (const std::size_t block : {std::size_t{7}, std::size_t{4096}, std::size_t{44100}}) {
        const mm::SlidingLoudness other = feed(block);
        EXPECT_EQ(other.maxMomentaryLufs(), one.maxMomentaryLufs()) << block;
        EXPECT_EQ(other.maxShortTermLufs(), one.maxShortTermLufs()) << block;
        EXPECT_EQ(other.shortTermPerSecond(), one.shortTermPerSecond()) << block;
        EXPECT_EQ(other.integratedLufs(), one.integratedLufs()) << block;
        EXPECT_EQ(other.loudnessRangeLu(), one.loudnessRangeLu()) << block;
    }
}
