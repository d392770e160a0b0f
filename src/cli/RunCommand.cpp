// mixmaster run [STEM...] [--stems-dir DIR] [--meta stems.json] … -o OUTDIR
// mixmaster mix  [STEM...] … -o OUTDIR          (the mix stage only)
// mixmaster master MIX [--preset NAME] [--reference FILE] … -o OUTDIR
// All three are one job (src/pipeline/Job.h) with different start and end points.
#include "cli/Commands.h"
#include "cli/Progress.h"
#include "cli/Table.h"
#include "core/Errors.h"
#include "pipeline/Job.h"
#include "pipeline/StemsMeta.h"

#include <iostream>

namespace mm::cli {
namespace {

struct RunArgs {
    std::vector<std::string> stems;
    std::string mix, stemsDir, meta, preset = "Pop", outDir, format = "wav24", policy = "auto", reference;
    std::optional<double> lufs, ceiling, width, lraMax, matchPct;
    bool respectUserGains = false, bypassParallelComp = false, exportStems = false, strict = false, noPreview = false, comparePreviews = false;
    int threads = 0;
};

std::string num(const nlohmann::json& v, int decimals = 1)
{
    return v.is_number() ? fmt(v.get<double>(), decimals) : std::string("n/a");
}

void printStems(const nlohmann::json& stems)
{
    if (stems.empty())
        return;
    Table t({"stem", "role", "in LUFS", "gain dB", "HPF Hz", "EQ cuts", "GR dB", "pan", "LU rel mix"});
    for (const auto& s : stems) {
        const auto& d = s["decisions"];
        t.add({s["name"].get<std::string>(), s["role"].get<std::string>(), num(s["input"]["integrated_lufs"]),
               d["muted"].get<bool>() ? "muted" : num(d["gain_db"]), num(d["high_pass_hz"], 0), std::to_string(d["eq"].size()),
               num(s["output"]["average_gr_db"]), num(d["pan"], 2), num(s["output"]["relative_to_mix_lu"])});
    }
    std::cout << t.render() << '\n';
}

void printSummary(const JobResult& r)
{
    const auto& rep = r.report;
    printStems(rep["stems"]);
    const auto& t = rep["targets"];
    const auto& m = rep["master"];
    Table s({"", "target", "mix", "master"});
    auto row = [&](const char* name, const std::string& target, const char* key, int d = 1) {
        s.add({name, target, num(rep["mix"][key], d), m.is_null() ? "" : num(m[key], d)});
    };
    row("integrated LUFS", num(t["lufs"]), "integrated_lufs");
    row("true peak dBTP", "<= " + num(t["ceiling_dbTP"]), "true_peak_dbtp", 2);
    row("LRA LU", t["lra_max"].is_null() ? "-" : "<= " + num(t["lra_max"]), "lra_lu");
    row("width %", "<= " + num(t["width_pct"], 0), "width_pct", 0);
    row("correlation", ">= 0.10", "correlation", 2);
    row("crest dB", "", "crest_db");
    std::cout << s.render() << '\n';
    Table q({"QC check", "target", "measured", "result"});
    for (const auto& c : rep["qc"]["checks"])
        q.add({c["name"].get<std::string>(), c["target"].get<std::string>(), num(c["measured"], 2), c["passed"].get<bool>() ? "pass" : "FAIL"});
    std::cout << q.render() << '\n';
    for (const auto& a : rep["qc"].value("actions", nlohmann::json::array()))
        std::cout << "qc: " << a.get<std::string>() << '\n';
    if (!r.mixPath.empty())
        std::cout << "mix:     " << r.mixPath << '\n';
    if (!r.masterPath.empty())
        std::cout << "master:  " << r.masterPath << '\n';
    if (!r.previewPath.empty())
        std::cout << "preview: " << r.previewPath << '\n';
    std::cout << "report:  " << r.reportPath << "  (" << num(rep["timings_s"]["total"], 2) << " s)\n";
}

int runJobCommand(const RunArgs& a, bool masterOnly, bool mixOnly)
{
    JobSpec spec;
    if (masterOnly) {
        spec.mixPath = a.mix;
    } else {
        const auto meta = a.meta.empty() ? std::vector<StemMeta>{} : readStemsMetaFile(a.meta);
        spec.stems = collectStems(a.stems, a.stemsDir, meta);
    }
    spec.mixOnly = mixOnly;
    spec.preset = a.preset;
    spec.overrides = {a.lufs, a.ceiling, a.width, a.lraMax};
    spec.respectUserGains = a.respectUserGains;
    spec.bypassParallelComp = a.bypassParallelComp;
    spec.exportStems = a.exportStems;
    spec.preview = !a.noPreview;
    spec.comparePreviews = a.comparePreviews && !a.noPreview;
    spec.policy = a.policy;
    spec.referencePath = a.reference;
    if (a.matchPct)
        spec.matchAmount = *a.matchPct / 100.0;
    spec.format = parseOutputFormat(a.format);
    spec.threads = a.threads;
    spec.outDir = a.outDir;
    spec.job = {{"kind", masterOnly ? "master" : mixOnly ? "mix" : "run"}};
    ProgressPrinter progress;
    spec.progress = [&](const std::string& s, double f) { progress(s, f); };
    const JobResult r = runJob(spec);
    progress.finish();
    for (const auto& w : r.report["warnings"])
        std::fprintf(stderr, "mixmaster: warning: %s\n", w.get<std::string>().c_str());
    printSummary(r);
    return (!r.qcPassed && a.strict) ? 3 : 0;
}

void addTargetOptions(CLI::App* cmd, RunArgs& a)
{
    cmd->add_option("--preset", a.preset, "Preset name (see `mixmaster presets`)")->capture_default_str();
    cmd->add_option("--lufs", a.lufs, "Target integrated loudness, LUFS (-40 … 0)");
    cmd->add_option("--ceiling", a.ceiling, "True-peak ceiling, dBTP (-20 … 0)");
    cmd->add_option("--width", a.width, "Maximum stereo width, % (0 … 140)");
    cmd->add_option("--lra-max", a.lraMax, "Maximum loudness range, LU");
    cmd->add_option("--reference", a.reference, "Reference track to match the tone of");
    cmd->add_option("--match-amount", a.matchPct, "Tone-match amount, % (0 … 100; default 100 with --reference, else the preset's)");
    cmd->add_option("--format", a.format, "wav24 | wav16 | wav32f | flac24")->capture_default_str();
    cmd->add_flag("--strict", a.strict, "Exit with code 3 when a QC check still fails");
    cmd->add_flag("--no-preview", a.noPreview, "Do not write preview.ogg");
    cmd->add_flag("--compare-previews", a.comparePreviews,
                  "Also write mix_preview.ogg (and for run stems_preview.ogg, the raw stem sum): the web player's A/B previews");
    cmd->add_option("-o,--out", a.outDir, "Output folder")->required();
}

void addStemOptions(CLI::App* cmd, RunArgs& a)
{
    cmd->add_option("STEM", a.stems, "Stem files (WAV, AIFF, FLAC)");
    cmd->add_option("--stems-dir", a.stemsDir, "A folder of stems");
    cmd->add_option("--meta", a.meta, "stems.json: [{\"name\",\"role\",\"gain_db\",\"pan\",\"mute\"}, …]");
    cmd->add_flag("--respect-user-gains", a.respectUserGains, "Keep the metadata's gain and pan");
    cmd->add_flag("--bypass-parallel-comp", a.bypassParallelComp, "No parallel compression on the drum bus");
    cmd->add_flag("--export-stems", a.exportStems, "Also write each processed stem to OUTDIR/stems/");
    cmd->add_option("--policy", a.policy, "Mixing policy: neural | rules | auto (neural when its model file is found)")->capture_default_str();
    cmd->add_option("--threads", a.threads, "Worker threads (0 = all cores)")->check(CLI::Range(0, 256));
}

} // namespace

void addRunCommands(CLI::App& app)
{
    auto a = std::make_shared<RunArgs>();
    auto* run = app.add_subcommand("run", "Mix and master stems: OUTDIR/mix.wav, master.wav, preview.ogg, report.json");
    addStemOptions(run, *a);
    addTargetOptions(run, *a);
    run->callback([a] { setExitCode(runJobCommand(*a, false, false)); });

    auto m = std::make_shared<RunArgs>();
    auto* mix = app.add_subcommand("mix", "Mix stems into OUTDIR/mix.wav (a premaster with headroom) and OUTDIR/report.json");
    addStemOptions(mix, *m);
    addTargetOptions(mix, *m);
    mix->callback([m] { setExitCode(runJobCommand(*m, false, true)); });

    auto b = std::make_shared<RunArgs>();
    auto* master = app.add_subcommand("master", "Master a finished mix: OUTDIR/master.wav, preview.ogg, report.json");
    master->add_option("MIX", b->mix, "The mix (WAV, AIFF, FLAC)")->required();
    addTargetOptions(master, *b);
    master->callback([b] { setExitCode(runJobCommand(*b, true, false)); });
}

} // namespace mm::cli
