#include "pipeline/Report.h"

#include "analysis/Spectrum.h"
#include "mixing/StemRole.h"
#include "pipeline/MetricsJson.h"

namespace mm {

nlohmann::json compressorToJson(const CompressorParams& c)
{
    return {{"threshold_dbfs", jsonNumber(c.thresholdDb, 1)},
            {"ratio", jsonNumber(c.ratio, 2)},
            {"knee_db", jsonNumber(c.kneeDb, 1)},
            {"attack_ms", jsonNumber(c.attackMs, 1)},
            {"release_ms", jsonNumber(c.releaseMs, 1)},
            {"makeup_db", jsonNumber(c.makeupDb, 1)},
            {"detector", c.detector == Detector::Rms ? "rms" : "peak"},
            {"sidechain_hp_hz", jsonNumber(c.sidechainHpHz, 0)}};
}

nlohmann::json stemToJson(const StemResult& s)
{
    const auto& d = s.decision;
    nlohmann::json eq = nlohmann::json::array();
    for (const auto& e : d.eq)
        eq.push_back({{"type", "peak"}, {"freq_hz", jsonNumber(e.band.freq, 0)}, {"gain_db", jsonNumber(e.band.gainDb, 1)},
                      {"q", jsonNumber(e.band.q, 2)}, {"reason", e.reason}});
    nlohmann::json decisions{
        {"muted", d.muted},
        {"gain_db", jsonNumber(d.gainDb, 2)},
        {"gain_reason", d.muted ? d.muteReason : d.gainReason},
        {"high_pass_hz", jsonNumber(d.hpfHz, 0)},
        {"high_pass_reason", d.hpfReason},
        {"eq", eq},
        {"compressor", d.compress ? compressorToJson(d.comp) : nlohmann::json(nullptr)},
        {"compressor_reason", d.compress ? d.compReason : std::string("no compression for this role")},
        {"pan", jsonNumber(d.pan, 2)},
        {"pan_reason", d.panReason},
        {"bus", d.drumBus ? "drums" : "mix"},
        {"target_relative_lu", jsonNumber(d.expectedRelativeLu, 2)},
        {"guardrails", d.guardrails}};
    return {{"name", s.info.name},
            {"file", s.path},
            {"role", toString(s.info.role)},
            {"role_source", s.info.roleSource},
            {"input", metricsToJson(s.info.metrics)},
            {"features",
             {{"activity", jsonNumber(s.info.features.activity, 3)},
              {"transients_per_s", jsonNumber(s.info.features.transientsPerSecond, 2)},
              {"spectral_centroid_hz", jsonNumber(s.info.features.spectralCentroidHz, 0)},
              {"band_db", [&] {
                   nlohmann::json b = nlohmann::json::object();
                   for (std::size_t k = 0; k < s.info.features.bandDb.size(); ++k)
                       b[mixBandNames()[k]] = jsonNumber(s.info.features.bandDb[k], 1);
                   return b;
               }()}}},
            {"decisions", decisions},
            {"output",
             {{"integrated_lufs", jsonNumber(s.postLufs)},
              {"relative_to_mix_lu", jsonNumber(s.postRelativeLu)},
              {"average_gr_db", jsonNumber(s.averageGrDb)},
              {"max_gr_db", jsonNumber(s.maxGrDb)}}},
            {"warnings", s.warnings}};
}

nlohmann::json busesToJson(const std::vector<BusResult>& buses)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : buses)
        out.push_back({{"name", b.name}, {"active", b.active}, {"description", b.description},
                       {"compressor", compressorToJson(b.comp)}, {"average_gr_db", jsonNumber(b.averageGrDb)},
                       {"max_gr_db", jsonNumber(b.maxGrDb)}});
    return out;
}

nlohmann::json checksToJson(const std::vector<MixCheck>& checks)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : checks)
        out.push_back({{"name", c.name}, {"target", c.target}, {"measured", jsonNumber(c.measured, 2)},
                       {"passed", c.passed}, {"action", c.action}});
    return out;
}

nlohmann::json spectrumToJson(const std::vector<double>& db)
{
    nlohmann::json centres = nlohmann::json::array(), values = nlohmann::json::array();
    for (double c : thirdOctaveCentres())
        centres.push_back(jsonNumber(c, 1));
    for (double v : db)
        values.push_back(jsonNumber(v, 2));
    return {{"centres_hz", centres}, {"db", values}};
}

nlohmann::json mixReport(const MixResult& mix, const Preset& preset, const Targets& targets, const nlohmann::json& options,
                         const nlohmann::json& job, double totalSeconds)
{
    nlohmann::json stems = nlohmann::json::array();
    for (const auto& s : mix.stems)
        stems.push_back(stemToJson(s));
    nlohmann::json mixJson = metricsWithSeriesToJson(mix.mix);
    mixJson["sample_rate"] = mix.sampleRate;
    mixJson["headroom_gain_db"] = jsonNumber(mix.headroomGainDb);
    mixJson["policy"] = mix.policy;
    mixJson["buses"] = busesToJson(mix.buses);
    bool passed = true;
    for (const auto& c : mix.checks)
        passed = passed && c.passed;
    return {{"version", kReportVersion},
            {"job", job},
            {"preset", {{"key", preset.key}, {"name", preset.name}}},
            {"targets", targetsToJson(targets)},
            {"options", options},
            {"stems", stems},
            {"mix", mixJson},
            {"master", nullptr},
            {"target_spectrum", nullptr},
            {"qc", {{"passed", passed}, {"iterations", 0}, {"checks", checksToJson(mix.checks)}}},
            {"timings_s",
             {{"analysis", jsonNumber(mix.analysisSeconds, 3)},
              {"mixing", jsonNumber(mix.mixingSeconds, 3)},
              {"mastering", 0.0},
              {"io", jsonNumber(mix.writeSeconds, 3)},
              {"total", jsonNumber(totalSeconds, 3)}}},
            {"warnings", mix.warnings}};
}

} // namespace mm
