// mixmaster features [STEM...] [--stems-dir DIR] [--meta stems.json] [--json]
// Prints, per stem, the analysis the mixing policies read and the neural policy's input
// vector, computed exactly as in a job (same rate, blocks and analysis options). The
// training scripts (training/) read their features from here.
#include "cli/Commands.h"
#include "core/AudioReader.h"
#include "core/Errors.h"
#include "mixing/NeuralFeatures.h"
#include "mixing/NeuralModel.h"
#include "pipeline/StemsMeta.h"

#include <iostream>
#include <cmath>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

namespace mm::cli {
namespace {

struct FeaturesArgs {
    std::vector<std::string> stems;
    std::string stemsDir, meta, model;
    bool json = true;
};

nlohmann::json finiteOrNull(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

void runFeatures(const FeaturesArgs& a)
{
    const auto meta = a.meta.empty() ? std::vector<StemMeta>{} : readStemsMetaFile(a.meta);
    const auto stems = collectStems(a.stems, a.stemsDir, meta);
    if (stems.empty())
        throw InputError("no stems given");
    std::vector<int> rates;
    for (const auto& s : stems)
        rates.push_back(AudioReader(s.path).info().sampleRate);
    const int rate = chooseJobRate(rates);
    std::optional<NeuralModel> model;
    if (!a.model.empty())
        model = NeuralModel::load(a.model);
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::size_t> active;
    std::vector<std::array<double, kNeuralInputs>> rows;
    for (const auto& s : stems) {
        const StemInfo info = analyzeStemInfo(s, rate);
        if (!info.features.silent && std::isfinite(info.metrics.integratedLufs)) {
            active.push_back(out.size());
            rows.push_back(neuralStemInputs(info));
        }
        const auto& m = info.metrics;
        const auto& f = info.features;
        nlohmann::json bands = nlohmann::json::array();
        for (double b : f.bandDb)
            bands.push_back(finiteOrNull(b));
        nlohmann::json inputs = nlohmann::json::array();
        for (double v : neuralStemInputs(info))
            inputs.push_back(v);
        out.push_back({{"name", info.name}, {"path", s.path}, {"role", toString(info.role)}, {"role_source", info.roleSource},
                       {"sample_rate", rate}, {"channels", m.channels}, {"duration_s", m.durationS},
                       {"integrated_lufs", finiteOrNull(m.integratedLufs)}, {"lra_lu", finiteOrNull(m.lraLu)},
                       {"crest_db", finiteOrNull(m.crestDb)}, {"correlation", finiteOrNull(m.correlation)},
                       {"width_pct", finiteOrNull(m.widthPct)}, {"band_db", bands}, {"activity", f.activity},
                       {"transients_per_s", f.transientsPerSecond}, {"centroid_hz", f.spectralCentroidHz},
                       {"silent", f.silent}, {"inputs", inputs}});
    }
    if (model && !rows.empty()) {
        // The raw network outputs for the non-silent stems as one set (the parity check's C++ side).
        Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), kNeuralInputs);
        for (std::size_t r = 0; r < rows.size(); ++r)
            for (int c = 0; c < kNeuralInputs; ++c)
                x(static_cast<Eigen::Index>(r), c) = rows[r][static_cast<std::size_t>(c)];
        const Eigen::MatrixXd o = model->forward(x);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            nlohmann::json raw = nlohmann::json::array();
            for (Eigen::Index c = 0; c < o.cols(); ++c)
                raw.push_back(o(static_cast<Eigen::Index>(r), c));
            out[active[r]]["model_outputs"] = raw;
        }
    }
    std::cout << out.dump() << '\n';
}

} // namespace

void addFeaturesCommand(CLI::App& app)
{
    auto args = std::make_shared<FeaturesArgs>();
    auto* cmd = app.add_subcommand("features", "Print the per-stem features the mixing policies read (JSON array)");
    cmd->add_option("STEM", args->stems, "Stem files (WAV, AIFF, FLAC)");
    cmd->add_option("--stems-dir", args->stemsDir, "A folder of stems");
    cmd->add_option("--meta", args->meta, "stems.json: [{\"name\",\"role\",…}, …] (roles as in a job)");
    cmd->add_option("--model", args->model, "Also print a neural model file's raw outputs for the stems as one set");
    cmd->add_flag("--json", args->json, "JSON output (the only format; accepted for symmetry with analyze)");
    cmd->callback([args] {
        runFeatures(*args);
        setExitCode(0);
    });
}

} // namespace mm::cli
