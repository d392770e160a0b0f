// TruePeakLimiter torture tests: signals pushed 12 dB over the ceiling, output true
// peak measured by libebur128 (EBUR128_MODE_TRUE_PEAK) and by our 8× TruePeakMeter.
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"
#include "support/Signals.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace mm {
namespace {

constexpr double kCeilingDb = -1.0;

// Runs `in` through a limiter in 1024-frame blocks, flushes, and returns the output
// aligned with the input (first latency() samples dropped).
AudioBuffer runLimiter(TruePeakLimiter& lim, const AudioBuffer& in, double fs, std::size_t blockSize = 1024)
{
    lim.prepare({fs, in.channels(), blockSize});
    const int lat = lim.latency();
    AudioBuffer all(in.channels(), in.frames() + static_cast<std::size_t>(lat));
    AudioBuffer block(in.channels(), blockSize);
    std::size_t w = 0;
    for (std::size_t pos = 0; pos < in.frames(); pos += blockSize) {
        const std::size_t n = std::min(blockSize, in.frames() - pos);
        block.setFrames(n);
        for (int c = 0; c < in.channels(); ++c)
            std::copy_n(in.channel(c) + pos, n, block.channel(c));
        lim.process(block);
        for (int c = 0; c < in.channels(); ++c)
            std::copy_n(block.channel(c), n, all.channel(c) + w);
        w += n;
    }
    AudioBuffer tail(in.channels(), static_cast<std::size_t>(lat));
    const std::size_t t = lim.flush(tail);
    for (int c = 0; c < in.channels(); ++c)
        std::copy_n(tail.channel(c), t, all.channel(c) + w);
    AudioBuffer out(in.channels(), in.frames());
    for (int c = 0; c < in.channels(); ++c)
        std::copy_n(all.channel(c) + lat, in.frames(), out.channel(c));
    return out;
}

double ebur128TruePeakDb(const AudioBuffer& b, unsigned fs)
{
    ebur128_state* st = ebur128_init(static_cast<unsigned>(b.channels()), fs, EBUR128_MODE_TRUE_PEAK);
    std::vector<float> inter(b.frames() * static_cast<std::size_t>(b.channels()));
    for (std::size_t i = 0; i < b.frames(); ++i)
        for (int c = 0; c < b.channels(); ++c)
            inter[i * static_cast<std::size_t>(b.channels()) + static_cast<std::size_t>(c)] = b.channel(c)[i];
    ebur128_add_frames_float(st, inter.data(), b.frames());
    double peak = 0.0;
    for (int c = 0; c < b.channels(); ++c) {
        double p = 0.0;
        ebur128_true_peak(st, static_cast<unsigned>(c), &p);
        peak = std::max(peak, p);
    }
    ebur128_destroy(&st);
    return linearToDb(peak);
}

double ourTruePeakDb(const AudioBuffer& b)
{
    TruePeakMeter m;
    m.prepare(b.channels());
    m.process(b);
    m.finish();
    return m.truePeakDb();
}

// Scales so the sample peak sits `dbOver` above the ceiling.
void normalisePeak(AudioBuffer& b, double dbOver)
{
    float peak = 0.0f;
    for (int c = 0; c < b.channels(); ++c)
        for (std::size_t i = 0; i < b.frames(); ++i)
            peak = std::max(peak, std::fabs(b.channel(c)[i]));
    const auto g = static_cast<float>(test::dbToGain(kCeilingDb + dbOver) / peak);
    for (int c = 0; c < b.channels(); ++c)
        for (std::size_t i = 0; i < b.frames(); ++i)
            b.channel(c)[i] *= g;
}

AudioBuffer square(double fs, double seconds, double freq)
{
    AudioBuffer b(2, static_cast<std::size_t>(seconds * fs));
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const double ph = std::fmod(static_cast<double>(i) * freq / fs, 1.0);
        b.channel(0)[i] = b.channel(1)[i] = ph < 0.5 ? 1.0f : -1.0f;
    }
    return b;
}

AudioBuffer clippedNoise(double fs, double seconds)
{
    AudioBuffer b = test::whiteNoise(fs, 2, seconds, -3.0, 11);
    for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < b.frames(); ++i)
            b.channel(c)[i] = std::clamp(b.channel(c)[i], -0.5f, 0.5f);
    return b;
}

// Clicks: single-sample impulses of alternating sign, 4 per second, on silence.
AudioBuffer clicks(double fs, double seconds)
{
    AudioBuffer b(2, static_cast<std::size_t>(seconds * fs));
    const auto step = static_cast<std::size_t>(fs / 4.0);
    for (std::size_t i = step / 2, k = 0; i < b.frames(); i += step, ++k)
        b.channel(0)[i] = b.channel(1)[i + 1 < b.frames() ? i + 1 : i] = (k % 2) ? -1.0f : 1.0f;
    return b;
}

// Drum-like hits: instant attack, 60 Hz body decaying in 80 ms plus a noise snap in 10 ms.
AudioBuffer drums(double fs, double seconds)
{
    AudioBuffer b(2, static_cast<std::size_t>(seconds * fs));
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const auto step = static_cast<std::size_t>(fs * 0.3);
    for (std::size_t start = 100; start < b.frames(); start += step)
        for (std::size_t i = 0; i < step && start + i < b.frames(); ++i) {
            const double t = static_cast<double>(i) / fs;
            const double v = std::exp(-t / 0.08) * std::sin(2.0 * std::numbers::pi * 60.0 * t + 1.0) + std::exp(-t / 0.01) * u(rng);
            b.channel(0)[start + i] = static_cast<float>(v);
            b.channel(1)[start + i] = static_cast<float>(0.8 * v);
        }
    return b;
}

struct Case {
    std::string name;
    std::function<AudioBuffer(double)> make;
};

TEST(LimiterTorture, TruePeakNeverExceedsCeilingWith12DbOverdrive)
{
    const double secs = 1.0;
    const std::vector<Case> cases = {
        {"square 100 Hz", [&](double fs) { return square(fs, secs, 100.0); }},
        {"square 1 kHz", [&](double fs) { return square(fs, secs, 1000.0); }},
        {"hard-clipped noise", [&](double fs) { return clippedNoise(fs, secs); }},
        {"fs/4 sine at 45 deg", [&](double fs) { return test::sine(fs, 2, secs, fs / 4.0, 0.0, std::numbers::pi / 4.0); }},
        {"20 Hz sine", [&](double fs) { return test::sine(fs, 2, secs, 20.0, 0.0); }},
        {"clicks", [&](double fs) { return clicks(fs, secs); }},
        {"drum hits", [&](double fs) { return drums(fs, secs); }},
    };
    for (double fs : {44100.0, 48000.0}) {
        for (const auto& tc : cases) {
            // Both ends of the lookahead range, each release mode once.
            const bool pdr = fs == 48000.0;
            const float lookaheadMs = pdr ? 5.0f : 1.5f;
            {
                AudioBuffer in = tc.make(fs);
                normalisePeak(in, 12.0);
                TruePeakLimiter lim;
                lim.setParams({static_cast<float>(kCeilingDb), lookaheadMs, 100.0f, pdr});
                const AudioBuffer out = runLimiter(lim, in, fs);
                const double ebu = ebur128TruePeakDb(out, static_cast<unsigned>(fs));
                const double ours = ourTruePeakDb(out);
                std::printf("%-20s fs %5.0f la %.1f pdr %d: in TP %+6.2f dBTP, out TP libebur128 %+.3f ours %+.3f dBTP, GR max %.1f avg %.1f dB\n",
                            tc.name.c_str(), fs, lookaheadMs, pdr, ourTruePeakDb(in), ebu, ours, lim.maxGainReductionDb(),
                            lim.averageGainReductionDb());
                SCOPED_TRACE(tc.name + " at " + std::to_string(fs));
                EXPECT_LE(ebu, kCeilingDb);
                EXPECT_LE(ours, kCeilingDb);
                EXPECT_GT(lim.maxGainReductionDb(), 8.0); // it really limited
            }
        }
    }
}

TEST(Limiter, BelowThresholdPassesUnchangedOnlyDelayed)
{
    const double fs = 48000.0;
    AudioBuffer in = test::pinkNoise(fs, 2, 1.0, -20.0, 3);
    normalisePeak(in, -4.0); // true peak stays well below the ceiling
    ASSERT_LT(ourTruePeakDb(in), kCeilingDb - TruePeakLimiter::kSafetyDb - 0.5);
    TruePeakLimiter lim;
    lim.setParams({static_cast<float>(kCeilingDb), 3.0f, 100.0f, true});
    const AudioBuffer out = runLimiter(lim, in, fs, 777); // odd block size on purpose
    EXPECT_EQ(lim.latency(), 144 + TruePeakMeter::kLatency - 1);
    float maxDiff = 0.0f;
    for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < in.frames(); ++i)
            maxDiff = std::max(maxDiff, std::fabs(out.channel(c)[i] - in.channel(c)[i]));
    EXPECT_LT(maxDiff, 1e-7f); // gain is exactly 1: only the delay (already removed)
    EXPECT_DOUBLE_EQ(lim.maxGainReductionDb(), 0.0);
    EXPECT_DOUBLE_EQ(lim.averageGainReductionDb(), 0.0);
}

// A click 13 dB over the ceiling on a quiet DC bed: the gain is read back as out / in.
TEST(Limiter, ReleaseRecoversWithin1DbInAboutTheReleaseTime)
{
    const double fs = 48000.0;
    for (float releaseMs : {50.0f, 100.0f, 300.0f}) {
        for (bool pdr : {true, false}) {
            AudioBuffer in(1, static_cast<std::size_t>(fs * 1.5));
            for (std::size_t i = 0; i < in.frames(); ++i)
                in.channel(0)[i] = 0.1f;
            const std::size_t clickAt = 4800;
            in.channel(0)[clickAt] = static_cast<float>(test::dbToGain(kCeilingDb + 12.0));
            TruePeakLimiter lim;
            lim.setParams({static_cast<float>(kCeilingDb), 2.0f, releaseMs, pdr});
            const AudioBuffer out = runLimiter(lim, in, fs);
            std::size_t recovered = 0;
            for (std::size_t i = in.frames() - 1; i > clickAt; --i)
                if (out.channel(0)[i] / in.channel(0)[i] < static_cast<float>(test::dbToGain(-1.0))) {
                    recovered = i + 1;
                    break;
                }
            const double ms = 1e3 * static_cast<double>(recovered - clickAt) / fs;
            std::printf("release %.0f ms pdr %d: within 1 dB after %.1f ms (GR max %.1f dB)\n", releaseMs, pdr, ms,
                        lim.maxGainReductionDb());
            EXPECT_GE(ms, 0.5 * releaseMs);
            EXPECT_LE(ms, 1.5 * releaseMs);
        }
    }
}

// Pink noise 6 dB over the ceiling in 4096-frame blocks (the pipeline's block size).
// Speed is measured by bench/ (BENCHMARKS.md), never by timed assertions in tests.
TEST(Limiter, PinkNoiseInLargeBlocksStaysUnderCeiling)
{
    const double fs = 48000.0;
    AudioBuffer in = test::pinkNoise(fs, 2, 2.0, -6.0, 9);
    normalisePeak(in, 6.0);
    TruePeakLimiter lim;
    lim.setParams({});
    const AudioBuffer out = runLimiter(lim, in, fs, 4096);
    EXPECT_LE(ourTruePeakDb(out), kCeilingDb + 1e-3);
    EXPECT_GT(lim.maxGainReductionDb(), 3.0);
}

TEST(Limiter, HoldsTheCeilingAsLibebur128ReadsItOnBrightLimitedMaterial)
{
    // 17 samples of a limited master (the bench song, previous limiter) where libebur128's
    // 4× interpolator read −1.05 dBTP and the 8× meter −1.60 (no sample above −1.7 dBFS):
    // bright, dense material between two near-equal samples. Repeated every 0.1 s and
    // pushed 6 dB over the ceiling, the limiter must bring libebur128's reading of its
    // output to its aim (ceiling − kSafetyDb), not only its own 8× reading.
    const float l[] = {+0.27716f, +0.02225f, +0.50065f, -0.14888f, -0.21884f, -0.54974f, -0.40221f, -0.52610f, -0.82242f,
                       -0.81527f, -0.34579f, -0.14101f, -0.22934f, -0.00337f, -0.19839f, -0.20664f, -0.04863f};
    const float r[] = {+0.44714f, +0.13291f, +0.49674f, -0.20833f, -0.30244f, -0.58609f, -0.47690f, -0.49489f, -0.70794f,
                       -0.79728f, -0.40349f, -0.24284f, -0.25364f, -0.07025f, -0.23205f, -0.21832f, -0.06462f};
    for (double fs : {44100.0, 48000.0}) {
        AudioBuffer in(2, static_cast<std::size_t>(fs));
        const auto period = static_cast<std::size_t>(fs / 10.0);
        for (std::size_t start = 1000; start + 17 < in.frames(); start += period)
            for (std::size_t k = 0; k < 17; ++k) {
                in.channel(0)[start + k] = l[k];
                in.channel(1)[start + k] = r[k];
            }
        // The excerpt alone already reads over the 8× estimate by libebur128.
        const double inEbu = ebur128TruePeakDb(in, static_cast<unsigned>(fs));
        EXPECT_GT(inEbu - ourTruePeakDb(in), 0.3) << fs;
        const auto g = static_cast<float>(test::dbToGain(kCeilingDb + 6.0 - inEbu));
        for (int c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < in.frames(); ++i)
                in.channel(c)[i] *= g;
        TruePeakLimiter lim;
        lim.setParams({static_cast<float>(kCeilingDb), 3.0f, 80.0f, true});
        const AudioBuffer out = runLimiter(lim, in, fs);
        const double aim = kCeilingDb - TruePeakLimiter::kSafetyDb;
        EXPECT_LE(ebur128TruePeakDb(out, static_cast<unsigned>(fs)), aim + 0.02) << fs;
        EXPECT_LE(ourTruePeakDb(out), aim + 0.02) << fs;
        EXPECT_GT(lim.maxGainReductionDb(), 5.0) << fs;
    }
}

TEST(Limiter, SamplePeakProbeTracksTheFullLimitersLoudnessAndHoldsSamplePeaks)
{
    // The mastering gain search's probes: same gain computer, cheap detector. On drum hits
    // and pink noise pushed 8 dB over, the probe's output power is within 0.2 dB of the
    // full limiter's, never below it (it reduces less), and no sample passes the ceiling.
    for (const auto& make : {std::function<AudioBuffer()>([] { return drums(48000.0, 3.0); }),
                             std::function<AudioBuffer()>([] { return test::pinkNoise(48000.0, 2, 3.0, -12.0, 3); })}) {
        AudioBuffer in = make();
        normalisePeak(in, 8.0);
        const auto power = [](const AudioBuffer& b) {
            double e = 0.0;
            for (int c = 0; c < b.channels(); ++c)
                for (std::size_t i = 0; i < b.frames(); ++i)
                    e += static_cast<double>(b.channel(c)[i]) * b.channel(c)[i];
            return 10.0 * std::log10(e);
        };
        TruePeakLimiter full, probe;
        TruePeakLimiterParams p{static_cast<float>(kCeilingDb), 3.0f, 80.0f, true};
        full.setParams(p);
        p.samplePeakDetector = true;
        probe.setParams(p);
        const AudioBuffer a = runLimiter(full, in, 48000.0);
        const AudioBuffer b = runLimiter(probe, in, 48000.0);
        const double diff = power(b) - power(a);
        EXPECT_GE(diff, -1e-3);
        EXPECT_LE(diff, 0.2);
        float peak = 0.0f;
        for (int c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < b.frames(); ++i)
                peak = std::max(peak, std::fabs(b.channel(c)[i]));
        EXPECT_LE(20.0 * std::log10(peak), kCeilingDb - TruePeakLimiter::kSafetyDb + 1e-4);
        EXPECT_GT(probe.maxGainReductionDb(), 5.0);
    }
}

} // namespace
} // namespace mm

namespace mm {
namespace {

// The mastering render runs the limiter as a pipeline: both channels' detect() of block
// k + 1 on two threads while block k is apply()'d on a third. The output must be
// process()'s, bit for bit, and the ceiling must hold.
TEST(Limiter, PipelinedDetectAndApplyEqualProcessBitForBit)
{
    constexpr double fs = 48000.0;
    AudioBuffer in = drums(fs, 3.0);
    normalisePeak(in, 9.0);
    constexpr std::size_t kBlock = 2048;
    TruePeakLimiter reference;
    const AudioBuffer expected = runLimiter(reference, in, fs, kBlock);

    TruePeakLimiter lim;
    lim.prepare({fs, 2, kBlock});
    const std::size_t blocks = (in.frames() + kBlock - 1) / kBlock;
    std::vector<AudioBuffer> work(blocks, AudioBuffer(2, kBlock));
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t n = std::min(kBlock, in.frames() - b * kBlock);
        work[b].setFrames(n);
        for (int c = 0; c < 2; ++c)
            std::copy_n(in.channel(c) + b * kBlock, n, work[b].channel(c));
    }
    for (std::size_t k = 0; k <= blocks; ++k) {
        std::vector<std::thread> threads;
        if (k < blocks)
            for (int c = 0; c < 2; ++c)
                threads.emplace_back([&, c] { lim.detect(c, work[k].channel(c), work[k].frames()); });
        if (k > 0)
            threads.emplace_back([&] { lim.apply(work[k - 1]); });
        for (auto& t : threads)
            t.join();
    }
    AudioBuffer tail(2, static_cast<std::size_t>(lim.latency()));
    lim.flush(tail);
    const auto lat = static_cast<std::size_t>(lim.latency());
    std::size_t compared = 0;
    for (std::size_t i = 0; i < in.frames(); ++i) {
        const std::size_t at = i + lat; // output position of input frame i
        const AudioBuffer& src = at / kBlock < blocks ? work[at / kBlock] : tail;
        const std::size_t j = at / kBlock < blocks ? at % kBlock : at - blocks * kBlock;
        if (at / kBlock < blocks && j >= src.frames())
            continue; // past the last (short) block: in the tail, handled below
        for (int c = 0; c < 2; ++c)
            ASSERT_EQ(src.channel(c)[j], expected.channel(c)[i]) << i;
        ++compared;
    }
    EXPECT_GT(compared, in.frames() - kBlock);
    EXPECT_LE(ourTruePeakDb(expected), kCeilingDb);
}

} // namespace
} // namespace mm
