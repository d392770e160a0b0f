#include "pipeline/QcLoop.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mm {
namespace {

std::string fmt(const char* f, double a)
{
    char buf[128];
    std::snprintf(buf, sizeof buf, f, a);
    return buf;
}

MixCheck* find(std::vector<MixCheck>& checks, const std::string& name)
{
    for (auto& c : checks)
        if (c.name == name)
            return &c;
    return nullptr;
}

} // namespace

std::vector<MixCheck> qcChecks(const MasterResult& r, const Targets& t, double minPlr)
{
    const auto& o = r.output;
    std::vector<MixCheck> c;
    const double err = o.integratedLufs - t.lufs;
    c.push_back({"integrated_lufs", fmt("%.1f LUFS ± 0.5", t.lufs), o.integratedLufs, std::isfinite(err) && std::fabs(err) <= 0.5, "none"});
    const double tp = std::max(o.truePeakDbtp, r.dspTruePeakDbtp);
    c.push_back({"true_peak_dbtp", fmt("<= %.1f dBTP (libebur128 and 8x)", t.ceilingDbtp), tp, tp <= t.ceilingDbtp + 1e-9, "none"});
    const double widthCap = std::min(140.0, t.widthPct);
    c.push_back({"width_pct", fmt("<= %.0f %%", widthCap), o.widthPct, o.widthPct <= widthCap + 1.0, "none"});
    c.push_back({"correlation", ">= 0.1", o.correlation, o.correlation >= 0.1, "none"});
    const double plr = o.truePeakDbtp - o.integratedLufs;
    c.push_back({"crest_plr_db", fmt(">= %.1f dB (true peak - loudness)", minPlr), plr, std::isfinite(plr) && plr >= minPlr, "none"});
    if (t.lraMax)
        c.push_back({"lra_lu", fmt("<= %.1f LU", *t.lraMax), o.lraLu, o.lraLu <= *t.lraMax, "none"});
    return c;
}

QcOutcome masterWithQc(const std::string& mixPath, const std::string& masterPath, MasteringSettings settings,
                       const Targets& targets, double minPlr, const ProgressFn& progress)
{
    QcOutcome out;
    constexpr int kMaxIterations = 3;
    for (int it = 1; it <= kMaxIterations; ++it) {
        if (progress) {
            progress("mastering", static_cast<double>(it - 1) / kMaxIterations);
            settings.progress = [&progress, it](double f) {
                progress("mastering", (static_cast<double>(it - 1) + std::clamp(f, 0.0, 1.0)) / kMaxIterations);
            };
        }
        out.master = masterFile(mixPath, masterPath, settings);
        out.settings = settings;
        out.iterations = it;
        out.checks = qcChecks(out.master, targets, minPlr);
        out.passed = std::all_of(out.checks.begin(), out.checks.end(), [](const MixCheck& c) { return c.passed; });
        if (out.passed)
            break;
        // Corrective settings for the next iteration; unfixable failures become warnings.
        std::string action;
        if (auto* c = find(out.checks, "correlation"); c && !c->passed) {
            settings.widthPct = std::max(0.0, settings.widthPct * 0.7);
            settings.monoBelowHz = std::max(settings.monoBelowHz, 200.0);
            action = fmt("narrowed the stereo image to %.0f %% and made it mono below 200 Hz", settings.widthPct);
            c->action = action;
        } else if (auto* w = find(out.checks, "width_pct"); w && !w->passed) {
            settings.widthPct = std::min(140.0, targets.widthPct) * 0.95;
            action = fmt("narrowed the stereo image to %.0f %%", settings.widthPct);
            w->action = action;
        } else if (auto* l = find(out.checks, "lra_lu"); l && !l->passed) {
            for (auto& b : settings.multiband.bands) {
                b.ratio = std::min(6.0, b.ratio * 1.5);
                b.thresholdRelDb -= 2.0;
            }
            action = "firmer multiband compression (ratios x1.5, thresholds -2 dB) to reduce the loudness range";
            l->action = action;
        }
        if (action.empty()) {
            for (auto& c : out.checks)
                if (!c.passed)
                    c.action = "warning: no setting fixes this; reported";
            break;
        }
        out.actions.push_back("iteration " + std::to_string(it) + ": " + action);
    }
    for (auto& c : out.checks)
        if (!c.passed && c.action == "none")
            c.action = "warning: still failing after " + std::to_string(out.iterations) + " iterations";
    if (progress)
        progress("mastering", 1.0);
    return out;
}

} // namespace mm
