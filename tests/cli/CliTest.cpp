// The `mixmaster` binary as users drive it: help and version, `analyze` (JSON contract,
// human table, bad input), `presets`, and bad input to `run`/`mix` (exit 2, one line on stderr).
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using mm::test::runCommand;
using mm::test::TempDir;

namespace {

const std::string kBin = MIXMASTER_BIN;

std::string quote(const std::string& s)
{
    return "'" + s + "'";
}

struct CmdResult {
    int code = -1;
    std::string out, err;
};

CmdResult mixmaster(const std::string& args)
{
    CmdResult r;
    r.code = runCommand(quote(kBin) + " " + args, &r.out, &r.err);
    return r;
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> result;
    std::string line;
    for (char c : text) {
        if (c == '\n') {
            if (!line.empty())
                result.push_back(line);
            line.clear();
        } else {
            line += c;
        }
    }
    if (!line.empty())
        result.push_back(line);
    return result;
}

bool contains(const std::string& haystack, const std::string& needle)
{
    return haystack.find(needle) != std::string::npos;
}

/// Exit 2, exactly one line on stderr, that line containing every needle.
void expectBadInput(const CmdResult& r, const std::vector<std::string>& needles)
{
    EXPECT_EQ(r.code, 2) << "stdout: " << r.out << "\nstderr: " << r.err;
    const auto errLines = lines(r.err);
    ASSERT_EQ(errLines.size(), 1u) << "stderr: " << r.err;
    for (const auto& n : needles)
        EXPECT_TRUE(contains(errLines[0], n)) << "'" << n << "' not in: " << errLines[0];
}

void writeSine(const std::string& path, double dbfs = -18.0, int channels = 2, double seconds = 3.0,
               int format = SF_FORMAT_WAV | SF_FORMAT_PCM_24)
{
    mm::test::writeFile(path, mm::test::sine(48000, channels, seconds, 1000.0, dbfs), 48000, format);
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream(path) << text;
}

/// A 44-byte WAV header declaring 0 data bytes (16-bit stereo 48 kHz).
void writeEmptyWav(const std::string& path)
{
    SF_INFO info{};
    info.samplerate = 48000;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr);
    sf_close(f);
}

const std::vector<std::string> kContractFields = {
    "path", "sample_rate", "channels", "duration_s", "integrated_lufs", "lra_lu", "true_peak_dbtp",
    "sample_peak_dbfs", "max_momentary_lufs", "max_short_term_lufs", "crest_db", "correlation", "width_pct"};

} // namespace

TEST(Cli, HelpListsSubcommands)
{
    const CmdResult r = mixmaster("--help");
    EXPECT_EQ(r.code, 0) << r.err;
    for (const char* sub : {"analyze", "mix", "run", "master", "presets"})
        EXPECT_TRUE(contains(r.out, sub)) << sub << " missing from --help:\n" << r.out;
}

TEST(Cli, Version)
{
    const CmdResult r = mixmaster("--version");
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(contains(r.out, "mixmaster 0.1.0")) << r.out;
}

TEST(Cli, NoSubcommandIsBadInput)
{
    const CmdResult r = mixmaster("");
    EXPECT_EQ(r.code, 2);
}

TEST(CliAnalyze, JsonHasEveryContractFieldWithPlausibleValues)
{
    TempDir dir;
    const auto wav = dir.file("sine.wav");
    writeSine(wav);
    const CmdResult r = mixmaster("analyze --json " + quote(wav));
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_object());
    for (const auto& f : kContractFields)
        EXPECT_TRUE(j.contains(f)) << "missing " << f;
    EXPECT_EQ(j["path"].get<std::string>(), wav);
    EXPECT_EQ(j["sample_rate"].get<int>(), 48000);
    EXPECT_EQ(j["channels"].get<int>(), 2);
    EXPECT_NEAR(j["duration_s"].get<double>(), 3.0, 0.001);
    // A −18 dBFS-peak 1 kHz sine in both channels reads −18.0 LUFS (K-weighting is ~0 dB at 1 kHz,
    // two channels add 3 dB, sine RMS is −3 dB).
    EXPECT_NEAR(j["integrated_lufs"].get<double>(), -18.0, 0.1);
    EXPECT_NEAR(j["sample_peak_dbfs"].get<double>(), -18.0, 0.05);
    EXPECT_NEAR(j["true_peak_dbtp"].get<double>(), -18.0, 0.1);
    EXPECT_NEAR(j["max_momentary_lufs"].get<double>(), -18.0, 0.2);
    EXPECT_NEAR(j["max_short_term_lufs"].get<double>(), -18.0, 0.2);
    EXPECT_NEAR(j["lra_lu"].get<double>(), 0.0, 0.5);
    EXPECT_NEAR(j["crest_db"].get<double>(), 3.01, 0.1); // sine: peak/RMS = √2
    EXPECT_NEAR(j["correlation"].get<double>(), 1.0, 0.001);
    EXPECT_NEAR(j["width_pct"].get<double>(), 0.0, 0.1);
}

TEST(CliAnalyze, TwoFilesGiveAnArrayOfTwo)
{
    TempDir dir;
    writeSine(dir.file("a.wav"), -18.0);
    writeSine(dir.file("b.wav"), -24.0, 1);
    const CmdResult r = mixmaster("analyze --json " + quote(dir.file("a.wav")) + " " + quote(dir.file("b.wav")));
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["path"].get<std::string>(), dir.file("a.wav"));
    EXPECT_EQ(j[1]["path"].get<std::string>(), dir.file("b.wav"));
    EXPECT_EQ(j[1]["channels"].get<int>(), 1);
    EXPECT_NEAR(j[1]["width_pct"].get<double>(), 0.0, 1e-9); // 0 for mono
    // Mono counts once in BS.1770: a −24 dBFS-peak sine → −27 dBFS RMS → about −27 LUFS.
    EXPECT_NEAR(j[1]["integrated_lufs"].get<double>(), -27.0, 0.2);
}

TEST(CliAnalyze, ParallelFilesKeepTheirOrderAndTheirFigures)
{
    // Four files measured on up to four threads: the array is in the command line's
    // order and each entry equals the file measured alone.
    TempDir dir;
    const double levels[] = {-12.0, -30.0, -18.0, -24.0};
    std::vector<std::string> files;
    std::string all;
    for (int k = 0; k < 4; ++k) {
        std::string name(1, static_cast<char>('a' + k)); // not "lit" + to_string: g++ 12 -Wrestrict
        name += ".wav";
        files.push_back(dir.file(name));
        writeSine(files.back(), levels[k], 2, 2.0 + k);
        all += ' ';
        all += quote(files.back());
    }
    const CmdResult r = mixmaster("analyze --json --threads 4" + all);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j.size(), 4u);
    for (int k = 0; k < 4; ++k) {
        const CmdResult one = mixmaster("analyze --json --threads 1 " + quote(files[static_cast<std::size_t>(k)]));
        ASSERT_EQ(one.code, 0) << one.err;
        EXPECT_EQ(j[static_cast<std::size_t>(k)], nlohmann::json::parse(one.out)) << "file " << k;
        EXPECT_NEAR(j[static_cast<std::size_t>(k)]["duration_s"].get<double>(), 2.0 + k, 1e-6);
    }
}

TEST(CliAnalyze, HumanOutputIsATableWithAHeader)
{
    TempDir dir;
    writeSine(dir.file("a.wav"));
    writeSine(dir.file("b.wav"), -30.0);
    const CmdResult r = mixmaster("analyze " + quote(dir.file("a.wav")) + " " + quote(dir.file("b.wav")));
    ASSERT_EQ(r.code, 0) << r.err;
    const auto out = lines(r.out);
    ASSERT_GE(out.size(), 3u) << r.out;
    EXPECT_TRUE(contains(out[0], "file")) << out[0];
    EXPECT_TRUE(contains(out[0], "LUFS")) << out[0];
    EXPECT_TRUE(contains(r.out, "a.wav"));
    EXPECT_TRUE(contains(r.out, "b.wav"));
    EXPECT_TRUE(contains(r.out, "-18.0"));
    EXPECT_TRUE(contains(r.out, "-30.0"));
}

TEST(CliAnalyze, MissingFile)
{
    TempDir dir;
    expectBadInput(mixmaster("analyze " + quote(dir.file("nope.wav"))), {"nope.wav"});
}

TEST(CliAnalyze, ZeroLengthFile)
{
    TempDir dir;
    writeText(dir.file("empty.wav"), "");
    expectBadInput(mixmaster("analyze --json " + quote(dir.file("empty.wav"))), {"empty.wav"});
}

TEST(CliAnalyze, HeaderWithoutFrames)
{
    TempDir dir;
    writeEmptyWav(dir.file("noframes.wav"));
    ASSERT_GT(fs::file_size(dir.file("noframes.wav")), 0u);
    expectBadInput(mixmaster("analyze --json " + quote(dir.file("noframes.wav"))), {"noframes.wav"});
}

TEST(CliAnalyze, TextFileNamedWav)
{
    TempDir dir;
    writeText(dir.file("notes.wav"), "these are not audio samples, just a note to self\n");
    expectBadInput(mixmaster("analyze " + quote(dir.file("notes.wav"))), {"notes.wav"});
}

TEST(CliAnalyze, SixChannels)
{
    TempDir dir;
    writeSine(dir.file("surround.wav"), -18.0, 6, 1.0);
    const CmdResult r = mixmaster("analyze " + quote(dir.file("surround.wav")));
    expectBadInput(r, {"surround.wav"});
    EXPECT_TRUE(contains(r.err, "6") || contains(r.err, "channel")) << r.err;
}

TEST(CliAnalyze, Directory)
{
    TempDir dir;
    fs::create_directories(dir.file("folder.wav"));
    expectBadInput(mixmaster("analyze " + quote(dir.file("folder.wav"))), {"folder.wav"});
}

TEST(CliAnalyze, SecondFileBadStopsWithItsName)
{
    TempDir dir;
    writeSine(dir.file("good.wav"));
    expectBadInput(mixmaster("analyze --json " + quote(dir.file("good.wav")) + " " + quote(dir.file("gone.wav"))), {"gone.wav"});
}

TEST(CliAnalyze, TruncatedWavWarnsOrRejectsButNeverCrashes)
{
    TempDir dir;
    const auto wav = dir.file("cut.wav");
    writeSine(wav, -18.0, 2, 2.0, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const auto full = fs::file_size(wav);
    fs::resize_file(wav, full / 2 + 1); // half the data gone, and an odd byte count
    const CmdResult r = mixmaster("analyze --json " + quote(wav));
    ASSERT_TRUE(r.code == 0 || r.code == 2) << "exit " << r.code << "\nstderr: " << r.err;
    if (r.code == 0) {
        EXPECT_TRUE(contains(r.err, "truncated")) << r.err;
        const auto j = nlohmann::json::parse(r.out);
        EXPECT_GT(j["duration_s"].get<double>(), 0.5);
        EXPECT_LT(j["duration_s"].get<double>(), 1.5);
        EXPECT_NEAR(j["integrated_lufs"].get<double>(), -18.0, 0.2);
    } else {
        expectBadInput(r, {"cut.wav"});
    }
}

TEST(CliAnalyze, NonFiniteSamplesAreCountedAndJsonStaysFinite)
{
    TempDir dir;
    const auto wav = dir.file("bad-samples.wav");
    auto buf = mm::test::sine(48000, 2, 2.0, 1000.0, -18.0);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    buf.channel(0)[1000] = nan;
    buf.channel(1)[1000] = nan;
    buf.channel(0)[20000] = inf;
    buf.channel(1)[30000] = -inf;
    buf.channel(0)[40000] = nan; // 5 non-finite samples in all
    mm::test::writeFile(wav, buf, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const CmdResult r = mixmaster("analyze --json " + quote(wav));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "5")) << "warning should carry the count: " << r.err;
    EXPECT_FALSE(r.err.empty());
    const auto j = nlohmann::json::parse(r.out);
    for (const auto& f : kContractFields) {
        if (f == "path")
            continue;
        ASSERT_TRUE(j.contains(f)) << f;
        EXPECT_TRUE(j[f].is_number()) << f << " = " << j[f].dump();
        if (j[f].is_number()) {
            EXPECT_TRUE(std::isfinite(j[f].get<double>())) << f;
        }
    }
    if (j.contains("nonfinite_samples")) {
        EXPECT_EQ(j["nonfinite_samples"].get<long long>(), 5);
    }
    EXPECT_NEAR(j["integrated_lufs"].get<double>(), -18.0, 0.2);
    EXPECT_LT(j["true_peak_dbtp"].get<double>(), -17.0);
}

TEST(CliPresets, JsonListsSixPresetsWithCeilingMinusOne)
{
    const CmdResult r = mixmaster("presets --json");
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    EXPECT_EQ(j.size(), 6u);
    std::set<std::string> names;
    for (const auto& p : j) {
        names.insert(p["name"].get<std::string>());
        EXPECT_DOUBLE_EQ(p["targets"]["ceiling_dbTP"].get<double>(), -1.0) << p["name"];
        EXPECT_TRUE(p["targets"]["lufs"].is_number());
    }
    for (const char* n : {"Electro House", "Pop", "Hip-Hop", "Rock", "Streaming", "Club"})
        EXPECT_TRUE(names.count(n)) << n;
}

TEST(CliPresets, HumanTable)
{
    const CmdResult r = mixmaster("presets");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "Electro House"));
    EXPECT_GE(lines(r.out).size(), 7u);
}

// ---- run / mix with bad input --------------------------------------------------------

class CliRunBadInput : public ::testing::Test {
protected:
    void SetUp() override
    {
        for (const char* n : {"kick.wav", "bass.wav"})
            writeSine(dir.file(n), -18.0, 1, 1.0);
    }
    std::string stems() const { return quote(dir.file("kick.wav")) + " " + quote(dir.file("bass.wav")); }
    std::string out() const { return " -o " + quote(dir.file("out")); }
    TempDir dir;
};

TEST_F(CliRunBadInput, ThirteenStems)
{
    std::string args;
    for (int i = 0; i < 13; ++i) {
        const auto p = dir.file(std::to_string(i) + "x.wav");
        writeSine(p, -20.0, 1, 0.5);
        args += ' ';
        args += quote(p);
    }
    const CmdResult r = mixmaster("run" + args + out());
    expectBadInput(r, {"12"});
    const CmdResult m = mixmaster("mix" + args + out());
    expectBadInput(m, {"12"});
    EXPECT_FALSE(fs::exists(dir.file("out/master.wav")));
}

TEST_F(CliRunBadInput, UnknownPresetListsThePresets)
{
    for (const char* sub : {"run ", "mix "}) {
        const CmdResult r = mixmaster(sub + stems() + " --preset Polka" + out());
        expectBadInput(r, {"Polka", "Pop", "Rock", "Club", "Streaming"});
    }
}

TEST_F(CliRunBadInput, LoudnessOutOfRangeNamesTheRange)
{
    for (const char* v : {"3", "-50"}) {
        const CmdResult r = mixmaster("run " + stems() + " --lufs " + v + out());
        expectBadInput(r, {"-40"});
        EXPECT_TRUE(contains(r.err, "lufs") || contains(r.err, "LUFS") || contains(r.err, "loudness")) << r.err;
    }
}

TEST_F(CliRunBadInput, WidthOutOfRange)
{
    const CmdResult r = mixmaster("run " + stems() + " --width 150" + out());
    expectBadInput(r, {"140"});
}

TEST_F(CliRunBadInput, CeilingAboveZero)
{
    const CmdResult r = mixmaster("run " + stems() + " --ceiling 1" + out());
    expectBadInput(r, {"ceiling"});
}

TEST_F(CliRunBadInput, MetaWithUnknownRole)
{
    writeText(dir.file("stems.json"), R"([{"name":"kick.wav","role":"kazoo"},{"name":"bass.wav","role":"bass"}])");
    for (const char* sub : {"run ", "mix "}) {
        const CmdResult r = mixmaster(sub + stems() + " --meta " + quote(dir.file("stems.json")) + out());
        expectBadInput(r, {"kazoo", "stems.json"});
    }
}

TEST_F(CliRunBadInput, MetaNamingAMissingFile)
{
    writeText(dir.file("stems.json"), R"([{"name":"kick.wav","role":"kick"},{"name":"ghost.wav","role":"vocal"}])");
    const CmdResult r = mixmaster("run --stems-dir " + quote(dir.path().string()) + " --meta " + quote(dir.file("stems.json")) + out());
    expectBadInput(r, {"ghost.wav"});
}

TEST_F(CliRunBadInput, MetaThatIsNotJson)
{
    writeText(dir.file("stems.json"), "kick.wav: kick\nbass.wav: bass\n");
    const CmdResult r = mixmaster("run " + stems() + " --meta " + quote(dir.file("stems.json")) + out());
    expectBadInput(r, {"stems.json", "JSON"});
}

TEST_F(CliRunBadInput, MetaWithDuplicateNames)
{
    writeText(dir.file("stems.json"), R"([{"name":"kick.wav","role":"kick"},{"name":"kick.wav","role":"drums"}])");
    const CmdResult r = mixmaster("run " + stems() + " --meta " + quote(dir.file("stems.json")) + out());
    expectBadInput(r, {"kick.wav"});
}

TEST_F(CliRunBadInput, BadStemFile)
{
    writeText(dir.file("vocal.wav"), "not audio");
    const CmdResult r = mixmaster("run " + stems() + " " + quote(dir.file("vocal.wav")) + out());
    expectBadInput(r, {"vocal.wav"});
    const CmdResult missing = mixmaster("run " + stems() + " " + quote(dir.file("absent.wav")) + out());
    expectBadInput(missing, {"absent.wav"});
}

TEST_F(CliRunBadInput, OutputFolderThatIsAFile)
{
    // -o naming an existing file: a bad input naming it (exit 2), and the file is left alone.
    writeSine(dir.file("taken"), -18.0, 1, 0.1);
    const auto size = fs::file_size(dir.file("taken"));
    for (const char* sub : {"run ", "mix "}) {
        const CmdResult r = mixmaster(std::string(sub) + stems() + " -o " + quote(dir.file("taken")));
        expectBadInput(r, {"taken", "not a folder"});
    }
    const CmdResult m = mixmaster("master " + quote(dir.file("kick.wav")) + " -o " + quote(dir.file("taken")));
    expectBadInput(m, {"taken", "not a folder"});
    EXPECT_EQ(fs::file_size(dir.file("taken")), size);
}

TEST_F(CliRunBadInput, MasterWithMissingMix)
{
    const CmdResult r = mixmaster("master " + quote(dir.file("mix-gone.wav")) + out());
    expectBadInput(r, {"mix-gone.wav"});
}
