#pragma once
// Mastering under quality control: master, check every target, and when a check fails
// that a setting can fix, change the setting and master again — at most 3 iterations.
// The checks and what a failure does:
//   integrated_lufs  |out − target| ≤ 0.5 LU       (the chain itself iterates its gain)
//   true_peak        libebur128 and 8× ≤ ceiling   (the chain retries with more margin)
//   width_pct        ≤ target width (≤ 140 %)      → narrower M/S factor
//   correlation      ≥ 0.1                         → narrower, mono below 200 Hz
//   crest (PLR)      true peak − loudness ≥ preset min_plr_db: the master keeps at least
//                    that much peak-to-loudness ratio (loudness war guard)  → warning
//   lra_lu           ≤ lra_max when set            → firmer multiband compression
#include "mastering/MasteringChain.h"
#include "mixing/MixEngine.h"
#include "pipeline/Preset.h"

namespace mm {

struct QcOutcome {
    MasterResult master;
    MasteringSettings settings;     ///< as finally used
    std::vector<MixCheck> checks;   ///< of the final iteration
    int iterations = 0;
    bool passed = false;
    std::vector<std::string> actions; ///< what each corrective iteration changed
};

QcOutcome masterWithQc(const std::string& mixPath, const std::string& masterPath, MasteringSettings settings,
                       const Targets& targets, double minPlrDb, const ProgressFn& progress);

/// The checks on one master result.
std::vector<MixCheck> qcChecks(const MasterResult& r, const Targets& targets, double minPlrDb);

} // namespace mm
