// Two loudness meters fed side by side with their K-weighting in one loop (processPair:
// the stem analysis pairs its stems) must read exactly what each meter reads alone: every
// lane does the single path's operations in the same order, so the tolerance is zero.
// Also the stretch where only the longer stream is left (one meter alone), exact too.
#include "analysis/Analyzer.h"
#include "analysis/KWeighting.h"
#include "analysis/LoudnessMeter.h"
#include "analysis/SlidingLoudness.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <vector>

namespace {

using mm::AudioBuffer;

// Frames [from, from + len) of a.
AudioBuffer slice(const AudioBuffer& a, std::size_t from, std::size_t len)
{
    AudioBuffer b(a.channels(), len);
    for (int c = 0; c < a.channels(); ++c)
        std::copy_n(a.channel(c) + from, len, b.channel(c));
    return b;
}

// Pink noise stepping in level (so that maxima, gates and seconds differ between the two
// programmes), `seconds` long.
AudioBuffer programme(double rate, int channels, double seconds, std::uint64_t seed, std::size_t period)
{
    AudioBuffer a = mm::test::pinkNoise(rate, channels, seconds, -22.0, seed);
    for (std::size_t i = 0; i < a.frames(); ++i) {
        const float g = (i / period) % 3 == 1 ? 4.0f : (i / period) % 3 == 2 ? 0.02f : 1.0f;
        for (int c = 0; c < channels; ++c)
            a.channel(c)[i] *= c == 0 ? g : 0.6f * g;
    }
    return a;
}

// Feeds x and y in blocks of `block` frames (the last shorter), pairwise through `pair`
// while both have frames and one by one through `single` after that.
template <class Pair, class Single>
void feed(const AudioBuffer& x, const AudioBuffer& y, std::size_t block, Pair&& pair, Single&& single)
{
    for (std::size_t from = 0; from < std::max(x.frames(), y.frames()); from += block) {
        const std::size_t nx = from < x.frames() ? std::min(block, x.frames() - from) : 0;
        const std::size_t ny = from < y.frames() ? std::min(block, y.frames() - from) : 0;
        if (nx > 0 && ny > 0)
            pair(slice(x, from, nx), slice(y, from, ny));
        else if (nx > 0)
            single(0, slice(x, from, nx));
        else
            single(1, slice(y, from, ny));
    }
}

} // namespace

TEST(KWeightingPair, LanesAreBitIdenticalToProcessStereo)
{
    // Four different channels, runs of odd lengths (state carried across), 44.1 and 48 kHz.
    std::mt19937 rng(52);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const std::size_t total = 20000;
    std::vector<float> al(total), ar(total), bl(total), br(total);
    for (std::size_t i = 0; i < total; ++i) {
        al[i] = 0.9f * u(rng);
        ar[i] = 0.4f * u(rng);
        bl[i] = 0.05f * u(rng);
        br[i] = u(rng);
    }
    for (const double fs : {44100.0, 48000.0}) {
        const auto coeffs = mm::designKWeighting(fs);
        mm::KWeightingFilter a[2] = {mm::KWeightingFilter(coeffs), mm::KWeightingFilter(coeffs)};
        mm::KWeightingFilter b[2] = {mm::KWeightingFilter(coeffs), mm::KWeightingFilter(coeffs)};
        mm::KWeightingFilter refA[2] = {mm::KWeightingFilter(coeffs), mm::KWeightingFilter(coeffs)};
        mm::KWeightingFilter refB[2] = {mm::KWeightingFilter(coeffs), mm::KWeightingFilter(coeffs)};
        std::vector<double> ea(total), eb(total);
        std::size_t pos = 0, checked = 0;
        for (const std::size_t len : {std::size_t{1}, std::size_t{7}, std::size_t{333}, std::size_t{4096}, std::size_t{15563}}) {
            mm::KWeightingFilter::processStereoPairEnergy(a, al.data() + pos, ar.data() + pos, ea.data(), b, bl.data() + pos,
                                                          br.data() + pos, eb.data(), len);
            mm::KWeightingFilter::processStereo(refA[0], refA[1], al.data() + pos, ar.data() + pos, len, [&](std::size_t i, mm::Double2 y) {
                const mm::Double2 e = y * y;
                ASSERT_EQ(ea[i], 0.0 + e[0] + e[1]) << fs << " " << pos + i;
                ++checked;
            });
            mm::KWeightingFilter::processStereo(refB[0], refB[1], bl.data() + pos, br.data() + pos, len, [&](std::size_t i, mm::Double2 y) {
                const mm::Double2 e = y * y;
                ASSERT_EQ(eb[i], 0.0 + e[0] + e[1]) << fs << " " << pos + i;
            });
            pos += len;
        }
        EXPECT_EQ(checked, total);
    }
}

TEST(LoudnessPair, SlidingMetersReadAsAlone)
{
    // Unequal lengths: the pair runs while both have frames, the longer then alone; and a
    // mono partner, which the pair hands to the one-meter path.
    const double rate = 44100.0;
    const AudioBuffer x = programme(rate, 2, 9.0, 71, 30011), y = programme(rate, 2, 7.3, 72, 17389);
    const AudioBuffer mono = programme(rate, 1, 6.1, 73, 12007);
    for (const AudioBuffer* partner : {&y, &mono}) {
        for (const std::size_t block : {std::size_t{4096}, std::size_t{1000}}) {
            mm::SlidingLoudness pa, pb, sa, sb;
            pa.prepare(rate, 2);
            sa.prepare(rate, 2);
            pb.prepare(rate, partner->channels());
            sb.prepare(rate, partner->channels());
            feed(x, *partner, block, [&](const AudioBuffer& bx, const AudioBuffer& by) { mm::SlidingLoudness::processPair(pa, bx, pb, by); },
                 [&](int which, const AudioBuffer& b) { (which == 0 ? pa : pb).process(b); });
            feed(x, *partner, block, [&](const AudioBuffer& bx, const AudioBuffer& by) { sa.process(bx), sb.process(by); },
                 [&](int which, const AudioBuffer& b) { (which == 0 ? sa : sb).process(b); });
            for (const auto& [p, s] : {std::pair{&pa, &sa}, std::pair{&pb, &sb}}) {
                EXPECT_EQ(p->maxMomentaryLufs(), s->maxMomentaryLufs()) << block;
                EXPECT_EQ(p->maxShortTermLufs(), s->maxShortTermLufs()) << block;
                EXPECT_EQ(p->shortTermPerSecond(), s->shortTermPerSecond()) << block;
                EXPECT_EQ(p->integratedLufs(), s->integratedLufs()) << block;
                EXPECT_EQ(p->loudnessRangeLu(), s->loudnessRangeLu()) << block;
            }
            EXPECT_NE(pa.integratedLufs(), pb.integratedLufs()); // the two streams stayed apart
            EXPECT_GT(pa.maxMomentaryLufs(), pa.integratedLufs() + 3.0);
        }
    }
}

TEST(LoudnessPair, AnalyzersGiveTheSameMetrics)
{
    // Whole analyses, as the stems are analysed (features on, fast true peak) and as the
    // mix is (libebur128 loudness and true peak): every figure the pair path touches.
    const double rate = 48000.0;
    const AudioBuffer x = programme(rate, 2, 8.0, 91, 24007), y = programme(rate, 2, 5.5, 92, 7001);
    for (const bool stems : {true, false}) {
        mm::AnalyzerOptions o;
        o.features = stems;
        o.truePeak = !stems;
        o.fastTruePeak = stems;
        o.expectedFrames = static_cast<std::int64_t>(x.frames());
        mm::Analyzer pa(rate, 2, o), pb(rate, 2, o), sa(rate, 2, o), sb(rate, 2, o);
        feed(x, y, 4096, [&](const AudioBuffer& bx, const AudioBuffer& by) { mm::Analyzer::processPair(pa, bx, pb, by); },
             [&](int which, const AudioBuffer& b) { (which == 0 ? pa : pb).process(b); });
        feed(x, y, 4096, [&](const AudioBuffer& bx, const AudioBuffer& by) { sa.process(bx), sb.process(by); },
             [&](int which, const AudioBuffer& b) { (which == 0 ? sa : sb).process(b); });
        for (auto [p, s] : {std::pair{&pa, &sa}, std::pair{&pb, &sb}}) {
            const mm::AudioMetrics mp = p->finish(), ms = s->finish();
            EXPECT_EQ(mp.integratedLufs, ms.integratedLufs) << stems;
            EXPECT_EQ(mp.lraLu, ms.lraLu) << stems;
            EXPECT_EQ(mp.maxMomentaryLufs, ms.maxMomentaryLufs) << stems;
            EXPECT_EQ(mp.maxShortTermLufs, ms.maxShortTermLufs) << stems;
            EXPECT_EQ(mp.shortTermPerSecond, ms.shortTermPerSecond) << stems;
            EXPECT_EQ(mp.truePeakDbtp, ms.truePeakDbtp) << stems;
            EXPECT_EQ(mp.thirdOctaveDb, ms.thirdOctaveDb) << stems;
            EXPECT_EQ(mp.widthPct, ms.widthPct) << stems;
            EXPECT_GT(mp.integratedLufs, -40.0);
        }
    }
}
