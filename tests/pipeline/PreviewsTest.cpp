// The browser previews: the raw stem sum is the stems summed at unity gain (mono on both
// channels), every preview is Ogg Opus and keeps ≥ 1 dB of true-peak headroom after encoding, and
// the loudness the report gives for each preview is the loudness of the encoded file.
#include "analysis/Analyzer.h"
#include "core/Errors.h"
#include "pipeline/Previews.h"
#include "pipeline/RenderPreview.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

using namespace mm;
using namespace mm::test;

namespace {

constexpr int kRate = 44100;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

AnalyzerOptions withTruePeak()
{
    AnalyzerOptions o;
    o.truePeak = true;
    return o;
}

} // namespace

TEST(Previews, RawSumAtUnityGainWithHeadroomAndMeasuredLoudness)
{
    TempDir dir;
    // A mono sine and a stereo pink noise, both hot: their sum peaks well above 0 dBFS.
    const AudioBuffer tone = sine(kRate, 1, 4.0, 220.0, -2.0);
    const AudioBuffer noise = pinkNoise(kRate, 2, 3.0, -8.0, 5); // shorter: padded
    writeFile(dir.file("tone.wav"), tone, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    writeFile(dir.file("noise.wav"), noise, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    // The sum made here independently: mono on both channels, the noise ends at 3 s.
    AudioBuffer sum(2, tone.frames());
    for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < sum.frames(); ++i)
            sum.channel(c)[i] = tone.channel(0)[i] + (i < noise.frames() ? noise.channel(c)[i] : 0.0f);
    writeFile(dir.file("sum.wav"), sum, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const AudioMetrics sumMetrics = analyzeFile(dir.file("sum.wav"), withTruePeak());
    ASSERT_GT(sumMetrics.truePeakDbtp, 0.0); // the case that needs a gain

    const auto results = writePreviews({{"stems", dir.file("stems_preview.ogg"), {dir.file("tone.wav"), dir.file("noise.wav")}, kNaN}},
                                       kRate, true, nullptr);
    ASSERT_EQ(results.size(), 1u);
    const PreviewResult& r = results[0];
    // The source measured is the unity sum (±0.1 LU / ±0.2 dB: the same meters, block edges).
    EXPECT_NEAR(r.sourceLufs, sumMetrics.integratedLufs, 0.1);
    EXPECT_NEAR(r.gainDb, kPreviewSourcePeakDbtp - sumMetrics.truePeakDbtp, 0.2);
    // The figures reported are the source's after the gain (the encoded file is not decoded
    // to measure it); the encoded file, measured by the analyser, plays at what the report
    // says within 0.1 LU, and its true peak stays ≥ 1 dB below 0 dBTP and at most 1.5 dB
    // over the reported (pre-encoding) one.
    EXPECT_DOUBLE_EQ(r.lufs, r.sourceLufs + r.gainDb);
    EXPECT_NEAR(r.truePeakDbtp, kPreviewSourcePeakDbtp, 0.2);
    SF_INFO info{};
    SNDFILE* f = sf_open(dir.file("stems_preview.ogg").c_str(), SFM_READ, &info);
    ASSERT_NE(f, nullptr);
    sf_close(f);
    EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_OGG);
    EXPECT_EQ(info.format & SF_FORMAT_SUBMASK, SF_FORMAT_OPUS);
    EXPECT_EQ(info.channels, 2);
    const AudioMetrics ogg = analyzeFile(dir.file("stems_preview.ogg"), withTruePeak());
    // 44.1 kHz in, Opus codes at 48 kHz: the length survives the resampling and the
    // encoder's pre-skip to within a millisecond.
    EXPECT_NEAR(ogg.durationS, 4.0, 0.001);
    EXPECT_NEAR(r.lufs, ogg.integratedLufs, 0.1);
    EXPECT_LE(ogg.truePeakDbtp, r.truePeakDbtp + 1.5);
    EXPECT_LE(ogg.truePeakDbtp, -1.0);
    EXPECT_NEAR(ogg.integratedLufs, sumMetrics.integratedLufs + r.gainDb, 0.2);
}

TEST(Previews, QuietSourceKeepsUnityGainAndKnownPeakIsUsed)
{
    TempDir dir;
    writeFile(dir.file("quiet.wav"), pinkNoise(kRate, 2, 2.0, -30.0, 9), kRate, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const AudioMetrics m = analyzeFile(dir.file("quiet.wav"), withTruePeak());
    // A known peak and loudness (the mix's, from its metrics) are used as given: no
    // measuring pass; the "master" is told a louder peak than it has, so it is lowered.
    const auto results = writePreviews({{"mix", dir.file("mix_preview.ogg"), {dir.file("quiet.wav")}, m.truePeakDbtp, m.integratedLufs},
                                        {"master", dir.file("preview.ogg"), {dir.file("quiet.wav")}, 2.0, m.integratedLufs}},
                                       kRate, false, nullptr);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_DOUBLE_EQ(results[0].gainDb, 0.0);
    EXPECT_DOUBLE_EQ(results[0].sourceLufs, m.integratedLufs);
    EXPECT_DOUBLE_EQ(results[0].lufs, m.integratedLufs);
    EXPECT_DOUBLE_EQ(results[0].truePeakDbtp, m.truePeakDbtp);
    EXPECT_DOUBLE_EQ(results[1].gainDb, kPreviewSourcePeakDbtp - 2.0);
    EXPECT_DOUBLE_EQ(results[1].lufs, m.integratedLufs + results[1].gainDb);
    // What the encoded files play at, measured: within 0.2 LU of the report's figure (Opus
    // stops at 20 kHz: full-band pink noise loses 0.12 LU, the bench song 0.04-0.05).
    EXPECT_NEAR(analyzeFile(dir.file("mix_preview.ogg"), withTruePeak()).integratedLufs, results[0].lufs, 0.2);
    EXPECT_NEAR(analyzeFile(dir.file("preview.ogg"), withTruePeak()).integratedLufs, results[1].lufs, 0.2);
}

TEST(Previews, ProgressCanCancelAndLeavesNoFile)
{
    TempDir dir;
    writeFile(dir.file("a.wav"), pinkNoise(kRate, 2, 10.0, -20.0, 3), kRate, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    struct Stop {};
    EXPECT_THROW(writePreviews({{"mix", dir.file("mix_preview.ogg"), {dir.file("a.wav")}, kNaN}}, kRate, true,
                               [&](const std::string& stage, double) {
                                   EXPECT_EQ(stage, "preview");
                                   throw Stop{}; // at the first report, before the previews end
                               }),
                 Stop);
    EXPECT_FALSE(std::filesystem::exists(dir.file("mix_preview.ogg")));
}

TEST(Previews, WriterLeavesOnlyItsPreviewsAndAnAbandonedOneLeavesNothing)
{
    TempDir dir;
    writeFile(dir.file("a.wav"), sine(kRate, 1, 3.0, 220.0, -6.0), kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    writeFile(dir.file("b.wav"), pinkNoise(kRate, 2, 3.0, -12.0, 9), kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const auto filesIn = [&] {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(dir.path()))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    };
    {
        // Collected: the preview stays, the sum written for the encode (".sum.tmp") does not.
        PreviewWriter w({{"stems", dir.file("stems_preview.ogg"), {dir.file("a.wav"), dir.file("b.wav")}, kNaN}}, kRate, true);
        const auto r = w.wait(nullptr);
        ASSERT_EQ(r.size(), 1u);
        EXPECT_TRUE(std::isfinite(r[0].sourceLufs));
        EXPECT_EQ(w.progress(), 1.0);
    }
    EXPECT_EQ(filesIn(), (std::vector<std::string>{"a.wav", "b.wav", "stems_preview.ogg"}));
    std::filesystem::remove(dir.file("stems_preview.ogg"));
    {
        // Abandoned at once (a job that failed while its previews were encoding): the
        // threads stop and take their files with them.
        PreviewWriter w({{"stems", dir.file("stems_preview.ogg"), {dir.file("a.wav"), dir.file("b.wav")}, kNaN},
                         {"mix", dir.file("mix_preview.ogg"), {dir.file("b.wav")}, -12.0}},
                        kRate, true);
    }
    EXPECT_EQ(filesIn(), (std::vector<std::string>{"a.wav", "b.wav"}));
}

namespace {

/// Feeds `audio` to `tap` as one render, in blocks of 4096 frames.
int feedRender(RenderTap& tap, const AudioBuffer& audio, bool finish = true)
{
    const int token = tap.begin(kRate, audio.channels());
    for (std::size_t from = 0; from < audio.frames(); from += 4096) {
        const std::size_t n = std::min<std::size_t>(4096, audio.frames() - from);
        AudioBuffer b(audio.channels(), n);
        for (int c = 0; c < audio.channels(); ++c)
            std::copy_n(audio.channel(c) + from, n, b.channel(c));
        tap.block(b);
    }
    if (finish)
        tap.end();
    return token;
}

std::vector<std::string> namesIn(const std::filesystem::path& dir)
{
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

TEST(RenderPreview, KeepsTheRenderTheChainKeptAtTheCeilingsGain)
{
    // Three renders 6 dB apart, the second one abandoned half way (a render that threw);
    // the chain keeps the first, then (a QC iteration) the third: the preview is the third,
    // lowered by −3 − (−1) = −2 dB, and nothing else is left.
    TempDir dir;
    const AudioBuffer loud = pinkNoise(kRate, 2, 3.0, -10.0, 21);
    const AudioBuffer quiet = pinkNoise(kRate, 2, 3.0, -16.0, 22);
    AnalyzerOptions ao = withTruePeak();
    writeFile(dir.file("loud.wav"), loud, kRate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const double loudLufs = analyzeFile(dir.file("loud.wav"), ao).integratedLufs;
    std::filesystem::remove(dir.file("loud.wav"));
    RenderPreview preview(dir.file("preview.ogg"), -1.0);
    const int first = feedRender(preview, quiet);
    preview.kept(first);
    feedRender(preview, quiet, false);
    const int third = feedRender(preview, loud);
    preview.kept(third);
    const PreviewResult r = preview.finish(loudLufs, -1.2);
    EXPECT_EQ(r.name, "master");
    EXPECT_DOUBLE_EQ(r.gainDb, -2.0);
    EXPECT_DOUBLE_EQ(r.lufs, loudLufs - 2.0);
    EXPECT_DOUBLE_EQ(r.truePeakDbtp, -3.2);
    EXPECT_EQ(namesIn(dir.path()), (std::vector<std::string>{"preview.ogg"}));
    const AudioMetrics ogg = analyzeFile(dir.file("preview.ogg"), ao);
    EXPECT_NEAR(ogg.durationS, 3.0, 0.001);
    EXPECT_NEAR(ogg.integratedLufs, r.lufs, 0.2); // the loud render, not the quiet one (6 dB off)
}

TEST(RenderPreview, AbandonedLeavesNothingAndMonoStaysMono)
{
    TempDir dir;
    {
        RenderPreview preview(dir.file("preview.ogg"), -1.0);
        preview.kept(feedRender(preview, sine(kRate, 1, 2.0, 440.0, -6.0)));
        // destroyed without finish(): the job failed after mastering
    }
    EXPECT_TRUE(namesIn(dir.path()).empty());
    {
        RenderPreview preview(dir.file("preview.ogg"), -1.0);
        preview.kept(feedRender(preview, sine(kRate, 1, 2.0, 440.0, -6.0)));
        preview.finish(-9.0, -6.0);
    }
    SF_INFO info{};
    SNDFILE* f = sf_open(dir.file("preview.ogg").c_str(), SFM_READ, &info);
    ASSERT_NE(f, nullptr);
    sf_close(f);
    EXPECT_EQ(info.channels, 1);
    EXPECT_EQ(info.format & SF_FORMAT_SUBMASK, SF_FORMAT_OPUS);
}

TEST(RenderPreview, ARenderLeftUnfinishedAtFinishIsDropped)
{
    // The encoder follows each render as it is written; a last render that never ended
    // (it threw and the chain kept an earlier one) must not keep finish() waiting.
    TempDir dir;
    RenderPreview preview(dir.file("preview.ogg"), -1.0);
    const int first = feedRender(preview, sine(kRate, 2, 2.0, 440.0, -6.0));
    preview.kept(first);
    feedRender(preview, sine(kRate, 2, 2.0, 440.0, -20.0), false);
    preview.finish(-9.0, -6.0);
    EXPECT_EQ(namesIn(dir.path()), (std::vector<std::string>{"preview.ogg"}));
    const AudioMetrics ogg = analyzeFile(dir.file("preview.ogg"), withTruePeak());
    EXPECT_NEAR(ogg.durationS, 2.0, 0.001);
    EXPECT_NEAR(ogg.samplePeakDbfs, -6.0 - 2.0, 0.5); // the first (−6 dBFS) render at −2 dB
}

TEST(RenderPreview, NoKeptRenderIsAnError)
{
    TempDir dir;
    RenderPreview preview(dir.file("preview.ogg"), -1.0);
    feedRender(preview, sine(kRate, 2, 1.0, 440.0, -6.0));
    EXPECT_THROW(preview.finish(-9.0, -6.0), InternalError);
    EXPECT_FALSE(std::filesystem::exists(dir.file("preview.ogg")));
}
