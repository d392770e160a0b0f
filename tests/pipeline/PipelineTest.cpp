// Whole jobs through runJob: every preset on short synthetic stems, the demo song once,
// reference matching, custom targets and the report contract (DESIGN.md "Report").
#include "analysis/Analyzer.h"
#include "analysis/Spectrum.h"
#include "core/Errors.h"
#include "dsp/BiquadDesign.h"
#include "pipeline/Job.h"
#include "pipeline/Preset.h"
#include "pipeline/Previews.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using mm::test::TempDir;
using nlohmann::json;

namespace {

constexpr int kRate = 44100;
constexpr double kSeconds = 6.0;
constexpr int kFormat = SF_FORMAT_WAV | SF_FORMAT_PCM_24;

// Tolerances of the contract.
constexpr double kLoudnessTolLu = 0.5;
constexpr double kMaxWidthPct = 140.0;
constexpr double kMinCorrelation = 0.1;

std::size_t framesFor(double seconds)
{
    return static_cast<std::size_t>(seconds * kRate);
}

/// Pink-noise pad, stereo, slow swell.
mm::AudioBuffer pad()
{
    auto b = mm::test::pinkNoise(kRate, 2, kSeconds, -26.0, 11);
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const double env = 0.75 + 0.25 * std::sin(2.0 * std::numbers::pi * 0.25 * static_cast<double>(i) / kRate);
        for (int c = 0; c < 2; ++c)
            b.channel(c)[i] *= static_cast<float>(env);
    }
    return b;
}

/// Drum-like bursts: a decaying low thump plus a noise snap, 8 hits per 2 s, mono.
mm::AudioBuffer drums()
{
    mm::AudioBuffer b(1, framesFor(kSeconds));
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    const std::size_t step = framesFor(0.25);
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const std::size_t hit = i / step;
        const double t = static_cast<double>(i % step) / kRate;
        const bool kick = hit % 2 == 0;
        double v = 0.0;
        if (kick)
            v = 0.7 * std::exp(-t / 0.06) * std::sin(2.0 * std::numbers::pi * (50.0 + 60.0 * std::exp(-t / 0.02)) * t);
        else
            v = 0.35 * std::exp(-t / 0.04) * noise(rng);
        b.channel(0)[i] = static_cast<float>(v);
    }
    return b;
}

/// A bass line of sines between 55 and 110 Hz, half a second a note, with short ramps.
mm::AudioBuffer bass()
{
    const double notes[] = {55.0, 73.42, 82.41, 110.0, 98.0, 65.41};
    mm::AudioBuffer b(1, framesFor(kSeconds));
    const std::size_t noteLen = framesFor(0.5);
    const std::size_t ramp = framesFor(0.01);
    double phase = 0.0;
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const std::size_t n = i / noteLen, pos = i % noteLen;
        const double f = notes[n % std::size(notes)];
        phase += 2.0 * std::numbers::pi * f / kRate;
        double env = 1.0;
        if (pos < ramp)
            env = static_cast<double>(pos) / static_cast<double>(ramp);
        else if (noteLen - pos < ramp)
            env = static_cast<double>(noteLen - pos) / static_cast<double>(ramp);
        b.channel(0)[i] = static_cast<float>(0.4 * env * std::sin(phase));
    }
    return b;
}

/// A harmonic "vocal" tone: 8 harmonics (1/k), vibrato, phrases with pauses.
mm::AudioBuffer vocal()
{
    const double notes[] = {220.0, 246.94, 261.63, 293.66};
    mm::AudioBuffer b(1, framesFor(kSeconds));
    double phase = 0.0;
    for (std::size_t i = 0; i < b.frames(); ++i) {
        const double t = static_cast<double>(i) / kRate;
        const double f = notes[static_cast<std::size_t>(t) % std::size(notes)] * (1.0 + 0.006 * std::sin(2.0 * std::numbers::pi * 5.5 * t));
        phase += 2.0 * std::numbers::pi * f / kRate;
        double v = 0.0;
        for (int k = 1; k <= 8; ++k)
            v += std::sin(k * phase) / k;
        const double inPhrase = std::fmod(t, 1.5);
        const double env = inPhrase < 1.2 ? std::min(1.0, std::min(inPhrase, 1.2 - inPhrase) / 0.05) : 0.0;
        b.channel(0)[i] = static_cast<float>(0.15 * env * v);
    }
    return b;
}

/// Stereo pink noise through a peaking bell (gainDb at fc).
mm::AudioBuffer bumpedPink(double seconds, double fc, double gainDb, std::uint64_t seed)
{
    auto b = mm::test::pinkNoise(kRate, 2, seconds, -20.0, seed);
    const mm::BiquadCoeffs k = mm::designPeak(fc, 1.0, gainDb, kRate);
    for (int c = 0; c < 2; ++c) {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        float* s = b.channel(c);
        for (std::size_t i = 0; i < b.frames(); ++i) {
            const double x = s[i];
            const double y = k.b0 * x + k.b1 * x1 + k.b2 * x2 - k.a1 * y1 - k.a2 * y2;
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            s[i] = static_cast<float>(y);
        }
    }
    return b;
}

/// RMS over 50 Hz … 12 kHz of (a − b) after removing the mean difference (a tonal-shape distance, dB).
double spectralDistance(const json& a, const json& b)
{
    const auto& centres = mm::thirdOctaveCentres();
    std::vector<double> d;
    for (std::size_t i = 0; i < centres.size() && i < a.size() && i < b.size(); ++i)
        if (centres[i] >= 50.0 && centres[i] <= 12000.0 && a[i].is_number() && b[i].is_number())
            d.push_back(a[i].get<double>() - b[i].get<double>());
    if (d.size() < 10)
        return 1e9;
    double mean = 0.0;
    for (double v : d)
        mean += v;
    mean /= static_cast<double>(d.size());
    double sq = 0.0;
    for (double v : d)
        sq += (v - mean) * (v - mean);
    return std::sqrt(sq / static_cast<double>(d.size()));
}

bool hasNonEmptyString(const json& j, const char* key)
{
    return j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty();
}

/// Loudness, peaks, image and files of a finished master, against its targets.
void checkMasterMeetsTargets(const mm::JobResult& r, double targetLufs, double ceiling, const std::string& label)
{
    const json& m = r.report["master"];
    ASSERT_TRUE(m.is_object()) << label;
    const double lufs = m["integrated_lufs"].get<double>();
    const double tp = m["true_peak_dbtp"].get<double>();
    const double dspTp = m["chain"]["dsp_true_peak_dbtp"].get<double>();
    std::printf("[ %-14s] master %.2f LUFS (target %.1f, error %+.2f LU), true peak %.2f dBTP (file) %.3f dBTP (dsp), "
                "ceiling %.1f, width %.1f %%, corr %.3f, qc %s (%d iterations)\n",
                label.c_str(), lufs, targetLufs, lufs - targetLufs, tp, dspTp, ceiling, m["width_pct"].get<double>(),
                m["correlation"].get<double>(), r.qcPassed ? "passed" : "FAILED", r.report["qc"]["iterations"].get<int>());
    EXPECT_NEAR(lufs, targetLufs, kLoudnessTolLu) << label;
    EXPECT_LE(tp, ceiling) << label;
    EXPECT_LE(dspTp, ceiling) << label;
    EXPECT_LE(m["width_pct"].get<double>(), kMaxWidthPct) << label;
    EXPECT_GE(m["correlation"].get<double>(), kMinCorrelation) << label;
    EXPECT_TRUE(fs::exists(r.masterPath) && fs::file_size(r.masterPath) > 1000) << r.masterPath;
    EXPECT_TRUE(fs::exists(r.reportPath)) << r.reportPath;
    EXPECT_EQ(r.report["qc"]["passed"].get<bool>(), r.qcPassed);

    // The written report equals the returned one.
    std::ifstream in(r.reportPath);
    const json onDisk = json::parse(in);
    EXPECT_EQ(onDisk["master"]["integrated_lufs"], m["integrated_lufs"]);
}

void checkSeries(const json& metrics, double durationS, const std::string& what)
{
    ASSERT_TRUE(metrics.contains("short_term_lufs_per_s")) << what;
    const auto st = metrics["short_term_lufs_per_s"].size();
    EXPECT_GE(static_cast<double>(st), std::floor(durationS) - 3.0) << what;
    EXPECT_LE(static_cast<double>(st), std::ceil(durationS) + 1.0) << what;
    ASSERT_TRUE(metrics["spectrum_third_octave_db"].is_array()) << what;
    EXPECT_EQ(metrics["spectrum_third_octave_db"].size(), 31u) << what;
    const auto wf = metrics["waveform_peaks"].size();
    EXPECT_GE(wf, 1800u) << what;
    EXPECT_LE(wf, 4200u) << what; // ~2000 buckets (possibly min/max pairs)
}

/// The report contract of a mix-and-master job.
void checkReport(const json& rep, std::size_t stemCount, double durationS)
{
    for (const char* k : {"version", "job", "preset", "targets", "options", "stems", "mix", "master", "target_spectrum", "qc",
                          "timings_s", "warnings"})
        EXPECT_TRUE(rep.contains(k)) << "report lacks " << k;
    EXPECT_TRUE(rep["preset"].contains("name"));
    for (const char* k : {"lufs", "ceiling_dbTP", "width_pct", "lra_max"})
        EXPECT_TRUE(rep["targets"].contains(k)) << "targets." << k;
    EXPECT_TRUE(rep["options"].contains("respect_user_gains"));
    EXPECT_TRUE(rep["options"].contains("bypass_parallel_comp"));

    ASSERT_EQ(rep["stems"].size(), stemCount);
    for (const auto& s : rep["stems"]) {
        const std::string name = s.value("name", std::string("?"));
        EXPECT_TRUE(hasNonEmptyString(s, "name"));
        EXPECT_TRUE(hasNonEmptyString(s, "role")) << name;
        ASSERT_TRUE(s["input"].is_object()) << name;
        EXPECT_TRUE(s["input"].contains("integrated_lufs")) << name;
        const json& d = s["decisions"];
        ASSERT_TRUE(d.is_object()) << name;
        EXPECT_TRUE(d.contains("gain_db")) << name;
        for (const char* reason : {"gain_reason", "high_pass_reason", "pan_reason", "compressor_reason"})
            EXPECT_TRUE(hasNonEmptyString(d, reason)) << name << " " << reason;
        for (const auto& eq : d["eq"])
            EXPECT_TRUE(hasNonEmptyString(eq, "reason")) << name;
        ASSERT_TRUE(s["output"].is_object()) << name;
        EXPECT_TRUE(s["output"].contains("integrated_lufs")) << name;
    }

    for (const char* which : {"mix", "master"}) {
        const json& m = rep[which];
        ASSERT_TRUE(m.is_object()) << which;
        for (const char* k : {"integrated_lufs", "lra_lu", "true_peak_dbtp", "sample_peak_dbfs", "max_momentary_lufs",
                              "max_short_term_lufs", "crest_db", "correlation", "width_pct", "duration_s", "sample_rate", "channels"})
            EXPECT_TRUE(m.contains(k)) << which << "." << k;
        EXPECT_NEAR(m["duration_s"].get<double>(), durationS, 0.1) << which;
        checkSeries(m, durationS, which);
    }
    ASSERT_TRUE(rep["master"].contains("chain"));
    EXPECT_TRUE(rep["target_spectrum"].is_object());

    const json& qc = rep["qc"];
    EXPECT_TRUE(qc["passed"].is_boolean());
    EXPECT_TRUE(qc["iterations"].is_number_integer());
    EXPECT_GE(qc["iterations"].get<int>(), 0);
    EXPECT_LE(qc["iterations"].get<int>(), 3);
    ASSERT_TRUE(qc["checks"].is_array());
    EXPECT_FALSE(qc["checks"].empty());
    bool allPassed = true;
    for (const auto& c : qc["checks"]) {
        for (const char* k : {"name", "target", "measured", "passed", "action"})
            EXPECT_TRUE(c.contains(k)) << c.dump();
        EXPECT_TRUE(hasNonEmptyString(c, "name"));
        EXPECT_TRUE(c["passed"].is_boolean());
        allPassed = allPassed && c["passed"].get<bool>();
    }
    if (qc["passed"].get<bool>()) {
        EXPECT_TRUE(allPassed) << "qc.passed with a failed check";
    }

    const json& t = rep["timings_s"];
    for (const char* k : {"analysis", "mixing", "mastering", "io", "total"}) {
        ASSERT_TRUE(t.contains(k)) << "timings_s." << k;
        EXPECT_GE(t[k].get<double>(), 0.0) << k;
    }
    EXPECT_TRUE(rep["warnings"].is_array());
}

void checkOutputsExist(const mm::JobResult& r, const std::string& dir)
{
    for (const char* f : {"mix.wav", "master.wav", "preview.ogg", "report.json"}) {
        const fs::path p = fs::path(dir) / f;
        EXPECT_TRUE(fs::exists(p)) << p;
        if (fs::exists(p)) {
            EXPECT_GT(fs::file_size(p), 100u) << p;
        }
    }
    EXPECT_EQ(fs::path(r.mixPath).filename(), "mix.wav");
    EXPECT_EQ(fs::path(r.previewPath).filename(), "preview.ogg");
    // The master's preview is encoded from the kept render while mastering (RenderPreview):
    // lowered by −3 dBTP − ceiling, it plays at the master's loudness + that gain (the
    // report's figure; measured on the decoded file within 0.2 LU), and no render's
    // candidate or temporary file is left beside it.
    const auto& pm = r.report["previews"]["master"];
    const double ceiling = r.report["targets"]["ceiling_dbTP"].get<double>();
    EXPECT_DOUBLE_EQ(pm["gain_db"].get<double>(), std::round(100.0 * (mm::kPreviewSourcePeakDbtp - ceiling)) / 100.0);
    EXPECT_NEAR(pm["lufs"].get<double>(), r.report["master"]["integrated_lufs"].get<double>() + pm["gain_db"].get<double>(), 0.011);
    mm::AnalyzerOptions ao;
    ao.truePeak = true;
    const mm::AudioMetrics ogg = mm::analyzeFile((fs::path(dir) / "preview.ogg").string(), ao);
    EXPECT_NEAR(ogg.integratedLufs, pm["lufs"].get<double>(), 0.2);
    EXPECT_NEAR(ogg.durationS, r.report["master"]["duration_s"].get<double>(), 0.001);
    EXPECT_LE(ogg.truePeakDbtp, -1.0);
    for (const auto& e : fs::directory_iterator(dir))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

/// The four synthetic stems, written once for the whole suite.
class SyntheticStems : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = std::make_unique<TempDir>();
        mm::test::writeFile(dir_->file("pad.wav"), pad(), kRate, kFormat);
        mm::test::writeFile(dir_->file("drums.wav"), drums(), kRate, kFormat);
        mm::test::writeFile(dir_->file("bass.wav"), bass(), kRate, kFormat);
        mm::test::writeFile(dir_->file("vocal.wav"), vocal(), kRate, kFormat);
    }
    static void TearDownTestSuite() { dir_.reset(); }

    static std::vector<mm::StemInput> stems()
    {
        std::vector<mm::StemInput> s;
        for (const auto& [name, role] : {std::pair{"pad.wav", mm::Role::Pad}, std::pair{"drums.wav", mm::Role::Drums},
                                         std::pair{"bass.wav", mm::Role::Bass}, std::pair{"vocal.wav", mm::Role::Vocal}}) {
            mm::StemInput in;
            in.path = dir_->file(name);
            in.name = name;
            in.role = role;
            s.push_back(in);
        }
        return s;
    }

    static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> SyntheticStems::dir_;

class EveryPreset : public SyntheticStems, public ::testing::WithParamInterface<std::string> {};

TEST_P(EveryPreset, MeetsItsTargetsAndWritesTheFullReport)
{
    const mm::Preset preset = mm::loadPreset(GetParam());
    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems();
    spec.preset = GetParam();
    spec.outDir = out.path().string();
    spec.job = {{"id", "test-" + preset.key}};
    const mm::JobResult r = mm::runJob(spec);

    EXPECT_EQ(r.report["preset"]["name"].get<std::string>(), preset.name);
    EXPECT_DOUBLE_EQ(r.report["targets"]["lufs"].get<double>(), preset.targets.lufs);
    EXPECT_EQ(r.report["job"]["id"].get<std::string>(), "test-" + preset.key);
    checkMasterMeetsTargets(r, preset.targets.lufs, preset.targets.ceilingDbtp, preset.name);
    checkOutputsExist(r, spec.outDir);
    checkReport(r.report, 4, kSeconds);
    if (preset.targets.lraMax) {
        EXPECT_LE(r.report["master"]["lra_lu"].get<double>(), *preset.targets.lraMax + 0.5) << preset.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Presets, EveryPreset,
                         ::testing::Values("Electro House", "Pop", "Hip-Hop", "Rock", "Streaming", "Club"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                             std::string n;
                             for (char c : param.param)
                                 if (std::isalnum(static_cast<unsigned char>(c)))
                                     n += c;
                             return n;
                         });

TEST(Presets, SixPresetsAllFound)
{
    const auto presets = mm::listPresets();
    EXPECT_EQ(presets.size(), 6u);
    for (const auto& p : presets) {
        EXPECT_DOUBLE_EQ(p.targets.ceilingDbtp, -1.0) << p.name;
        EXPECT_EQ(mm::loadPreset(p.key).name, p.name);
        EXPECT_EQ(mm::loadPreset(p.name).key, p.key);
    }
}

TEST_F(SyntheticStems, CustomLoudnessOverridesThePreset)
{
    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems();
    spec.preset = "Club"; // a loud preset, so −16 is far from its own target
    spec.overrides.lufs = -16.0;
    spec.preview = false;
    spec.outDir = out.path().string();
    const mm::JobResult r = mm::runJob(spec);
    EXPECT_DOUBLE_EQ(r.report["targets"]["lufs"].get<double>(), -16.0);
    checkMasterMeetsTargets(r, -16.0, -1.0, "Club @ -16");
    EXPECT_FALSE(fs::exists(out.file("preview.ogg")));
    // --strict-like: the verdict is reported, and agrees with the checks.
    bool all = true;
    for (const auto& c : r.report["qc"]["checks"])
        all = all && c["passed"].get<bool>();
    EXPECT_EQ(r.qcPassed, r.report["qc"]["passed"].get<bool>());
    if (r.qcPassed) {
        EXPECT_TRUE(all);
    }
}

// The mastering passes run as block pipelines on the pool (the limiter's channels on
// separate threads): the master must not depend on the thread count, as the mix does not.
TEST_F(SyntheticStems, MasterIsBitIdenticalWhateverTheThreadCount)
{
    const auto bytes = [](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    std::string reference;
    for (const int threads : {1, 3}) {
        TempDir out;
        mm::JobSpec spec;
        spec.stems = stems();
        spec.preview = false;
        spec.threads = threads;
        spec.outDir = out.path().string();
        const mm::JobResult r = mm::runJob(spec);
        EXPECT_EQ(r.masterPath, out.file("master.wav")) << threads;
        const std::string master = bytes(out.file("master.wav"));
        ASSERT_GT(master.size(), 1000u) << threads;
        if (reference.empty())
            reference = master;
        else
            EXPECT_TRUE(master == reference) << "master.wav differs at " << threads << " threads";
    }
}

TEST_F(SyntheticStems, OutOfRangeOverridesThrowInputErrorBeforeAnyWork)
{
    auto attempt = [&](mm::TargetOverrides o) {
        TempDir out;
        mm::JobSpec spec;
        spec.stems = stems();
        spec.overrides = o;
        spec.outDir = (out.path() / "job").string();
        EXPECT_THROW(mm::runJob(spec), mm::InputError);
        EXPECT_FALSE(fs::exists(spec.outDir + "/master.wav"));
    };
    mm::TargetOverrides o;
    o.lufs = 3.0;
    attempt(o);
    o.lufs = -50.0;
    attempt(o);
    o = {};
    o.ceilingDbtp = 1.0;
    attempt(o);
    o = {};
    o.widthPct = 150.0;
    attempt(o);
    o.widthPct = -1.0;
    attempt(o);

    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems();
    spec.preset = "Polka";
    spec.outDir = out.path().string();
    EXPECT_THROW(mm::runJob(spec), mm::InputError);
}

TEST_F(SyntheticStems, MissingStemIsInputError)
{
    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems();
    spec.stems[1].path = dir_->file("nope.wav");
    spec.outDir = out.path().string();
    try {
        mm::runJob(spec);
        FAIL() << "no InputError";
    } catch (const mm::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("nope.wav"), std::string::npos) << e.what();
    }
}

TEST(ReferenceMatching, MasterMovesTowardTheReferenceTone)
{
    TempDir dir;
    mm::test::writeFile(dir.file("mix.wav"), bumpedPink(8.0, 2000.0, 6.0, 21), kRate, kFormat);
    mm::test::writeFile(dir.file("reference.wav"), mm::test::pinkNoise(kRate, 2, 8.0, -14.0, 22), kRate, kFormat);
    mm::JobSpec spec;
    spec.mixPath = dir.file("mix.wav");
    spec.referencePath = dir.file("reference.wav");
    // Tone matching applies the preset's tone_match_amount (Streaming 0.4, Pop/Rock 0.5, Club/Electro
    // House/Hip-Hop 0.6): halving the distance needs an amount above 0.5.
    spec.preset = "Electro House";
    spec.preview = false;
    spec.outDir = dir.file("out");
    const mm::JobResult r = mm::runJob(spec);

    const json& rep = r.report;
    ASSERT_TRUE(rep.contains("reference")) << "report has no reference spectrum";
    EXPECT_EQ(rep["target_spectrum"]["source"].get<std::string>(), "reference");
    const json& ref = rep["reference"]["db"];
    const json& mix = rep["mix"]["spectrum_third_octave_db"];
    const json& master = rep["master"]["spectrum_third_octave_db"];
    const double before = spectralDistance(mix, ref);
    const double after = spectralDistance(master, ref);
    std::printf("[ reference     ] tonal distance to reference: mix %.2f dB, master %.2f dB (ratio %.2f)\n", before, after,
                after / before);
    EXPECT_GT(before, 1.0); // the +6 dB bell shows
    EXPECT_LE(after, 0.5 * before);
    EXPECT_TRUE(rep["stems"].empty());
    const mm::Preset preset = mm::loadPreset("Electro House");
    checkMasterMeetsTargets(r, preset.targets.lufs, preset.targets.ceilingDbtp, "reference");
}

TEST(ReferenceMatching, MissingReferenceIsInputError)
{
    TempDir dir;
    mm::test::writeFile(dir.file("mix.wav"), mm::test::pinkNoise(kRate, 2, 1.0, -20.0, 3), kRate, kFormat);
    mm::JobSpec spec;
    spec.mixPath = dir.file("mix.wav");
    spec.referencePath = dir.file("absent-ref.wav");
    spec.outDir = dir.file("out");
    EXPECT_THROW(mm::runJob(spec), mm::InputError);
}

TEST(DemoSong, PopMeetsTargets)
{
    const fs::path demo = fs::path(MIXMASTER_SOURCE_DIR) / "data" / "demo";
    std::ifstream metaIn(demo / "stems.json");
    const json meta = json::parse(metaIn);
    std::vector<mm::StemInput> stems;
    for (const auto& m : meta) {
        mm::StemInput in;
        in.name = m["name"].get<std::string>();
        in.path = (demo / in.name).string();
        in.role = mm::parseRole(m["role"].get<std::string>());
        ASSERT_TRUE(in.role) << in.name;
        stems.push_back(in);
    }
    ASSERT_EQ(stems.size(), 8u);
    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems;
    spec.preset = "Pop";
    spec.outDir = out.path().string();
    const mm::JobResult r = mm::runJob(spec);
    const mm::Preset pop = mm::loadPreset("Pop");
    checkMasterMeetsTargets(r, pop.targets.lufs, pop.targets.ceilingDbtp, "demo Pop");
    checkOutputsExist(r, spec.outDir);
    checkReport(r.report, 8, 24.8);
    EXPECT_EQ(r.qcPassed, r.report["qc"]["passed"].get<bool>());
}

} // namespace

// Cancel points: the service cancels a job by throwing from its progress callback, so
// every stage must call it often — at least once per second of audio it processes — or a
// cancel waits for the stage to end. A throw in mastering must leave no master behind.
TEST_F(SyntheticStems, ProgressComesAtLeastOncePerSecondOfAudioInEveryStage)
{
    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems();
    spec.outDir = out.path().string();
    spec.threads = 2;
    std::map<std::string, int> calls;
    std::mutex m;
    spec.progress = [&](const std::string& stage, double) {
        std::lock_guard lock(m);
        ++calls[stage];
    };
    mm::runJob(spec);
    // The analysis reads 4 stems, the mix renders at least once, the mastering passes the
    // mix at least 3 times (pre-limiter, a render, the read-back).
    EXPECT_GE(calls["analysis"], static_cast<int>(4 * kSeconds)) << "analysis";
    EXPECT_GE(calls["mixing"], static_cast<int>(kSeconds)) << "mixing";
    EXPECT_GE(calls["writing mix"], static_cast<int>(kSeconds)) << "writing mix";
    EXPECT_GE(calls["mastering"], static_cast<int>(3 * kSeconds)) << "mastering";
}

TEST_F(SyntheticStems, ACancelDuringMasteringStopsAtOnceAndLeavesNoMaster)
{
    struct Cancelled {};
    TempDir out;
    mm::JobSpec spec;
    spec.stems = stems();
    spec.outDir = out.path().string();
    int masteringCalls = 0, callsAfterCancel = 0;
    bool cancelled = false;
    spec.progress = [&](const std::string& stage, double) {
        if (cancelled)
            ++callsAfterCancel;
        if (stage == "mastering" && ++masteringCalls == 12) {
            cancelled = true;
            throw Cancelled{};
        }
    };
    EXPECT_THROW(mm::runJob(spec), Cancelled);
    EXPECT_EQ(callsAfterCancel, 0);
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(spec.outDir) / "mix.wav"));
    for (const auto& e : std::filesystem::directory_iterator(spec.outDir)) {
        const auto name = e.path().filename().string();
        EXPECT_TRUE(name == "mix.wav") << "left behind: " << name; // no master, no candidates, no stage file
    }
}
