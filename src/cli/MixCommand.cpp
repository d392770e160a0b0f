// mixmaster mix STEM... | --stems-dir DIR [--meta stems.json] [--preset NAME] … -o OUTDIR
#include "cli/Commands.h"
#include "cli/Progress.h"
#include "cli/Table.h"
#include "core/AtomicFile.h"
#include "core/Errors.h"
#include "mixing/RulePolicy.h"
#include "pipeline/Report.h"
#include "pipeline/StemsMeta.h"

#include <chrono>
#include <filesystem>
#include <iostream>

namespace mm::cli {
namespace {

struct MixArgs {
    std::vector<std::string> stems;
    std::string stemsDir, meta, preset = "Pop", outDir, format = "wav24", policy = "rules";
    bool respectUserGains = false, bypassParallelComp = false, exportStems = false;
    int threads = 0;
};

void runMix(const MixArgs& a)
{
    const auto t0 = std::chrono::steady_clock::now();
    Preset preset = loadPreset(a.preset);
    if (a.policy != "rules")
        throw InputError("policy '" + a.policy + "' is not available in this build; use --policy rules");
    const auto meta = a.meta.empty() ? std::vector<StemMeta>{} : readStemsMetaFile(a.meta);
    const auto stems = collectStems(a.stems, a.stemsDir, meta);
    preset.mix.respectUserGains = a.respectUserGains;
    preset.mix.bypassParallelComp = a.bypassParallelComp;
    MixOptions o;
    o.outDir = a.outDir;
    o.threads = a.threads;
    o.format = parseOutputFormat(a.format);
    o.exportStems = a.exportStems;
    ProgressPrinter progress;
    o.progress = [&](const std::string& s, double f) { progress(s, f); };
    RulePolicy policy;
    const MixResult r = mixStems(stems, preset.mix, policy, o);
    progress.finish();
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json options{{"respect_user_gains", a.respectUserGains}, {"bypass_parallel_comp", a.bypassParallelComp},
                           {"format", a.format}, {"policy", policy.name()}, {"threads", a.threads}, {"export_stems", a.exportStems}};
    const auto report = mixReport(r, preset, preset.targets, options, {{"kind", "mix"}}, total);
    const std::string reportPath = (std::filesystem::path(a.outDir) / "report.json").string();
    writeFileAtomically(reportPath, report.dump(2) + "\n");

    for (const auto& w : r.warnings)
        std::fprintf(stderr, "mixmaster: warning: %s\n", w.c_str());
    Table t({"stem", "role", "in LUFS", "gain dB", "HPF Hz", "EQ cuts", "GR dB", "pan", "out LU rel"});
    for (const auto& s : r.stems)
        t.add({s.info.name, toString(s.info.role), fmt(s.info.metrics.integratedLufs), s.decision.muted ? "muted" : fmt(s.decision.gainDb),
               fmt(s.decision.hpfHz, 0), std::to_string(s.decision.eq.size()), fmt(s.averageGrDb), fmt(s.decision.pan, 2),
               fmt(s.postRelativeLu)});
    std::cout << t.render();
    std::cout << "mix: " << fmt(r.mix.integratedLufs) << " LUFS, peak " << fmt(r.mix.samplePeakDbfs) << " dBFS, "
              << fmt(total, 2) << " s\n";
    std::cout << "wrote " << r.mixPath << "\n      " << reportPath << "\n";
}

} // namespace


void addMixCommand(CLI::App& app)
{
    auto a = std::make_shared<MixArgs>();
    auto* cmd = app.add_subcommand("mix", "Mix stems into OUTDIR/mix.wav (a premaster with headroom) and OUTDIR/report.json");
    cmd->add_option("STEM", a->stems, "Stem files (WAV, AIFF, FLAC)");
    cmd->add_option("--stems-dir", a->stemsDir, "A folder of stems");
    cmd->add_option("--meta", a->meta, "stems.json: [{\"name\",\"role\",\"gain_db\",\"pan\",\"mute\"}, …]");
    cmd->add_option("--preset", a->preset, "Preset name (see `mixmaster presets`)")->capture_default_str();
    cmd->add_flag("--respect-user-gains", a->respectUserGains, "Keep the metadata's gain and pan");
    cmd->add_flag("--bypass-parallel-comp", a->bypassParallelComp, "No parallel compression on the drum bus");
    cmd->add_flag("--export-stems", a->exportStems, "Also write each processed stem to OUTDIR/stems/");
    cmd->add_option("--threads", a->threads, "Worker threads (0 = all cores)")->check(CLI::Range(0, 256));
    cmd->add_option("--format", a->format, "wav24 | wav16 | wav32f | flac24")->capture_default_str();
    cmd->add_option("--policy", a->policy, "rules")->capture_default_str();
    cmd->add_option("-o,--out", a->outDir, "Output folder")->required();
    cmd->callback([a] {
        runMix(*a);
        setExitCode(0);
    });
}

} // namespace mm::cli
