// The mix stage on synthetic stems: balance to the role targets, pans and high-passes per
// role, guardrails on adversarial stems, determinism across thread counts, bad input.
#include "core/AudioSource.h"
#include "core/Errors.h"
#include "dsp/TruePeakMeter.h"
#include "mixing/MixEngine.h"
#include "mixing/MixRender.h"
#include "mixing/RulePolicy.h"
#include "pipeline/Preset.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <ebur128.h>
#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>

using namespace mm;
using namespace mm::test;

namespace {

constexpr double kFs = 48000.0;
constexpr double kSeconds = 8.0;

/// Continuous material per role so that gating plays no part in the balance.
AudioBuffer roleSignal(Role role, std::uint64_t seed)
{
    switch (role) {
    case Role::Bass: {
        AudioBuffer b(1, static_cast<std::size_t>(kSeconds * kFs));
        for (std::size_t i = 0; i < b.frames(); ++i) {
            const double t = static_cast<double>(i) / kFs;
            const double f = (static_cast<int>(t * 2) % 2) ? 55.0 : 82.4;
            b.channel(0)[i] = static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * f * t) + 0.1 * std::sin(4 * std::numbers::pi * f * t));
        }
        return b;
    }
    case Role::Drums: {
        AudioBuffer b = whiteNoise(kFs, 2, kSeconds, -20, seed);
        for (std::size_t i = 0; i < b.frames(); ++i) { // 8th-note hats: decaying noise, never silent
            const double env = 0.3 + std::exp(-static_cast<double>(i % 12000) / 1500.0);
            for (int c = 0; c < 2; ++c)
                b.channel(c)[i] = static_cast<float>(b.channel(c)[i] * env);
        }
        return b;
    }
    case Role::Pad:
        return pinkNoise(kFs, 2, kSeconds, -25, seed);
    default: {
        // A tone with harmonics at a role-specific pitch, slightly vibrato'd, mono.
        const double f0 = role == Role::Vocal ? 220.0 : role == Role::Guitar ? 330.0 : 262.0;
        AudioBuffer b(1, static_cast<std::size_t>(kSeconds * kFs));
        for (std::size_t i = 0; i < b.frames(); ++i) {
            const double t = static_cast<double>(i) / kFs;
            const double ph = 2 * std::numbers::pi * f0 * t + 0.3 * std::sin(2 * std::numbers::pi * 5.0 * t);
            double v = 0;
            for (int h = 1; h <= 6; ++h)
                v += std::sin(h * ph) / h;
            b.channel(0)[i] = static_cast<float>(0.2 * v);
        }
        return b;
    }
    }
}

struct Fixture {
    TempDir dir;
    std::vector<StemInput> stems;

    void add(const std::string& name, Role role, double levelDb, std::uint64_t seed, bool passRole = true)
    {
        AudioBuffer x = roleSignal(role, seed);
        const auto g = static_cast<float>(dbToGain(levelDb));
        for (int c = 0; c < x.channels(); ++c)
            for (std::size_t i = 0; i < x.frames(); ++i)
                x.channel(c)[i] *= g;
        writeFile(dir.file(name), x, static_cast<int>(kFs), SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        StemInput s;
        s.path = dir.file(name);
        s.name = name;
        if (passRole)
            s.role = role;
        stems.push_back(s);
    }
};

MixResult mix(const std::vector<StemInput>& stems, const std::string& outDir, int threads = 2,
              const std::string& preset = "Pop", bool stemTruePeak = false)
{
    const Preset p = loadPreset(preset);
    MixOptions o;
    o.outDir = outDir;
    o.threads = threads;
    o.stemTruePeak = stemTruePeak;
    return mixStems(stems, p.mix, RulePolicy(), o);
}

/// Stems of role Other for files already written in `dir`.
std::vector<StemInput> otherStems(const TempDir& dir, std::initializer_list<const char*> names)
{
    std::vector<StemInput> stems;
    for (const char* n : names) {
        StemInput s;
        s.path = dir.file(n);
        s.name = n;
        s.role = Role::Other;
        stems.push_back(s);
    }
    return stems;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

TEST(MixEngine, ScatteredLevelsLandOnTheirRoleTargets)
{
    // Six stems, levels scattered over ±12 dB (seeded): after mixing each stem's loudness
    // relative to the mix is within ±1.5 LU of its role target (Pop preset).
    Fixture f;
    std::mt19937 rng(1234);
    std::uniform_real_distribution<double> scatter(-12.0, 12.0);
    const std::pair<const char*, Role> parts[] = {{"vox.wav", Role::Vocal}, {"bass.wav", Role::Bass},
                                                  {"keys.wav", Role::Keys}, {"pad.wav", Role::Pad},
                                                  {"gtr.wav", Role::Guitar}, {"hats.wav", Role::Drums}};
    std::uint64_t seed = 1;
    for (const auto& [name, role] : parts)
        f.add(name, role, scatter(rng), seed++);
    TempDir out;
    const MixResult r = mix(f.stems, out.path().string());
    const Preset pop = loadPreset("Pop");
    for (const auto& s : r.stems) {
        const double target = pop.mix.role(s.info.role).targetLu;
        EXPECT_NEAR(s.postRelativeLu, target, 1.5) << s.info.name << " (" << toString(s.info.role) << ")";
    }
    EXPECT_LE(r.mix.samplePeakDbfs, -3.0 + 0.01);
    EXPECT_GE(r.mix.samplePeakDbfs, -3.1);
}

TEST(MixEngine, OneRenderWhenTheCompressorsArePredicted)
{
    // The policy predicts each compressor from the stem's 10 ms envelope (threshold for the
    // role's average gain reduction, and the loudness it takes, which the fader gives back),
    // so the first render lands every stem within 0.5 LU of the intended balance and the
    // mix is rendered once. Each compressor's measured average reduction is within 0.3 dB
    // of its aim. RMS-detector roles here: the peak-detector roles (kick, snare, drums,
    // percussion) on noise can miss by up to 1 dB (CompressionPredictionTest), and then the
    // second render corrects the faders (ScatteredLevelsLandOnTheirRoleTargets).
    Fixture f;
    std::mt19937 rng(99);
    std::uniform_real_distribution<double> scatter(-12.0, 12.0);
    const std::pair<const char*, Role> parts[] = {{"vox.wav", Role::Vocal}, {"bass.wav", Role::Bass},
                                                  {"keys.wav", Role::Keys}, {"pad.wav", Role::Pad},
                                                  {"gtr.wav", Role::Guitar}, {"synth.wav", Role::Synth}};
    std::uint64_t seed = 21;
    for (const auto& [name, role] : parts)
        f.add(name, role, scatter(rng), seed++);
    TempDir out;
    const MixResult r = mix(f.stems, out.path().string());
    EXPECT_EQ(r.balancePasses, 1);
    // Relative to one another, as the engine judges it: a common offset (the stems are not
    // uncorrelated, the glue compressor) moves every stem alike and is no imbalance.
    std::vector<double> errors;
    for (const auto& s : r.stems)
        errors.push_back(s.postRelativeLu - s.decision.expectedRelativeLu);
    std::vector<double> sorted = errors;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    const Preset pop = loadPreset("Pop");
    int compressed = 0;
    for (std::size_t i = 0; i < r.stems.size(); ++i) {
        const auto& s = r.stems[i];
        EXPECT_NEAR(errors[i], median, 0.5) << s.info.name;
        if (!s.decision.compress)
            continue;
        ++compressed;
        const double aim = std::min(pop.mix.role(s.info.role).targetGrDb, pop.mix.maxAverageGrDb - 0.75);
        EXPECT_NEAR(s.averageGrDb, aim, 0.3) << s.info.name;
    }
    EXPECT_GE(compressed, 4);
}

TEST(MixEngine, PansAndHighPassesFollowTheRoles)
{
    Fixture f;
    f.add("kick.wav", Role::Kick, -10, 1);
    f.add("bass.wav", Role::Bass, -10, 2);
    f.add("vox.wav", Role::Vocal, -10, 3);
    f.add("gtr1.wav", Role::Guitar, -10, 4);
    f.add("gtr2.wav", Role::Guitar, -10, 5);
    f.add("keys.wav", Role::Keys, -10, 6);
    TempDir out;
    const MixResult r = mix(f.stems, out.path().string());
    const Preset pop = loadPreset("Pop");
    double gtrPans[2] = {0, 0};
    int g = 0;
    for (const auto& s : r.stems) {
        EXPECT_DOUBLE_EQ(s.decision.hpfHz, pop.mix.role(s.info.role).hpfHz) << s.info.name;
        if (s.info.role == Role::Kick || s.info.role == Role::Bass || s.info.role == Role::Vocal) {
            EXPECT_DOUBLE_EQ(s.decision.pan, 0.0) << s.info.name;
        }
        if (s.info.role == Role::Guitar)
            gtrPans[g++] = s.decision.pan;
        if (s.info.role == Role::Keys) {
            EXPECT_GT(std::fabs(s.decision.pan), 0.1);
        }
    }
    // The two guitars form a pair on opposite sides.
    EXPECT_NEAR(gtrPans[0], -gtrPans[1], 1e-9);
    EXPECT_GE(std::fabs(gtrPans[0]), 0.4);
}

TEST(MixEngine, GuardrailsHoldOnAdversarialStems)
{
    TempDir dir;
    std::vector<StemInput> stems;
    auto write = [&](const std::string& name, const AudioBuffer& x, Role role) {
        writeFile(dir.file(name), x, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
        StemInput s;
        s.path = dir.file(name);
        s.name = name;
        s.role = role;
        stems.push_back(s);
    };
    AudioBuffer square(2, 6 * 48000);
    for (std::size_t i = 0; i < square.frames(); ++i)
        square.channel(0)[i] = square.channel(1)[i] = (i / 120) % 2 ? 1.0f : -1.0f; // 200 Hz, full scale
    write("square.wav", square, Role::Synth);
    write("sub.wav", sine(48000, 1, 6.0, 30.0, -1.0), Role::Bass);
    write("silence.wav", AudioBuffer(2, 6 * 48000), Role::Keys);
    write("vox.wav", roleSignal(Role::Vocal, 9), Role::Vocal);
    TempDir out;
    const MixResult r = mix(stems, out.path().string());
    for (const auto& s : r.stems) {
        for (const auto& e : s.decision.eq)
            EXPECT_LE(std::fabs(e.band.gainDb), 4.0) << s.info.name;
        EXPECT_LT(s.averageGrDb, 3.0) << s.info.name;
        if (s.info.name == "silence.wav") {
            EXPECT_TRUE(s.decision.muted);
            EXPECT_FALSE(s.warnings.empty());
        }
    }
    for (const auto& b : r.buses)
        EXPECT_LT(b.averageGrDb, 3.0) << b.name;
    EXPECT_LE(r.mix.samplePeakDbfs, -3.0 + 0.01);
    EXPECT_TRUE(std::isfinite(r.mix.integratedLufs));
}

TEST(MixEngine, BitIdenticalWhateverTheThreadCount)
{
    Fixture f;
    f.add("kick.wav", Role::Kick, -6, 1);
    f.add("bass.wav", Role::Bass, -9, 2);
    f.add("vox.wav", Role::Vocal, -12, 3);
    f.add("hats.wav", Role::Drums, -3, 4);
    f.add("pad.wav", Role::Pad, -15, 5);
    TempDir a, b;
    mix(f.stems, a.path().string(), 1);
    mix(f.stems, b.path().string(), 4);
    const std::string wa = slurp(a.file("mix.wav")), wb = slurp(b.file("mix.wav"));
    ASSERT_FALSE(wa.empty());
    EXPECT_TRUE(wa == wb) << "mix.wav differs between 1 and 4 threads";
}

TEST(MixEngine, DifferentLengthsAndRatesAreAlignedAndReported)
{
    TempDir dir;
    writeFile(dir.file("long.wav"), roleSignal(Role::Vocal, 1), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    writeFile(dir.file("short44.wav"), sine(44100, 1, 3.0, 110, -10), 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const std::vector<StemInput> stems = otherStems(dir, {"long.wav", "short44.wav"});
    TempDir out;
    const MixResult r = mix(stems, out.path().string());
    EXPECT_EQ(r.sampleRate, 48000);
    EXPECT_NEAR(r.mix.durationS, kSeconds, 0.01);
    bool padded = false, resampled = false;
    for (const auto& w : r.warnings) {
        padded |= w.find("padded") != std::string::npos;
        resampled |= w.find("resampled") != std::string::npos;
    }
    EXPECT_TRUE(padded);
    EXPECT_TRUE(resampled);
}

TEST(MixEngine, StemTruePeaksAreTheirInputsReading)
{
    // The stems' true peak is measured in the first mix render, screened by the analysis'
    // sample peak. It must be the reading a meter of its own gives on the stem as the job
    // reads it (Ebur128TruePeak over AudioSource at the job rate: exact), for a stereo
    // stem whose inter-sample peak is 3 dB over its samples (an fs/4 sine at 45°), a mono
    // stem whose peak is its last sample, and a shorter 44.1 kHz stem (resampled, padded).
    TempDir dir;
    const auto frames = static_cast<std::size_t>(kSeconds * kFs);
    AudioBuffer bait = pinkNoise(kFs, 2, kSeconds, -30, 11);
    for (std::size_t i = 0; i < static_cast<std::size_t>(3 * kFs); ++i)
        for (int c = 0; c < 2; ++c)
            bait.channel(c)[i] = static_cast<float>(0.99 * std::sin(std::numbers::pi / 2 * static_cast<double>(i) + std::numbers::pi / 4));
    AudioBuffer late = roleSignal(Role::Vocal, 12);
    late.channel(0)[frames - 1] = 0.95f;
    writeFile(dir.file("bait.wav"), bait, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    writeFile(dir.file("late.wav"), late, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    writeFile(dir.file("short44.wav"), sine(44100, 2, 3.0, 110, -4), 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const std::vector<StemInput> stems = otherStems(dir, {"bait.wav", "late.wav", "short44.wav"});
    TempDir out;
    const MixResult r = mix(stems, out.path().string(), 2, "Pop", true);
    ASSERT_EQ(r.stems.size(), stems.size());
    for (std::size_t i = 0; i < stems.size(); ++i) {
        AudioSource src(stems[i].path, r.sampleRate, kMixBlock);
        Ebur128TruePeak meter;
        meter.prepare(src.channels(), r.sampleRate);
        AudioBuffer block(src.channels(), kMixBlock);
        while (src.read(block) > 0) {
            meter.process(block);
            block.setFrames(kMixBlock);
        }
        const double expected = 20.0 * std::log10(static_cast<double>(meter.truePeak()));
        EXPECT_EQ(r.stems[i].info.metrics.truePeakDbtp, expected) << stems[i].name;
    }
    const auto& baitMetrics = r.stems[0].info.metrics;
    EXPECT_GT(baitMetrics.truePeakDbtp, baitMetrics.samplePeakDbfs + 2.9);
    EXPECT_NEAR(r.stems[1].info.metrics.truePeakDbtp, 20.0 * std::log10(0.95), 0.5);

    // And libebur128's own reading of the bait, within float rounding.
    ebur128_state* st = ebur128_init(2, 48000, EBUR128_MODE_TRUE_PEAK);
    std::vector<float> inter(2 * bait.frames());
    for (std::size_t i = 0; i < bait.frames(); ++i)
        for (int c = 0; c < 2; ++c)
            inter[2 * i + static_cast<std::size_t>(c)] = bait.channel(c)[i];
    ebur128_add_frames_float(st, inter.data(), bait.frames());
    double tp = 0.0, tp1 = 0.0;
    ebur128_true_peak(st, 0, &tp);
    ebur128_true_peak(st, 1, &tp1);
    ebur128_destroy(&st);
    EXPECT_NEAR(baitMetrics.truePeakDbtp, 20.0 * std::log10(std::max(tp, tp1)), 0.001);
}

TEST(MixEngine, RejectsTooManyStemsAndDuplicateNames)
{
    Fixture f;
    f.add("a.wav", Role::Other, -10, 1);
    std::vector<StemInput> thirteen(13, f.stems[0]);
    for (std::size_t i = 0; i < thirteen.size(); ++i)
        thirteen[i].name = std::to_string(i) + ".wav";
    TempDir out;
    EXPECT_THROW(mix(thirteen, out.path().string()), InputError);
    std::vector<StemInput> dup{f.stems[0], f.stems[0]};
    EXPECT_THROW(mix(dup, out.path().string()), InputError);
}

TEST(MixEngine, ChoosesTheMostCommonRateFamily)
{
    EXPECT_EQ(chooseJobRate({44100, 44100, 48000}), 44100);
    EXPECT_EQ(chooseJobRate({48000, 96000, 44100}), 48000);
    EXPECT_EQ(chooseJobRate({88200, 22050, 48000}), 44100);
}
