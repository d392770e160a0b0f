#pragma once
// A whole job, as the CLI's `run`/`master` and the service's workers run it:
// stems → mix → master (under QC) → preview → report.json, all in one output folder.
// This header is the pipeline's public face for src/service and src/cli.
#include "core/AudioWriter.h"
#include "mixing/MixEngine.h"
#include "pipeline/Preset.h"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mm {

/// The stage names a job reports through JobSpec::progress, in the order they come
/// ("balancing" only when the mix is rendered a second time).
inline constexpr std::array<const char*, 6> kJobStages{"analysis", "mixing", "balancing", "writing mix", "mastering", "preview"};

struct JobSpec {
    std::vector<StemInput> stems;   ///< the stems (a mix-and-master job)
    std::string mixPath;            ///< or a finished mix (a master-only job)
    bool mixOnly = false;           ///< stop after the mix
    std::string preset = "Pop";
    TargetOverrides overrides;
    bool respectUserGains = false;
    bool bypassParallelComp = false;
    bool exportStems = false;
    bool preview = true;            ///< OUTDIR/preview.ogg (Ogg Opus) of the master
    /// With preview: also mix_preview.ogg and (stems jobs) stems_preview.ogg, the raw stem
    /// sum, for the web player's A/B/C comparison. On for the service's jobs; the CLI
    /// asks with --compare-previews (its user has mix.wav and master.wav themselves).
    bool comparePreviews = true;
    std::string policy = "auto"; ///< auto | neural | rules (pipeline/PolicyChoice.h)
    std::string referencePath;      ///< reference track for tone matching (optional)
    std::optional<double> matchAmount; ///< tone-match amount 0…1 (default: 1 with a reference, else the preset's)
    OutputFormat format = OutputFormat::Wav24;
    int threads = 0;
    std::string outDir;
    nlohmann::json job = nlohmann::json::object(); ///< id, kind … copied into the report
    ProgressFn progress;
};

struct JobResult {
    nlohmann::json report;
    std::string mixPath, masterPath, reportPath, previewPath;
    bool qcPassed = true;
};

/// Runs the job; InputError for bad input (before any work where possible).
JobResult runJob(const JobSpec& spec);

} // namespace mm
