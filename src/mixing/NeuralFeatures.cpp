#include "mixing/NeuralFeatures.h"

#include "analysis/Analyzer.h"
#include "analysis/Spectrum.h"
#include "core/AudioSource.h"
#include "mixing/MixRender.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace mm {

double neuralEqCentreHz(int k)
{
    const auto& e = mixBandEdges();
    const auto b = static_cast<std::size_t>(k + kNeuralFirstEqBand);
    return std::sqrt(e[b] * e[b + 1]);
}

const std::array<const char*, kNeuralInputs>& neuralInputNames()
{
    static const std::array<const char*, kNeuralInputs> names{
        "role_kick", "role_snare", "role_drums", "role_percussion", "role_bass", "role_keys", "role_piano",
        "role_synth", "role_pad", "role_guitar", "role_strings", "role_brass", "role_lead", "role_vocal",
        "role_backing_vocal", "role_fx", "role_other",
        "band_sub", "band_bass", "band_low_mid", "band_mid", "band_upper_mid", "band_presence", "band_brilliance", "band_air",
        "crest", "lra", "width", "correlation", "activity", "transients", "centroid", "stereo"};
    return names;
}

StemInfo analyzeStemInfo(const StemInput& input, int jobRate)
{
    AudioSource src(input.path, jobRate, kMixBlock);
    AnalyzerOptions ao;
    ao.features = true;
    ao.truePeak = false;
    ao.fastTruePeak = true;
    ao.expectedFrames = src.expectedFrames();
    Analyzer analyzer(jobRate, src.channels(), ao);
    AudioBuffer block(src.channels(), kMixBlock);
    while (src.read(block) > 0)
        analyzer.process(block);
    StemInfo info;
    info.metrics = analyzer.finish();
    info.metrics.path = input.path;
    info.features = analyzer.features();
    info.name = input.name;
    if (input.role) {
        info.role = *input.role;
        info.roleSource = "metadata";
    } else if (auto r = guessRoleFromName(std::filesystem::path(input.path).filename().string())) {
        info.role = *r;
        info.roleSource = "file name";
    } else {
        info.role = guessRoleFromAudio(info.metrics, info.features);
        info.roleSource = "audio";
    }
    info.userGainDb = input.gainDb;
    info.userPan = input.pan;
    info.userMute = input.mute;
    return info;
}

std::array<double, kNeuralInputs> neuralStemInputs(const StemInfo& stem)
{
    std::array<double, kNeuralInputs> x{};
    const auto& roles = allRoles();
    const auto r = std::find(roles.begin(), roles.end(), stem.role);
    x[static_cast<std::size_t>(r - roles.begin())] = 1.0;
    std::size_t k = roles.size();
    // Band shape: each band's energy relative to the stem's total, −60 … 0 dB scaled to −3 … 0.
    const auto& f = stem.features;
    double total = 0.0;
    for (double b : f.bandDb)
        total += std::pow(10.0, b / 10.0);
    const double totalDb = total > 0.0 ? 10.0 * std::log10(total) : 0.0;
    for (double b : f.bandDb)
        x[k++] = std::clamp(std::isfinite(b) ? b - totalDb : -60.0, -60.0, 0.0) / 20.0;
    const auto& m = stem.metrics;
    const auto finiteOr = [](double v, double fallback) { return std::isfinite(v) ? v : fallback; };
    x[k++] = std::clamp(finiteOr(m.crestDb, 0.0), 0.0, 60.0) / 20.0;
    x[k++] = std::clamp(finiteOr(m.lraLu, 0.0), 0.0, 40.0) / 20.0;
    x[k++] = std::clamp(finiteOr(m.widthPct, 0.0), 0.0, 200.0) / 100.0;
    x[k++] = std::clamp(finiteOr(m.correlation, 1.0), -1.0, 1.0);
    x[k++] = std::clamp(f.activity, 0.0, 1.0);
    x[k++] = std::log1p(std::max(0.0, f.transientsPerSecond)) / 2.0;
    x[k++] = std::log2(std::max(20.0, finiteOr(f.spectralCentroidHz, 1000.0)) / 1000.0) / 3.0;
    x[k++] = m.channels == 2 ? 1.0 : 0.0;
    return x;
}

} // namespace mm
