// The per-stem chain applies what the decision says: measured on known signals.
#include "analysis/Analyzer.h"
#include "mixing/StemChain.h"
#include "support/Signals.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mm;
using namespace mm::test;

namespace {

AudioBuffer runChain(const AudioBuffer& x, const StemDecision& d, double fs = 48000)
{
    StemChain chain;
    chain.prepare(fs, x.channels(), 1024, d);
    AudioBuffer out(2, x.frames());
    AudioBuffer in(x.channels(), 1024), o(2, 1024);
    for (std::size_t pos = 0; pos < x.frames(); pos += 1024) {
        const std::size_t n = std::min<std::size_t>(1024, x.frames() - pos);
        in.setFrames(n);
        for (int c = 0; c < x.channels(); ++c)
            std::copy(x.channel(c) + pos, x.channel(c) + pos + n, in.channel(c));
        chain.process(o, in);
        for (int c = 0; c < 2; ++c)
            std::copy(o.channel(c), o.channel(c) + n, out.channel(c) + pos);
    }
    return out;
}

double rmsDb(const AudioBuffer& b, int ch, std::size_t from)
{
    double s = 0;
    for (std::size_t i = from; i < b.frames(); ++i)
        s += static_cast<double>(b.channel(ch)[i]) * b.channel(ch)[i];
    return 10 * std::log10(s / static_cast<double>(b.frames() - from));
}

} // namespace

TEST(StemChain, GainAndCentrePanOnAMonoSine)
{
    StemDecision d;
    d.gainDb = -6.0;
    const auto out = runChain(sine(48000, 1, 1.0, 1000, -10), d);
    // −10 dBFS peak sine: −13.01 dB RMS; −6 dB fader; −3.01 dB per side at the centre.
    EXPECT_NEAR(rmsDb(out, 0, 4800), -13.0103 - 6.0 - 3.0103, 0.05);
    EXPECT_NEAR(rmsDb(out, 1, 4800), -13.0103 - 6.0 - 3.0103, 0.05);
}

TEST(StemChain, EqCutIsAppliedAtItsFrequency)
{
    StemDecision d;
    d.eq.push_back({EqBand{FilterType::Peak, 1000.0, 1.2, -4.0, true}, "test"});
    const auto at = runChain(sine(48000, 1, 1.0, 1000, -10), d);
    const auto off = runChain(sine(48000, 1, 1.0, 100, -10), d);
    EXPECT_NEAR(rmsDb(at, 0, 9600), -13.0103 - 3.0103 - 4.0, 0.1);
    EXPECT_NEAR(rmsDb(off, 0, 9600), -13.0103 - 3.0103, 0.3);
}

TEST(StemChain, HighPassRemovesLowsAndDc)
{
    StemDecision d;
    d.hpfHz = 100.0;
    AudioBuffer x = sine(48000, 1, 2.0, 20, -10);
    for (std::size_t i = 0; i < x.frames(); ++i)
        x.channel(0)[i] += 0.05f; // DC offset
    const auto out = runChain(x, d);
    // 2nd-order Butterworth at 100 Hz: 20 Hz is 2·log2(5)·6.02 = 28 dB down.
    EXPECT_LT(rmsDb(out, 0, 48000), -13.0103 - 3.0103 - 26.0);
}

TEST(StemChain, HardPanAndMuteAndStereoBalance)
{
    StemDecision d;
    d.pan = -1.0;
    const auto left = runChain(sine(48000, 1, 0.5, 500, -10), d);
    EXPECT_NEAR(rmsDb(left, 0, 4800), -13.0103, 0.05);
    EXPECT_LT(rmsDb(left, 1, 4800), -120.0);
    StemDecision m;
    m.muted = true;
    const auto muted = runChain(sine(48000, 2, 0.5, 500, -10), m);
    EXPECT_LT(rmsDb(muted, 0, 0), -150.0);
}

TEST(StemChain, BalancePanLossOfAStereoStemIsWhatThePolicyMakesUpFor)
{
    // A near-mono stereo stem panned with the balance law loses power (−1.1 dB at ±0.3);
    // panLoudnessChangeDb predicts it, and a fader of minus that brings the stem's power
    // (Σ over channels, as BS.1770 sums them) back to the centred stem's within 0.02 dB.
    StemInfo stereo;
    stereo.metrics.channels = 2;
    StemInfo mono;
    mono.metrics.channels = 1;
    EXPECT_NEAR(panLoudnessChangeDb(stereo, 0.0), 0.0, 1e-12);
    EXPECT_NEAR(panLoudnessChangeDb(stereo, 0.3), panLoudnessChangeDb(stereo, -0.3), 1e-12);
    EXPECT_NEAR(panLoudnessChangeDb(mono, 0.5), 0.0, 1e-12); // constant-power law
    const auto x = sine(48000, 2, 1.0, 440, -10);
    const auto power = [](const AudioBuffer& b) {
        return 10 * std::log10(std::pow(10.0, rmsDb(b, 0, 9600) / 10) + std::pow(10.0, rmsDb(b, 1, 9600) / 10));
    };
    const double centred = power(runChain(x, StemDecision{}));
    for (const double pan : {-0.3, 0.5, -1.0}) {
        StemDecision d;
        d.pan = pan;
        const double loss = panLoudnessChangeDb(stereo, pan);
        EXPECT_NEAR(power(runChain(x, d)) - centred, loss, 0.02) << pan;
        d.gainDb = -loss;
        EXPECT_NEAR(power(runChain(x, d)), centred, 0.02) << pan;
    }
    EXPECT_LT(panLoudnessChangeDb(stereo, 0.3), -1.0);
}
