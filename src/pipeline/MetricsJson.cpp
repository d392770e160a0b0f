#include "pipeline/MetricsJson.h"

#include <cmath>

namespace mm {

nlohmann::json jsonNumber(double value, int decimals)
{
    if (!std::isfinite(value))
        return nullptr;
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

nlohmann::json metricsToJson(const AudioMetrics& m)
{
    nlohmann::json j;
    j["path"] = m.path;
    j["sample_rate"] = m.sampleRate;
    j["channels"] = m.channels;
    j["duration_s"] = jsonNumber(m.durationS, 3);
    j["integrated_lufs"] = jsonNumber(m.integratedLufs);
    j["lra_lu"] = jsonNumber(m.lraLu);
    j["true_peak_dbtp"] = jsonNumber(m.truePeakDbtp);
    j["sample_peak_dbfs"] = jsonNumber(m.samplePeakDbfs);
    j["max_momentary_lufs"] = jsonNumber(m.maxMomentaryLufs);
    j["max_short_term_lufs"] = jsonNumber(m.maxShortTermLufs);
    j["crest_db"] = jsonNumber(m.crestDb);
    j["correlation"] = jsonNumber(m.correlation, 3);
    j["width_pct"] = jsonNumber(m.widthPct, 1);
    j["rms_dbfs"] = jsonNumber(m.rmsDbfs);
    j["dc_offset"] = jsonNumber(m.dcOffset, 6);
    j["clipped_samples"] = m.clippedSamples;
    j["nonfinite_samples"] = m.nonFiniteSamples;
    j["warnings"] = m.warnings;
    return j;
}

nlohmann::json metricsWithSeriesToJson(const AudioMetrics& m)
{
    nlohmann::json j = metricsToJson(m);
    nlohmann::json st = nlohmann::json::array();
    for (double v : m.shortTermPerSecond)
        st.push_back(jsonNumber(v, 2));
    j["short_term_lufs_per_s"] = st;
    nlohmann::json spec = nlohmann::json::array();
    for (double v : m.thirdOctaveDb)
        spec.push_back(jsonNumber(v, 2));
    j["spectrum_third_octave_db"] = spec;
    nlohmann::json wf = nlohmann::json::array();
    for (float v : m.waveformPeaks)
        wf.push_back(jsonNumber(v, 4));
    j["waveform_peaks"] = wf;
    return j;
}

} // namespace mm
