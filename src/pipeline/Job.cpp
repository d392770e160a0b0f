#include "pipeline/Job.h"

#include "analysis/Analyzer.h"
#include "core/AtomicFile.h"
#include "core/AudioSource.h"
#include "core/Errors.h"
#include "core/ThreadPool.h"
#include "mastering/MasteringChain.h"
#include "pipeline/MasterSettingsFromPreset.h"
#include "pipeline/MetricsJson.h"
#include "pipeline/PolicyChoice.h"
#include "pipeline/Previews.h"
#include "pipeline/RenderPreview.h"
#include "pipeline/QcLoop.h"
#include "pipeline/Report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>

namespace mm {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// One pass over a finished mix (`mixmaster master`): the report's metrics (libebur128's
// loudness, LRA and true peak) and, when it is to be mastered, the
// chain's band levels, so that the chain needs no analysis pass of its own
// (MasteringSettings::mixAnalysis). The measurements of each block run side by side.
AudioMetrics analyzeMix(const std::string& path, MasteringSettings* ms, int threads)
{
    constexpr std::size_t kRead = 4 * MasteringChain::kBlock;
    AudioSource source(path, 0, kRead);
    const auto rate = static_cast<double>(source.sampleRate());
    const int channels = source.channels();
    AnalyzerOptions options;
    options.expectedFrames = source.expectedFrames();
    Analyzer analysis(rate, channels, options);
    BandLevelMeter bands;
    if (ms)
        bands.prepare({rate, channels, MasteringChain::kBlock}, ms->multiband.crossoversHz);
    AudioBuffer block(channels, kRead);
    ThreadPool pool(threads > 0 ? threads : ThreadPool::defaultThreads());
    std::int64_t frames = 0;
    while (source.read(block) > 0) {
        pool.parallelFor(ms ? 2 : 1, [&](std::size_t t) {
            if (t == 0)
                analysis.process(block);
            else
                bands.process(block); // gates per MasteringChain::kBlock frames, as the chain's own analysis
        });
        frames += static_cast<std::int64_t>(block.frames());
        block.setFrames(kRead);
    }
    AudioMetrics m = analysis.finish();
    noteReaderFindings(m, path, source.reader());
    if (ms) {
        auto a = std::make_shared<MixAnalysis>();
        a->metrics = m;
        a->bandLevelsDb = bands.levelsDb();
        a->frames = frames;
        a->crossoversHz = ms->multiband.crossoversHz;
        ms->mixAnalysis = std::move(a);
    }
    return m;
}

nlohmann::json masterToJson(const QcOutcome& q)
{
    const auto& m = q.master;
    nlohmann::json j = metricsWithSeriesToJson(m.output);
    nlohmann::json curve = nlohmann::json::array();
    for (double v : m.toneMatchCurveDb)
        curve.push_back(jsonNumber(v, 2));
    nlohmann::json bands = nlohmann::json::array();
    for (const auto& b : m.multiband)
        bands.push_back({{"low_hz", jsonNumber(b.lowHz, 0)}, {"high_hz", jsonNumber(b.highHz, 0)},
                         {"level_db", jsonNumber(b.levelDb)}, {"threshold_db", jsonNumber(b.thresholdDb)},
                         {"average_gr_db", jsonNumber(b.averageGrDb)}, {"max_gr_db", jsonNumber(b.maxGrDb)}});
    j["chain"] = {{"tone_match", {{"amount", jsonNumber(q.settings.toneMatch.amount, 2)}, {"curve_db", curve}}},
                  {"multiband", bands},
                  {"width", {{"in_pct", jsonNumber(m.widthInPct, 1)}, {"side_factor", jsonNumber(m.widthFactor, 3)},
                             {"target_pct", jsonNumber(q.settings.widthPct, 1)}, {"mono_below_hz", jsonNumber(q.settings.monoBelowHz, 0)}}},
                  {"gain_db", jsonNumber(m.gainDb)},
                  {"pre_limiter_lufs", jsonNumber(m.preLimiterLufs)},
                  {"limiter", {{"ceiling_dbtp", jsonNumber(m.limiterCeilingDbtp)}, {"lookahead_ms", jsonNumber(q.settings.limiter.lookaheadMs, 1)},
                               {"release_ms", jsonNumber(q.settings.limiter.releaseMs, 0)}, {"max_gr_db", jsonNumber(m.limiterMaxGrDb)},
                               {"average_gr_db", jsonNumber(m.limiterAvgGrDb)}}},
                  {"renders", m.renders},
                  {"loudness_error_lu", jsonNumber(m.loudnessErrorLu, 3)},
                  {"dsp_true_peak_dbtp", jsonNumber(m.dspTruePeakDbtp, 3)},
                  {"format", toString(q.settings.format)}};
    return j;
}

/// A metric of the report as a number; NaN when absent or null.
double reportNumber(const nlohmann::json& section, const char* key)
{
    return section.is_object() && section.contains(key) && section[key].is_number() ? section[key].get<double>()
                                                                                  : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

JobResult runJob(const JobSpec& spec)
{
    const auto t0 = Clock::now();
    Preset preset = loadPreset(spec.preset);
    Targets targets = preset.targets;
    applyTargetOverrides(targets, spec.overrides);
    const PolicyChoice policy = choosePolicy(spec.policy); // "auto": neural when its model is found
    if (spec.stems.empty() && spec.mixPath.empty())
        throw InputError("no stems and no mix given");
    std::optional<PreviewWriter> stemsPreview; // started during the mix stage (below)
    std::optional<std::vector<double>> reference;
    if (!spec.referencePath.empty()) {
        AnalyzerOptions ao;
        ao.truePeak = false;
        reference = analyzeFile(spec.referencePath, ao).thirdOctaveDb;
    }
    if (spec.matchAmount && (!std::isfinite(*spec.matchAmount) || *spec.matchAmount < 0.0 || *spec.matchAmount > 1.0))
        throw InputError("tone-match amount must be within 0 … 100 %");
    if (spec.outDir.empty())
        throw InputError("no output folder given");
    {
        std::error_code ec;
        if (std::filesystem::exists(spec.outDir, ec) && !std::filesystem::is_directory(spec.outDir, ec))
            throw InputError(spec.outDir + ": the output folder exists and is not a folder");
        std::filesystem::create_directories(spec.outDir, ec);
        if (ec)
            throw InputError(spec.outDir + ": cannot create the output folder (" + ec.message() + ")");
    }
    const std::filesystem::path out(spec.outDir);

    nlohmann::json options{{"respect_user_gains", spec.respectUserGains}, {"bypass_parallel_comp", spec.bypassParallelComp},
                           {"format", toString(spec.format)}, {"policy", policy.policy->name()}, {"threads", spec.threads},
                           {"export_stems", spec.exportStems},
                           {"tone_match_amount", spec.matchAmount ? nlohmann::json(*spec.matchAmount) : nlohmann::json(nullptr)},
                           {"reference", spec.referencePath.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::filesystem::path(spec.referencePath).filename().string())}};
    JobResult result;
    nlohmann::json report;
    std::vector<MixCheck> mixChecks;
    double ioSeconds = 0.0;
    std::optional<MasteringSettings> ms;
    if (!spec.mixOnly) {
        ms = masteringSettings(preset, targets, spec.format, reference, spec.matchAmount);
        ms->threads = spec.threads;
    }
    if (!spec.stems.empty()) {
        preset.mix.respectUserGains = spec.respectUserGains;
        preset.mix.bypassParallelComp = spec.bypassParallelComp;
        MixOptions mo;
        mo.outDir = spec.outDir;
        mo.threads = spec.threads;
        mo.format = spec.format;
        mo.exportStems = spec.exportStems;
        mo.progress = spec.progress;
        // The stem-sum preview needs only the stems: it starts with the write pass of
        // mix.wav and encodes on while the mix is mastered.
        if (!spec.mixOnly && spec.preview && spec.comparePreviews)
            mo.onWriteStart = [&](int rate) {
                const auto raw = rawSumSources(spec.stems);
                if (!raw.empty())
                    stemsPreview.emplace(std::vector<PreviewSpec>{{"stems", (out / "stems_preview.ogg").string(), raw,
                                                                   std::numeric_limits<double>::quiet_NaN()}},
                                         rate, spec.threads != 1);
            };
        // The mastering analysis (multiband band levels; spectrum and width come with the
        // mix's metrics) is measured while the mix is rendered, not in a pass of its own;
        // the headroom gain, decided after the renders, is applied to the levels below.
        BandLevelMeter bands;
        bool bandsPrepared = false;
        int bandsRender = 0;
        if (ms)
            mo.onMixBlock = [&](const AudioBuffer& block, int rate, int render) {
                if (!bandsPrepared) {
                    bands.prepare({static_cast<double>(rate), block.channels(), MasteringChain::kBlock}, ms->multiband.crossoversHz);
                    bandsPrepared = true;
                }
                if (render != bandsRender) { // a second render makes the mix again
                    bands.restart();
                    bandsRender = render;
                }
                bands.process(block);
            };
        const MixResult mix = mixStems(spec.stems, preset.mix, *policy.policy, mo);
        if (ms && bandsPrepared) {
            auto a = std::make_shared<MixAnalysis>();
            a->metrics = mix.mix;
            a->bandLevelsDb = bands.levelsDb(mix.headroomGainDb);
            a->frames = mix.frames;
            a->crossoversHz = ms->multiband.crossoversHz;
            ms->mixAnalysis = std::move(a);
        }
        result.mixPath = mix.mixPath;
        mixChecks = mix.checks;
        ioSeconds = mix.writeSeconds;
        report = mixReport(mix, preset, targets, options, spec.job, since(t0));
        if (!policy.modelVersion.empty())
            report["mix"]["policy_model"] = {{"version", policy.modelVersion}, {"file", policy.modelFile}};
    } else {
        result.mixPath = spec.mixPath;
        const auto tA = Clock::now();
        const AudioMetrics m = analyzeMix(spec.mixPath, ms ? &*ms : nullptr, spec.threads);
        report = {{"version", kReportVersion}, {"job", spec.job}, {"preset", {{"key", preset.key}, {"name", preset.name}}},
                  {"targets", targetsToJson(targets)}, {"options", options}, {"stems", nlohmann::json::array()},
                  {"mix", metricsWithSeriesToJson(m)}, {"master", nullptr}, {"target_spectrum", nullptr},
                  {"qc", {{"passed", true}, {"iterations", 0}, {"checks", nlohmann::json::array()}}},
                  {"timings_s", {{"analysis", jsonNumber(since(tA), 3)}, {"mixing", 0.0}, {"mastering", 0.0}, {"io", 0.0}, {"total", 0.0}}},
                  {"warnings", m.warnings}};
    }

    // The mix preview needs only the mix: it encodes on a background thread while the mix
    // is mastered (mastering leaves a core idle much of the time).
    std::optional<PreviewWriter> earlyPreviews;
    int previewRate = 0;
    if (!spec.mixOnly && spec.preview && spec.comparePreviews) {
        previewRate = AudioSource(result.mixPath).sampleRate();
        std::vector<PreviewSpec> previews;
        previews.push_back({"mix", (out / "mix_preview.ogg").string(), {result.mixPath}, reportNumber(report["mix"], "true_peak_dbtp"),
                            reportNumber(report["mix"], "integrated_lufs")});
        earlyPreviews.emplace(std::move(previews), previewRate, spec.threads != 1);
    }

    if (!spec.mixOnly) {
        const auto tM = Clock::now();
        result.masterPath = (out / ("master" + extensionFor(spec.format))).string();
        // The master's preview is encoded from the renders as they are written.
        std::optional<RenderPreview> masterPreview;
        MasteringSettings masterSettings = *ms;
        if (spec.preview) {
            masterPreview.emplace((out / "preview.ogg").string(), ms->ceilingDbtp);
            masterSettings.renderTap = &*masterPreview;
        }
        const QcOutcome qc = masterWithQc(result.mixPath, result.masterPath, masterSettings, targets, minPlrDb(preset), spec.progress);
        report["master"] = masterToJson(qc);
        report["target_spectrum"] = spectrumToJson(ms->toneMatch.targetDb);
        report["target_spectrum"]["source"] = reference ? "reference" : "preset";
        if (reference)
            report["reference"] = spectrumToJson(*reference);
        std::vector<MixCheck> all = mixChecks;
        all.insert(all.end(), qc.checks.begin(), qc.checks.end());
        result.qcPassed = std::all_of(all.begin(), all.end(), [](const MixCheck& c) { return c.passed; });
        report["qc"] = {{"passed", result.qcPassed}, {"iterations", qc.iterations}, {"checks", checksToJson(all)}, {"actions", qc.actions}};
        for (const auto& c : qc.checks)
            if (!c.passed)
                report["warnings"].push_back("QC: " + c.name + " " + jsonNumber(c.measured, 2).dump() + " misses " + c.target);
        report["timings_s"]["mastering"] = jsonNumber(since(tM), 3);
        if (masterPreview) {
            // Previews for the browser: the master's (preview.ogg), and for the A/B/C
            // player the raw stem sum and the mix (both started before mastering).
            const auto tP = Clock::now();
            if (spec.progress)
                spec.progress("preview", 0.0);
            const ProgressFn both = [&](const std::string& stage, double) {
                if (spec.progress)
                    spec.progress(stage, ((earlyPreviews ? earlyPreviews->progress() : 1.0) +
                                          (stemsPreview ? stemsPreview->progress() : 0.0)) /
                                             (stemsPreview ? 2.0 : 1.0));
            };
            auto previews = stemsPreview ? stemsPreview->wait(both) : std::vector<PreviewResult>{};
            if (earlyPreviews)
                for (auto& p : earlyPreviews->wait(both))
                    previews.push_back(std::move(p));
            previews.push_back(masterPreview->finish(reportNumber(report["master"], "integrated_lufs"),
                                                     reportNumber(report["master"], "true_peak_dbtp")));
            result.previewPath = previews.back().path;
            report["previews"] = previewsToJson(previews);
            ioSeconds += since(tP);
        }
    } else {
        result.qcPassed = std::all_of(mixChecks.begin(), mixChecks.end(), [](const MixCheck& c) { return c.passed; });
    }
    report["timings_s"]["io"] = jsonNumber(ioSeconds, 3);
    report["timings_s"]["total"] = jsonNumber(since(t0), 3);
    result.reportPath = (out / "report.json").string();
    writeFileAtomically(result.reportPath, report.dump(2) + "\n");
    result.report = std::move(report);
    return result;
}

} // namespace mm
