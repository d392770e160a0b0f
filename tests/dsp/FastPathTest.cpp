// The speed paths of the DSP layer against their plain forms: every one is meant to give
// the same numbers, bit for bit, or (true-peak skipping) the same result for a reason
// stated next to it. A speed path that drifts from its reference fails here.
#include "dsp/Biquad.h"
#include "dsp/Compressor.h"
#include "dsp/LinkwitzRiley.h"
#include "dsp/Oversampler.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakMeter.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace mm {
namespace {

constexpr double kFs = 48000.0;

std::vector<float> noise(std::size_t n, float amplitude, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-amplitude, amplitude);
    std::vector<float> x(n);
    for (auto& v : x)
        v = u(rng);
    return x;
}

// 0.3 s of a 0.9-amplitude 100 Hz sine (sets the held peak), 0.3 s of noise at 0.05
// (chunks a bound can skip), then 0.3 s of an fs/4 sine at 45° (20 ms fades) whose
// samples are only ±0.7 while its crest is 0.7·√2 ≈ 0.99: an inter-sample peak in
// chunks whose samples are below the held peak, which no skip may miss.
std::vector<float> hiddenPeakSignal()
{
    const auto part = static_cast<std::size_t>(0.3 * kFs);
    std::vector<float> x;
    for (std::size_t i = 0; i < part; ++i)
        x.push_back(static_cast<float>(0.9 * std::sin(2.0 * std::numbers::pi * 100.0 * static_cast<double>(i) / kFs)));
    const auto quiet = noise(part, 0.05f, 7);
    x.insert(x.end(), quiet.begin(), quiet.end());
    const auto fade = static_cast<std::size_t>(0.02 * kFs); // raised-cosine ends: no ringing of a cut
    auto ramp = [&](std::size_t k) {
        return k < fade ? 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(k) / static_cast<double>(fade)) : 1.0;
    };
    for (std::size_t i = 0; i < part; ++i)
        x.push_back(static_cast<float>(ramp(i) * ramp(part - 1 - i) * 0.7 * std::sqrt(2.0) *
                                       std::sin(std::numbers::pi / 2.0 * static_cast<double>(i) + std::numbers::pi / 4.0)));
    return x;
}

TEST(OversamplerFastPath, OutputsStayWithinTheGainBound)
{
    Oversampler os;
    os.prepare(1);
    EXPECT_GT(os.gainBound(), 1.0f);
    EXPECT_LT(os.gainBound(), 4.0f);
    // The worst case of a phase is an input with the signs of its taps; noise comes close
    // on some outputs but never passes the bound.
    const auto x = noise(Oversampler::kMaxBlock * 40, 1.0f, 3);
    float worst = 0.0f;
    for (std::size_t from = 0; from < x.size(); from += Oversampler::kMaxBlock) {
        const float in = os.inputPeak(0, x.data() + from, Oversampler::kMaxBlock);
        const float* rows = os.processBlock(0, x.data() + from, Oversampler::kMaxBlock);
        for (int p = 0; p < Oversampler::kFactor; ++p)
            for (int i = 0; i < Oversampler::kMaxBlock; ++i)
                worst = std::max(worst, std::fabs(rows[p * Oversampler::kRowStride + i]) / in);
    }
    EXPECT_LE(worst, os.gainBound());
    EXPECT_GT(worst, 1.0f); // inter-sample points do exceed the input peak
}

TEST(OversamplerFastPath, SkippedBlocksKeepHistoryAndReturnTheLastPoint)
{
    Oversampler full, skipping;
    full.prepare(1);
    skipping.prepare(1);
    const auto x = noise(Oversampler::kMaxBlock * 12, 0.9f, 11);
    const int sizes[] = {512, 37, 512, 1, 200, 512, 64, 300};
    std::size_t from = 0;
    for (int k = 0; from < x.size(); ++k) {
        const int n = std::min<int>(sizes[k % 8], static_cast<int>(x.size() - from));
        const float* rows = full.processBlock(0, x.data() + from, n);
        const float last = rows[(Oversampler::kFactor - 1) * Oversampler::kRowStride + n - 1];
        if (k % 2 == 1) {
            EXPECT_EQ(skipping.skipBlock(0, x.data() + from, n), last) << "block " << k;
        } else {
            const float* again = skipping.processBlock(0, x.data() + from, n);
            for (int p = 0; p < Oversampler::kFactor; ++p)
                for (int i = 0; i < n; ++i)
                    ASSERT_EQ(again[p * Oversampler::kRowStride + i], rows[p * Oversampler::kRowStride + i]) << "block " << k;
        }
        from += static_cast<std::size_t>(n);
    }
}

TEST(TruePeakFastPath, HiddenInterSamplePeakAfterALouderPartIsFound)
{
    const auto x = hiddenPeakSignal();
    TruePeakMeter block, reference;
    block.prepare(1);
    reference.prepare(1);
    AudioBuffer b(1, x.size());
    std::copy(x.begin(), x.end(), b.channel(0));
    block.process(b);
    block.finish();
    for (float v : x)
        reference.pushSample(0, v);
    for (int i = 0; i < TruePeakMeter::kLatency; ++i)
        reference.pushSample(0, 0.0f);
    const double expected = 20.0 * std::log10(0.7 * std::sqrt(2.0)); // −0.09 dBTP
    EXPECT_NEAR(block.truePeakDb(), expected, 0.01);
    EXPECT_NEAR(block.truePeak(), reference.truePeak(), 1e-5f);

    // libebur128's own 4× reading and the block-wise copy of it that skips chunks.
    Ebur128TruePeak fast;
    fast.prepare(1, kFs);
    fast.process(b);
    ebur128_state* st = ebur128_init(1, static_cast<unsigned>(kFs), EBUR128_MODE_TRUE_PEAK);
    ebur128_add_frames_float(st, x.data(), x.size());
    double lib = 0.0;
    ebur128_true_peak(st, 0, &lib);
    ebur128_destroy(&st);
    EXPECT_NEAR(20.0 * std::log10(fast.truePeak()), 20.0 * std::log10(lib), 0.001);
    EXPECT_NEAR(20.0 * std::log10(fast.truePeak()), expected, 0.05);
}

TEST(TruePeakFastPath, Ebur128ScreeningDoesNotDependOnBlocksOrSeed)
{
    // The hidden peak comes after a louder part, so later chunks are screened against a
    // held peak; blocks shorter than the history (12 samples), partial chunks and a seed
    // at the sample peak (as the mix render gives it) must read exactly what whole chunks
    // give. Also the same signal with the fs/4 sine switched on abruptly: its onset
    // overshoots, and the interpolated values there read the skipped quiet chunks' last
    // samples as history, so a history kept wrong across skipped short blocks shows.
    const auto check = [](const std::vector<float>& x) {
        AudioBuffer whole(1, x.size());
        std::copy(x.begin(), x.end(), whole.channel(0));
        Ebur128TruePeak reference;
        reference.prepare(1, kFs);
        reference.process(whole);
        // Nothing screened: every point of the interpolator (chunkPeak over the signal
        // with 12 zeros of history before it).
        const int h = reference.history();
        std::vector<float> padded(static_cast<std::size_t>(h), 0.0f);
        padded.insert(padded.end(), x.begin(), x.end());
        padded.resize(padded.size() + 8, 0.0f);
        std::vector<float> scratch(Ebur128TruePeak::kChunk);
        float all = peakAbs(x.data(), x.size());
        for (std::size_t from = 0; from < x.size(); from += Ebur128TruePeak::kChunk) {
            const int n = static_cast<int>(std::min<std::size_t>(Ebur128TruePeak::kChunk, x.size() - from));
            all = std::max(all, reference.chunkPeak(padded.data() + h + from, n, scratch.data()));
        }
        EXPECT_EQ(reference.truePeak(), all);
        const float samplePeak = peakAbs(x.data(), x.size());
        for (const bool seeded : {false, true}) {
            for (const std::size_t block : {std::size_t{1}, std::size_t{5}, std::size_t{12}, std::size_t{13}, std::size_t{1000},
                                            std::size_t{1025}, std::size_t{4096}}) {
                Ebur128TruePeak split;
                split.prepare(1, kFs);
                if (seeded)
                    split.seed(samplePeak);
                AudioBuffer b(1, block);
                for (std::size_t from = 0; from < x.size(); from += block) {
                    const std::size_t n = std::min(block, x.size() - from);
                    std::copy_n(x.data() + from, n, b.channel(0));
                    split.process(b, n);
                }
                EXPECT_EQ(split.truePeak(), reference.truePeak()) << block << " seeded " << seeded;
            }
        }
        return reference.truePeak();
    };
    const auto hidden = hiddenPeakSignal();
    EXPECT_GT(check(hidden), 0.95f); // the fs/4 sine's crest, not its 0.9 sample peak
    auto abrupt = hidden;
    const auto part = abrupt.size() / 3;
    for (std::size_t i = 0; i < part; ++i)
        abrupt[2 * part + i] =
            static_cast<float>(0.7 * std::sqrt(2.0) * std::sin(std::numbers::pi / 2.0 * static_cast<double>(i) + std::numbers::pi / 4.0));
    EXPECT_GT(check(abrupt), check(hidden)); // the onset's overshoot
    // Two equal samples at the end of a 128-sample piece, quiet noise after: the crest
    // between them is computed at pushes of the next piece, which only its history (the
    // two samples) can let through the screen.
    auto pair = noise(static_cast<std::size_t>(0.5 * kFs), 0.05f, 9);
    const std::size_t p = 20 * Ebur128TruePeak::kChunk + 3 * Ebur128TruePeak::kPiece - 1;
    pair[p - 1] = pair[p] = 0.9f;
    EXPECT_GT(check(pair), 0.95f);
}

TEST(TruePeakFastPath, EnvelopeIgnoresOnlyChunksBelowTheLevel)
{
    auto x = hiddenPeakSignal();
    const auto loud = noise(static_cast<std::size_t>(0.2 * kFs), 1.0f, 5);
    x.insert(x.end(), loud.begin(), loud.end());
    constexpr float kLevel = 0.95f;
    TruePeakMeter all, some;
    all.prepare(1);
    some.prepare(1);
    std::vector<float> envAll(x.size()), envSome(x.size());
    all.envelope(0, x.data(), x.size(), envAll.data());
    some.envelope(0, x.data(), x.size(), envSome.data(), kLevel);
    std::size_t ignored = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (envSome[i] != envAll[i]) {
            ASSERT_EQ(envSome[i], 0.0f) << i;
            ASSERT_LT(envAll[i], kLevel) << i;
            ++ignored;
        }
    }
    EXPECT_GT(ignored, x.size() / 5); // the quiet part was skipped
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (envAll[i] >= kLevel) {
            ASSERT_EQ(envSome[i], envAll[i]) << i;
        }
    }
}

TEST(ParametricEqFastPath, StereoPathIsBitIdenticalToEachChannelAlone)
{
    const std::vector<EqBand> first{{FilterType::HighPass, 40.0, 0.7071, 0.0, true},
                                    {FilterType::Peak, 250.0, 1.0, -3.0, true},
                                    {FilterType::Peak, 3000.0, 2.0, 4.0, true},
                                    {FilterType::HighShelf, 9000.0, 0.7071, 2.0, true}};
    auto second = first;
    second[1].gainDb = 2.0;   // smoothed change
    second[2].enabled = false; // cross-fade out
    const auto left = noise(48000, 0.5f, 21), right = noise(48000, 0.5f, 22);
    ParametricEq stereo, monoL, monoR;
    stereo.prepare({kFs, 2, 1000});
    monoL.prepare({kFs, 1, 1000});
    monoR.prepare({kFs, 1, 1000});
    for (auto* eq : {&stereo, &monoL, &monoR})
        eq->setBands(first);
    for (std::size_t from = 0; from < left.size(); from += 1000) {
        if (from == 24000)
            for (auto* eq : {&stereo, &monoL, &monoR})
                eq->setBands(second);
        AudioBuffer s(2, 1000), l(1, 1000), r(1, 1000);
        std::copy_n(left.data() + from, 1000, s.channel(0));
        std::copy_n(right.data() + from, 1000, s.channel(1));
        std::copy_n(left.data() + from, 1000, l.channel(0));
        std::copy_n(right.data() + from, 1000, r.channel(0));
        stereo.process(s);
        monoL.process(l);
        monoR.process(r);
        for (std::size_t i = 0; i < 1000; ++i) {
            ASSERT_EQ(s.channel(0)[i], l.channel(0)[i]) << from + i;
            ASSERT_EQ(s.channel(1)[i], r.channel(0)[i]) << from + i;
        }
    }
}

std::vector<float> compress(const CompressorParams& p, const std::vector<float>& l, const std::vector<float>& r,
                            std::size_t block, double* averageGr)
{
    Compressor c;
    c.prepare({kFs, 2, 8192});
    c.setParams(p);
    std::vector<float> out;
    for (std::size_t from = 0; from < l.size(); from += block) {
        const std::size_t n = std::min(block, l.size() - from);
        AudioBuffer b(2, n);
        std::copy_n(l.data() + from, n, b.channel(0));
        std::copy_n(r.data() + from, n, b.channel(1));
        c.process(b);
        out.insert(out.end(), b.channel(0), b.channel(0) + n);
        out.insert(out.end(), b.channel(1), b.channel(1) + n);
    }
    *averageGr = c.averageGainReductionDb();
    return out;
}

/// A peak-detecting, max-linked compressor and its RMS, mean-linked, side-chain-filtered twin.
std::array<CompressorParams, 2> peakAndRms(double thresholdDb, double ratio, double makeupDb, double sidechainHpHz)
{
    CompressorParams peak;
    peak.thresholdDb = thresholdDb;
    peak.ratio = ratio;
    peak.makeupDb = makeupDb;
    CompressorParams rms = peak;
    rms.detector = Detector::Rms;
    rms.sidechainHpHz = sidechainHpHz;
    rms.link = StereoLink::Mean;
    return {peak, rms};
}

TEST(CompressorFastPath, OutputDoesNotDependOnBlockSize)
{
    // Bursts of noise with silences: attack, release, the statistics floor.
    auto l = noise(96000, 0.9f, 31), r = noise(96000, 0.6f, 32);
    for (std::size_t i = 0; i < l.size(); ++i)
        if ((i / 9000) % 3 == 2)
            l[i] = r[i] = 0.0f;
    for (const auto& p : peakAndRms(-18.0, 4.0, 3.0, 120.0)) {
        double grRef = 0.0, gr = 0.0;
        // One frame per call: the chunked passes then see chunks of one frame.
        const auto reference = compress(p, l, r, 1, &grRef);
        EXPECT_GT(grRef, 1.0);
        for (std::size_t block : {std::size_t{7}, std::size_t{256}, std::size_t{257}, std::size_t{4096}}) {
            const auto out = compress(p, l, r, block, &gr);
            EXPECT_EQ(gr, grRef) << block;
            std::size_t a = 0, bpos = 0;
            for (std::size_t from = 0; from < l.size(); from += block) {
                const std::size_t n = std::min(block, l.size() - from);
                for (std::size_t i = 0; i < n; ++i) {
                    const std::size_t f = from + i;
                    ASSERT_EQ(out[bpos + i], reference[2 * f]) << "block " << block << " frame " << f;
                    ASSERT_EQ(out[bpos + n + i], reference[2 * f + 1]) << "block " << block << " frame " << f;
                }
                bpos += 2 * n;
                a += n;
            }
            EXPECT_EQ(a, l.size());
        }
    }
}


TEST(CompressorFastPath, StereoDetectorIsBitIdenticalToThePerChannelPath)
{
    // Equal channels: the stereo detector (both channels in one loop) must give exactly
    // what a mono compressor (the per-channel loops) gives — linking two equal powers by
    // max or by mean returns that power exactly, so any difference is the fast path's.
    auto x = noise(48000, 0.9f, 41);
    for (std::size_t i = 0; i < x.size(); ++i)
        if ((i / 7000) % 3 == 2)
            x[i] = 0.0f;
    for (const auto& p : peakAndRms(-20.0, 3.0, 2.0, 90.0)) {
        double grStereo = 0.0;
        const auto stereo = compress(p, x, x, 4096, &grStereo);
        Compressor mono;
        mono.prepare({kFs, 1, 4096});
        mono.setParams(p);
        std::size_t pos = 0;
        for (std::size_t from = 0; from < x.size(); from += 4096) {
            const std::size_t n = std::min<std::size_t>(4096, x.size() - from);
            AudioBuffer b(1, n);
            std::copy_n(x.data() + from, n, b.channel(0));
            mono.process(b);
            for (std::size_t i = 0; i < n; ++i) {
                ASSERT_EQ(stereo[pos + i], b.channel(0)[i]) << from + i;
                ASSERT_EQ(stereo[pos + n + i], b.channel(0)[i]) << from + i;
            }
            pos += 2 * n;
        }
        EXPECT_GT(grStereo, 1.0);
        EXPECT_EQ(grStereo, mono.averageGainReductionDb());
    }
}

TEST(BiquadFastPath, StereoSamplesAreBitIdenticalToProcessSample)
{
    const auto l = noise(10000, 0.9f, 61);
    const auto r = noise(10000, 0.2f, 62);
    Biquad pair, ref;
    for (Biquad* b : {&pair, &ref}) {
        b->prepare({kFs, 2, 4096});
        b->setCoeffs(designHighPass(120.0, 0.70710678118654752, kFs));
    }
    std::size_t pos = 0, checked = 0;
    for (const std::size_t len : {std::size_t{3}, std::size_t{997}, std::size_t{9000}}) {
        pair.processStereoSamples(l.data() + pos, r.data() + pos, len, [&](std::size_t i, Double2 y) {
            ASSERT_EQ(y[0], ref.processSample(0, l[pos + i])) << pos + i;
            ASSERT_EQ(y[1], ref.processSample(1, r[pos + i])) << pos + i;
            ++checked;
        });
        pos += len;
    }
    EXPECT_EQ(checked, l.size());
}

TEST(StereoWidthFastPath, CrossoverIsBitIdenticalToThePerSampleFilters)
{
    // The mono-below crossover runs its three filters through Biquad::Stepper (state in
    // registers); the reference is the per-sample form: processSample() on the same
    // designs, the width from a LinearSmoother ramping as StereoWidth's does (steady,
    // then a 20 ms ramp to a new width in the middle of the third block).
    const auto l = noise(12000, 0.9f, 65);
    const auto r = noise(12000, 0.3f, 66);
    const double fc = 120.0, q = 0.70710678118654752;
    StereoWidth width;
    width.prepare({kFs, 2, 4096});
    width.setParams({1.6, fc});
    Biquad ap, hp1, hp2;
    for (Biquad* b : {&ap, &hp1, &hp2})
        b->prepare({kFs, 1, 4096});
    ap.setCoeffs(designAllPass(fc, q, kFs));
    hp1.setCoeffs(designHighPass(fc, q, kFs));
    hp2.setCoeffs(designHighPass(fc, q, kFs));
    LinearSmoother w;
    w.prepare(kFs, StereoWidth::kRampMs, 1.6);
    std::size_t pos = 0;
    int block = 0;
    for (const std::size_t len : {std::size_t{5}, std::size_t{4096}, std::size_t{4096}, std::size_t{3803}}) {
        if (block++ == 2) {
            width.setParams({0.7, fc});
            w.setTarget(0.7);
        }
        AudioBuffer b(2, len);
        std::copy_n(l.data() + pos, len, b.channel(0));
        std::copy_n(r.data() + pos, len, b.channel(1));
        width.process(b);
        for (std::size_t i = 0; i < len; ++i) {
            const double x = l[pos + i], y = r[pos + i];
            const double g = w.next();
            const double mid = ap.processSample(0, 0.5 * (x + y));
            const double side = hp2.processSample(0, hp1.processSample(0, 0.5 * (x - y))) * g;
            ASSERT_EQ(b.channel(0)[i], static_cast<float>(mid + side)) << pos + i;
            ASSERT_EQ(b.channel(1)[i], static_cast<float>(mid - side)) << pos + i;
        }
        for (Biquad* f : {&ap, &hp1, &hp2})
            f->snapToZero();
        pos += len;
    }
    EXPECT_EQ(pos, l.size());
}

TEST(BiquadFastPath, StereoBlockIsBitIdenticalToEachChannelAlone)
{
    const auto l = noise(9000, 0.9f, 63);
    const auto r = noise(9000, 0.5f, 64);
    Biquad st, ml, mr;
    st.prepare({kFs, 2, 4096});
    ml.prepare({kFs, 1, 4096});
    mr.prepare({kFs, 1, 4096});
    for (Biquad* b : {&st, &ml, &mr})
        b->setCoeffs(designHighPass(90.0, 0.7071, kFs));
    std::size_t pos = 0;
    for (const std::size_t len : {std::size_t{5}, std::size_t{4096}, std::size_t{4096}, std::size_t{803}}) {
        AudioBuffer s2(2, len), s1l(1, len), s1r(1, len);
        std::copy_n(l.data() + pos, len, s2.channel(0));
        std::copy_n(r.data() + pos, len, s2.channel(1));
        std::copy_n(l.data() + pos, len, s1l.channel(0));
        std::copy_n(r.data() + pos, len, s1r.channel(0));
        st.process(s2);
        ml.process(s1l);
        mr.process(s1r);
        for (std::size_t i = 0; i < len; ++i) {
            ASSERT_EQ(s2.channel(0)[i], s1l.channel(0)[i]) << pos + i;
            ASSERT_EQ(s2.channel(1)[i], s1r.channel(0)[i]) << pos + i;
        }
        pos += len;
    }
}

TEST(MultibandFastPath, FourBandsAreBitIdenticalToTheTreeChannelByChannel)
{
    // The stereo splitter runs each split's low and high sections in four lanes and the
    // three crossovers' compensation in one loop (LinkwitzRileyAllpass::processChain3);
    // the reference is the tree built by hand from mono splits and allpasses, channel by
    // channel. Every band sample must match, across blocks of odd lengths.
    const auto l = noise(12000, 0.9f, 73);
    const auto r = noise(12000, 0.3f, 74);
    const std::array<double, 3> xo{120.0, 1000.0, 6000.0};
    MultibandSplitter split;
    split.prepare({kFs, 2, 8192}, xo);
    struct Mono {
        LinkwitzRiley s[3];
        LinkwitzRileyAllpass ap01, ap02, ap12;
    } mono[2];
    for (auto& m : mono) {
        for (int k = 0; k < 3; ++k)
            m.s[k].prepare({kFs, 1, 8192}, xo[static_cast<std::size_t>(k)]);
        m.ap01.prepare({kFs, 1, 8192}, xo[1]);
        m.ap02.prepare({kFs, 1, 8192}, xo[2]);
        m.ap12.prepare({kFs, 1, 8192}, xo[2]);
    }
    std::size_t pos = 0;
    for (const std::size_t len : {std::size_t{1}, std::size_t{777}, std::size_t{4096}, std::size_t{7126}}) {
        AudioBuffer in(2, len);
        std::copy_n(l.data() + pos, len, in.channel(0));
        std::copy_n(r.data() + pos, len, in.channel(1));
        split.split(in);
        for (int c = 0; c < 2; ++c) {
            auto& m = mono[c];
            AudioBuffer x(1, len), b0(1, len), b1(1, len), b2(1, len), b3(1, len), rest1(1, len), rest2(1, len);
            std::copy_n(in.channel(c), len, x.channel(0));
            m.s[0].split(b0, rest1, x);
            m.s[1].split(b1, rest2, rest1);
            m.s[2].split(b2, b3, rest2);
            m.ap01.process(b0);
            m.ap02.process(b0);
            m.ap12.process(b1);
            const AudioBuffer* ref[4] = {&b0, &b1, &b2, &b3};
            for (int b = 0; b < 4; ++b)
                for (std::size_t i = 0; i < len; ++i)
                    ASSERT_EQ(split.band(b).channel(c)[i], ref[b]->channel(0)[i]) << "band " << b << " ch " << c << " " << pos + i;
        }
        pos += len;
    }
}

TEST(LinkwitzRileyFastPath, StereoLanesAreBitIdenticalToEachChannelAlone)
{
    // Different channels through the stereo split/allpass (two SIMD lanes) and through a
    // mono instance each: every output sample must match, across blocks of odd lengths.
    const auto l = noise(12000, 0.9f, 71);
    const auto r = noise(12000, 0.3f, 72);
    LinkwitzRiley st, ml, mr;
    LinkwitzRileyAllpass ast, aml, amr;
    st.prepare({kFs, 2, 8192}, 250.0);
    ast.prepare({kFs, 2, 8192}, 2500.0);
    for (auto* m : {&ml, &mr})
        m->prepare({kFs, 1, 8192}, 250.0);
    for (auto* m : {&aml, &amr})
        m->prepare({kFs, 1, 8192}, 2500.0);
    std::size_t pos = 0;
    for (const std::size_t len : {std::size_t{1}, std::size_t{777}, std::size_t{4096}, std::size_t{7126}}) {
        AudioBuffer in(2, len), lo(2, len), hi(2, len), inL(1, len), inR(1, len), loM(1, len), hiM(1, len);
        std::copy_n(l.data() + pos, len, in.channel(0));
        std::copy_n(r.data() + pos, len, in.channel(1));
        std::copy_n(l.data() + pos, len, inL.channel(0));
        std::copy_n(r.data() + pos, len, inR.channel(0));
        st.split(lo, hi, in);
        ast.process(lo);
        for (int c = 0; c < 2; ++c) {
            AudioBuffer& x = c == 0 ? inL : inR;
            (c == 0 ? ml : mr).split(loM, hiM, x);
            (c == 0 ? aml : amr).process(loM);
            for (std::size_t i = 0; i < len; ++i) {
                ASSERT_EQ(lo.channel(c)[i], loM.channel(0)[i]) << c << " " << pos + i;
                ASSERT_EQ(hi.channel(c)[i], hiM.channel(0)[i]) << c << " " << pos + i;
            }
        }
        pos += len;
    }
}

} // namespace
} // namespace mm
