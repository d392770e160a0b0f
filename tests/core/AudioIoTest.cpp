// Round trips through every supported format, the 16-bit dither, resampling, and bad input.
#include "core/AudioReader.h"
#include "core/AudioSource.h"
#include "core/AudioWriter.h"
#include "core/Errors.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>

using namespace mm;
using namespace mm::test;

namespace {

AudioBuffer readAll(AudioSource& src)
{
    AudioBuffer all(src.channels(), 0);
    AudioBuffer block(src.channels(), 1000); // odd block size on purpose
    while (src.read(block) > 0) {
        AudioBuffer copy(block.channels(), block.frames());
        for (int c = 0; c < block.channels(); ++c)
            std::copy(block.channel(c), block.channel(c) + block.frames(), copy.channel(c));
        append(all, copy);
    }
    return all;
}

double maxAbsDiff(const AudioBuffer& a, const AudioBuffer& b, std::size_t offset = 0)
{
    double d = 0.0;
    for (int c = 0; c < a.channels(); ++c)
        for (std::size_t i = 0; i + offset < std::min(a.frames(), b.frames()); ++i)
            d = std::max(d, std::fabs(static_cast<double>(a.channel(c)[i]) - b.channel(c)[i + offset]));
    return d;
}

double rmsDb(const AudioBuffer& b, std::size_t from, std::size_t to)
{
    double s = 0.0;
    for (int c = 0; c < b.channels(); ++c)
        for (std::size_t i = from; i < to; ++i)
            s += static_cast<double>(b.channel(c)[i]) * b.channel(c)[i];
    return 10.0 * std::log10(s / static_cast<double>((to - from) * static_cast<std::size_t>(b.channels())));
}

struct FormatCase {
    const char* name;
    int sfFormat;
    double step; // quantisation step, full scale = 1.0
};

} // namespace

class RoundTrip : public ::testing::TestWithParam<FormatCase> {};

TEST_P(RoundTrip, ReadsBackWithinOneQuantisationStep)
{
    const auto fc = GetParam();
    TempDir dir;
    const std::string ext = (fc.sfFormat & SF_FORMAT_TYPEMASK) == SF_FORMAT_AIFF ? ".aiff"
                            : (fc.sfFormat & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC ? ".flac" : ".wav";
    const std::string path = dir.file(std::string("x") + ext);
    const AudioBuffer original = sine(48000, 2, 0.5, 997.0, -3.0);
    writeFile(path, original, 48000, fc.sfFormat);
    AudioSource src(path);
    EXPECT_EQ(src.sampleRate(), 48000);
    EXPECT_EQ(src.channels(), 2);
    const AudioBuffer back = readAll(src);
    ASSERT_EQ(back.frames(), original.frames());
    EXPECT_LE(maxAbsDiff(original, back), fc.step) << fc.name;
}

INSTANTIATE_TEST_SUITE_P(
    Formats, RoundTrip,
    ::testing::Values(FormatCase{"wav8", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1.0 / 128},
                      FormatCase{"wav16", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1.0 / 32768},
                      FormatCase{"wav24", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1.0 / 8388608},
                      FormatCase{"wav32", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1e-7},
                      FormatCase{"wavf32", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1e-7},
                      FormatCase{"wavf64", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 1e-7},
                      FormatCase{"aiff16", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1.0 / 32768},
                      FormatCase{"aiff24", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 1.0 / 8388608},
                      FormatCase{"flac16", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1.0 / 32768},
                      FormatCase{"flac24", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1.0 / 8388608}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(AudioWriter, EveryOutputFormatReadsBackWithinItsStep)
{
    TempDir dir;
    const AudioBuffer original = sine(44100, 2, 0.3, 440.0, -6.0);
    struct Out { OutputFormat f; double step; };
    for (auto [f, step] : {Out{OutputFormat::Wav24, 1.0 / 8388608}, Out{OutputFormat::Wav32f, 1e-7},
                           Out{OutputFormat::Flac24, 1.0 / 8388608}, Out{OutputFormat::Wav16, 2.0 / 32768}}) {
        const std::string path = dir.file("out" + toString(f) + extensionFor(f));
        AudioWriter w(path, 44100, 2, f, 7);
        w.write(original);
        w.commit();
        const AudioBuffer back = readFile(path);
        // 16-bit carries ±1 LSB of TPDF dither plus rounding: within 1.5 LSB, never more.
        EXPECT_LE(maxAbsDiff(original, back), step) << toString(f);
    }
}

TEST(AudioWriter, SixteenBitIsDitheredNotTruncated)
{
    // A −100 dBFS sine is 0.33 LSB at 16 bits: plain rounding writes silence. With TPDF
    // dither the file carries noise at the dither's level: 1 LSB²/4 (TPDF ±1 LSB, variance
    // 1/6) + 1/12 (rounding) = 1/4 LSB² → −101.1 dBFS RMS (± 1 dB).
    TempDir dir;
    const AudioBuffer quiet = sine(48000, 1, 1.0, 1000.0, -100.0);
    const std::string path = dir.file("quiet.wav");
    AudioWriter w(path, 48000, 1, OutputFormat::Wav16, 3);
    w.write(quiet);
    w.commit();
    const AudioBuffer back = readFile(path);
    const double floor = rmsDb(back, 0, back.frames());
    const double expected = 20.0 * std::log10(std::sqrt(0.25) / 32768.0);
    EXPECT_NEAR(floor, expected, 1.0);
}

TEST(AudioWriter, DitherIsSeededAndDeterministic)
{
    TempDir dir;
    const AudioBuffer x = sine(48000, 2, 0.2, 100.0, -40.0);
    for (const char* name : {"a.wav", "b.wav"}) {
        AudioWriter w(dir.file(name), 48000, 2, OutputFormat::Wav16, 42);
        w.write(x);
        w.commit();
    }
    EXPECT_EQ(maxAbsDiff(readFile(dir.file("a.wav")), readFile(dir.file("b.wav"))), 0.0);
}

TEST(AudioWriter, WithoutCommitLeavesNoFile)
{
    TempDir dir;
    {
        AudioWriter w(dir.file("never.wav"), 48000, 2, OutputFormat::Wav24);
        w.write(sine(48000, 2, 0.1, 100.0, -10.0));
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Resampler, Sine44k1To48kKeepsLevelWithin0_01dB)
{
    TempDir dir;
    const AudioBuffer x = sine(44100, 2, 2.0, 1000.0, -6.0);
    writeFile(dir.file("a.wav"), x, 44100, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    AudioSource src(dir.file("a.wav"), 48000);
    EXPECT_EQ(src.sampleRate(), 48000);
    const AudioBuffer y = readAll(src);
    EXPECT_NEAR(static_cast<double>(y.frames()), 96000.0, 2.0);
    // Steady state, away from the filter's edges.
    const double level = rmsDb(y, 9600, 86400);
    EXPECT_NEAR(level, -6.0 - 3.0103, 0.01);
}

namespace {

void expectInputError(const std::string& path, const std::string& cause)
{
    try {
        AudioReader r(path);
        FAIL() << "no error for " << path;
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        EXPECT_NE(what.find(cause), std::string::npos) << what;
    }
}

} // namespace

TEST(AudioReader, BadInputsNameTheFileAndCause)
{
    TempDir dir;
    expectInputError(dir.file("missing.wav"), "no such file");
    expectInputError(dir.path().string(), "directory");
    { std::ofstream(dir.file("empty.wav")); }
    expectInputError(dir.file("empty.wav"), "empty file");
    { std::ofstream(dir.file("text.wav")) << "this is not audio, just text\n"; }
    expectInputError(dir.file("text.wav"), "not a readable audio file");
    writeFile(dir.file("six.wav"), sine(48000, 6, 0.1, 100.0, -10.0), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    expectInputError(dir.file("six.wav"), "6 channels");
    writeFile(dir.file("noframes.wav"), AudioBuffer(2, 0), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    expectInputError(dir.file("noframes.wav"), "no audio frames");
}

TEST(AudioReader, TruncatedFileReadsWhatIsThereWithAWarning)
{
    TempDir dir;
    const std::string path = dir.file("cut.wav");
    writeFile(path, sine(48000, 2, 1.0, 440.0, -6.0), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    std::filesystem::resize_file(path, 44 + 4 * 24000); // header + half the frames
    AudioSource src(path);
    const AudioBuffer y = readAll(src);
    EXPECT_EQ(y.frames(), 24000u);
    const auto w = src.reader().warnings();
    ASSERT_FALSE(w.empty());
    EXPECT_NE(w[0].find("truncated"), std::string::npos);
    // What was read is the real signal, not garbage.
    EXPECT_LE(maxAbsDiff(sine(48000, 2, 0.5, 440.0, -6.0), y), 1.0 / 32768);
}

TEST(AudioReader, NanAndInfBecomeZeroAndAreCounted)
{
    TempDir dir;
    AudioBuffer x = sine(48000, 2, 0.2, 440.0, -6.0);
    x.channel(0)[10] = std::numeric_limits<float>::quiet_NaN();
    x.channel(1)[20] = std::numeric_limits<float>::infinity();
    x.channel(1)[30] = -std::numeric_limits<float>::infinity();
    writeFile(dir.file("nan.wav"), x, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    AudioSource src(dir.file("nan.wav"));
    const AudioBuffer y = readAll(src);
    EXPECT_EQ(src.reader().nonFiniteSamples(), 3);
    EXPECT_EQ(y.channel(0)[10], 0.0f);
    EXPECT_EQ(y.channel(1)[20], 0.0f);
    for (int c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < y.frames(); ++i)
            ASSERT_TRUE(std::isfinite(y.channel(c)[i]));
    ASSERT_FALSE(src.reader().warnings().empty());
    EXPECT_NE(src.reader().warnings().back().find("3 NaN/Inf"), std::string::npos);
}

TEST(AudioReader, UncommonButValidFilesReadNormally)
{
    TempDir dir;
    struct Case { const char* name; int rate; int ch; int fmt; };
    for (auto c : {Case{"a8.wav", 44100, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_U8},
                   Case{"hi.wav", 96000, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_24},
                   Case{"mono22.wav", 22050, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16},
                   Case{"a24.aiff", 48000, 2, SF_FORMAT_AIFF | SF_FORMAT_PCM_24}}) {
        writeFile(dir.file(c.name), sine(c.rate, c.ch, 0.25, 300.0, -6.0), c.rate, c.fmt);
        AudioSource src(dir.file(c.name), 48000);
        EXPECT_EQ(src.info().sampleRate, c.rate) << c.name;
        EXPECT_EQ(src.channels(), c.ch) << c.name;
        const AudioBuffer y = readAll(src);
        EXPECT_NEAR(static_cast<double>(y.frames()), 12000.0, 2.0) << c.name;
        EXPECT_NEAR(rmsDb(y, 2000, 10000), -6.0 - 3.0103, 0.1) << c.name;
    }
}
