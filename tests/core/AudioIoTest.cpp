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

TEST(AudioReader, IntegerWavIsReadExactlyAsLibsndfileConvertsIt)
{
    // 16- and 24-bit little-endian WAV are converted from their raw bytes by the reader;
    // every code, the extremes included, must come out as libsndfile's sf_readf_float gives
    // it (int / 2^15 or 2^23), for mono and stereo, WAV and WAVEX, and a truncated file.
    TempDir dir;
    struct Case { const char* name; int ch; int fmt; int bits; bool cut; };
    for (auto c : {Case{"s16.wav", 2, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16, false},
                   Case{"m16.wav", 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16, false},
                   Case{"s24.wav", 2, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 24, false},
                   Case{"m24.wav", 1, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 24, false},
                   Case{"x24.wav", 2, SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, 24, false},
                   Case{"cut24.wav", 2, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 24, true}}) {
        const std::string path = dir.file(c.name);
        // Integer codes written as such: a ramp over the whole range, then the extremes.
        const int frames = 9001;
        const std::int64_t lo = -(std::int64_t{1} << (c.bits - 1)), hi = (std::int64_t{1} << (c.bits - 1)) - 1;
        std::vector<int> codes(static_cast<std::size_t>(frames * c.ch));
        for (std::size_t i = 0; i < codes.size(); ++i) {
            const std::int64_t v = lo + static_cast<std::int64_t>(static_cast<double>(i) / static_cast<double>(codes.size()) * static_cast<double>(hi - lo));
            codes[i] = static_cast<int>(v << (32 - c.bits)); // sf_write_int takes left-justified 32-bit
        }
        codes[0] = static_cast<int>(lo << (32 - c.bits));
        codes[1] = static_cast<int>(hi << (32 - c.bits));
        codes[2] = 0;
        codes[3] = static_cast<int>(std::int64_t{-1} << (32 - c.bits));
        {
            SF_INFO info{};
            info.samplerate = 48000;
            info.channels = c.ch;
            info.format = c.fmt;
            SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
            ASSERT_NE(f, nullptr) << c.name;
            ASSERT_EQ(sf_writef_int(f, codes.data(), frames), frames) << c.name;
            sf_close(f);
        }
        if (c.cut)
            std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3 * 2 * 1000 - 2); // a partial last frame too
        // libsndfile's own conversion.
        SF_INFO info{};
        SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
        ASSERT_NE(f, nullptr) << c.name;
        std::vector<float> ref(static_cast<std::size_t>(info.frames * c.ch));
        const sf_count_t refFrames = sf_readf_float(f, ref.data(), info.frames);
        sf_close(f);
        AudioReader reader(path, 1000);
        std::vector<float> got;
        AudioBuffer block;
        while (const std::size_t n = reader.read(block))
            for (std::size_t i = 0; i < n; ++i)
                for (int ch = 0; ch < c.ch; ++ch)
                    got.push_back(block.channel(ch)[i]);
        ASSERT_EQ(got.size(), static_cast<std::size_t>(refFrames * c.ch)) << c.name;
        EXPECT_EQ(reader.framesRead(), refFrames) << c.name;
        for (std::size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(got[i], ref[i]) << c.name << " sample " << i;
        EXPECT_EQ(got[0], -1.0f) << c.name;
        if (c.cut) {
            EXPECT_LT(refFrames, frames);
            ASSERT_FALSE(reader.warnings().empty()) << c.name;
            EXPECT_NE(reader.warnings()[0].find("truncated"), std::string::npos) << c.name;
        }
    }
}
