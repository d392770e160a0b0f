#include "pipeline/MasterSettingsFromPreset.h"

#include "analysis/Spectrum.h"
#include "core/Errors.h"

#include <cmath>

namespace mm {

std::vector<double> curveAtThirdOctaves(const nlohmann::json& points)
{
    std::vector<std::pair<double, double>> p;
    for (const auto& pt : points)
        p.emplace_back(std::log(pt.at(0).get<double>()), pt.at(1).get<double>());
    std::vector<double> out;
    for (double fc : thirdOctaveCentres()) {
        const double x = std::log(fc);
        double v = p.empty() ? 0.0 : p.front().second;
        if (!p.empty() && x >= p.back().first)
            v = p.back().second;
        for (std::size_t i = 0; i + 1 < p.size(); ++i)
            if (x >= p[i].first && x <= p[i + 1].first) {
                const double t = (x - p[i].first) / (p[i + 1].first - p[i].first);
                v = p[i].second + t * (p[i + 1].second - p[i].second);
                break;
            }
        out.push_back(v);
    }
    return out;
}

MasteringSettings masteringSettings(const Preset& preset, const Targets& targets, OutputFormat format,
                                    const std::optional<std::vector<double>>& referenceSpectrumDb,
                                    std::optional<double> matchAmount)
{
    const auto& m = preset.master;
    MasteringSettings s;
    s.targetLufs = targets.lufs;
    s.ceilingDbtp = targets.ceilingDbtp;
    s.widthPct = std::min(targets.widthPct, m.value("width_pct", targets.widthPct));
    s.monoBelowHz = m.value("mono_below_hz", 0.0);
    s.format = format;
    s.toneMatch.amount = matchAmount ? *matchAmount : referenceSpectrumDb ? 1.0 : m.value("tone_match_amount", 0.5);
    if (referenceSpectrumDb)
        s.toneMatch.targetDb = *referenceSpectrumDb;
    else if (m.contains("target_spectrum"))
        s.toneMatch.targetDb = curveAtThirdOctaves(m["target_spectrum"]);
    if (m.contains("multiband")) {
        const auto& mb = m["multiband"];
        s.multiband.enabled = mb.value("enabled", true);
        s.multiband.crossoversHz = mb.value("crossovers_hz", s.multiband.crossoversHz);
        s.multiband.bands.clear();
        for (const auto& b : mb.value("bands", nlohmann::json::array())) {
            MultibandBandSettings bs;
            bs.thresholdRelDb = b.value("threshold_rel_db", bs.thresholdRelDb);
            bs.ratio = b.value("ratio", bs.ratio);
            bs.attackMs = b.value("attack_ms", bs.attackMs);
            bs.releaseMs = b.value("release_ms", bs.releaseMs);
            bs.kneeDb = b.value("knee_db", bs.kneeDb);
            s.multiband.bands.push_back(bs);
        }
    }
    if (m.contains("limiter")) {
        s.limiter.lookaheadMs = m["limiter"].value("lookahead_ms", s.limiter.lookaheadMs);
        s.limiter.releaseMs = m["limiter"].value("release_ms", s.limiter.releaseMs);
    }
    return s;
}

double minPlrDb(const Preset& preset)
{
    return preset.master.value("min_plr_db", 6.0);
}

} // namespace mm
