#include "mixing/NeuralModel.h"

#include "core/Errors.h"
#include "mixing/NeuralWeightsFile.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace mm {
namespace {

constexpr int kFormatVersion = 2;
/// Bounds that keep a hostile header's arithmetic small (1.2.0: 640 × 1280, 20 blocks).
constexpr std::int64_t kMaxDim = 1 << 20;
constexpr std::size_t kMaxBlocks = 4096;

Eigen::VectorXd vectorFrom(const nlohmann::json& j, const std::string& what)
{
    if (!j.is_array())
        throw std::runtime_error(what + " is not an array");
    Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
    for (std::size_t i = 0; i < j.size(); ++i) {
        const double x = j[i].get<double>();
        if (!std::isfinite(x))
            throw std::runtime_error(what + " holds a non-finite number");
        v(static_cast<Eigen::Index>(i)) = x;
    }
    return v;
}

/// A header's list of sizes or block corners: integers 0..kMaxDim.
std::vector<std::int64_t> indices(const nlohmann::json& j, std::size_t n, const std::string& what)
{
    if (!j.is_array() || j.size() != n)
        throw std::runtime_error(what + " is not a list of " + std::to_string(n) + " integers");
    std::vector<std::int64_t> v;
    for (const auto& x : j) {
        if (!x.is_number_integer() || x.get<std::int64_t>() < 0 || x.get<std::int64_t>() > kMaxDim)
            throw std::runtime_error(what + " holds " + x.dump() + " (integers 0.." + std::to_string(kMaxDim) + ")");
        v.push_back(x.get<std::int64_t>());
    }
    return v;
}

std::string shapeText(std::int64_t rows, std::int64_t cols)
{
    return "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
}

/// A tensor's `count` values from the weights file, where its header entry puts them.
std::vector<double> tensorValues(const NeuralWeightsFile& file, const nlohmann::json& t, std::uint64_t count, const std::string& what)
{
    const std::string dtype = t.at("dtype").get<std::string>();
    if (dtype != "float32" && dtype != "float64")
        throw std::runtime_error(what + ": dtype '" + dtype + "' unknown (float32, float64)");
    const auto type = dtype == "float32" ? NeuralWeightsFile::Type::Float32 : NeuralWeightsFile::Type::Float64;
    const auto bytes = t.at("bytes").get<std::uint64_t>();
    const std::uint64_t want = count * NeuralWeightsFile::sizeOf(type);
    if (bytes != want)
        throw std::runtime_error(what + ": " + std::to_string(bytes) + " bytes, but its shape holds " + std::to_string(count) + " " +
                                 dtype + " values (" + std::to_string(want) + " bytes)");
    try {
        return file.values(t.at("offset").get<std::uint64_t>(), count, type);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(what + ": " + e.what());
    }
}

NeuralModel::Layer readLayer(const nlohmann::json& lj, const NeuralWeightsFile& file, const std::string& what)
{
    NeuralModel::Layer layer;
    const auto& wj = lj.at("weight");
    const auto shape = indices(wj.at("shape"), 2, what + " weight shape");
    if (shape[0] == 0 || shape[1] == 0)
        throw std::runtime_error(what + " weight has shape " + shapeText(shape[0], shape[1]));
    layer.out = shape[0];
    layer.in = shape[1];
    // The matrix is zero outside its blocks; blocks lie inside it and do not overlap.
    const auto& bj = wj.at("blocks");
    if (!bj.is_array() || bj.size() > kMaxBlocks)
        throw std::runtime_error(what + " weight blocks: not a list of at most " + std::to_string(kMaxBlocks) + " blocks");
    std::vector<std::array<std::int64_t, 4>> corners;
    std::uint64_t count = 0;
    for (const auto& b : bj) {
        const auto v = indices(b, 4, what + " weight block");
        const std::array<std::int64_t, 4> c{v[0], v[1], v[2], v[3]};
        if (c[2] == 0 || c[3] == 0 || c[0] + c[2] > layer.out || c[1] + c[3] > layer.in)
            throw std::runtime_error(what + " weight block " + b.dump() + " [row, col, rows, cols] lies outside its shape " +
                                     shapeText(layer.out, layer.in));
        for (const auto& o : corners)
            if (c[0] < o[0] + o[2] && o[0] < c[0] + c[2] && c[1] < o[1] + o[3] && o[1] < c[1] + c[3])
                throw std::runtime_error(what + " weight block " + b.dump() + " overlaps another");
        corners.push_back(c);
        count += static_cast<std::uint64_t>(c[2] * c[3]);
    }
    const std::vector<double> w = tensorValues(file, wj, count, what + " weight");
    std::size_t at = 0;
    for (const auto& c : corners) {
        using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        layer.blocks.push_back({c[0], c[1], Eigen::Map<const RowMajor>(w.data() + at, c[2], c[3])});
        at += static_cast<std::size_t>(c[2] * c[3]);
    }
    const auto& biasj = lj.at("bias");
    if (indices(biasj.at("shape"), 1, what + " bias shape")[0] != layer.out)
        throw std::runtime_error(what + " bias shape " + biasj.at("shape").dump() + " differs from the weight's " +
                                 std::to_string(layer.out) + " outputs");
    const std::vector<double> b = tensorValues(file, biasj, static_cast<std::uint64_t>(layer.out), what + " bias");
    layer.bias = Eigen::Map<const Eigen::VectorXd>(b.data(), layer.out);
    const std::string act = lj.at("activation").get<std::string>();
    if (act != "relu" && act != "linear")
        throw std::runtime_error(what + " activation '" + act + "' unknown (relu, linear)");
    layer.relu = act == "relu";
    return layer;
}

std::vector<NeuralModel::Layer> readLayers(const nlohmann::json& arr, const NeuralWeightsFile& file, const std::string& part,
                                           Eigen::Index inputs)
{
    if (!arr.is_array() || arr.empty())
        throw std::runtime_error(part + " has no layers");
    std::vector<NeuralModel::Layer> layers;
    for (std::size_t l = 0; l < arr.size(); ++l) {
        const std::string what = part + " layer " + std::to_string(l);
        NeuralModel::Layer layer = readLayer(arr[l], file, what);
        if (layer.in != inputs)
            throw std::runtime_error(what + " weight has shape " + shapeText(layer.out, layer.in) + ": " + std::to_string(layer.in) +
                                     " inputs where " + std::to_string(inputs) + " arrive (" +
                                     (l == 0 ? part == "encoder" ? "the features" : "[h, context]" : "the layer before") + ")");
        inputs = layer.out;
        layers.push_back(std::move(layer));
    }
    return layers;
}

} // namespace

NeuralModel NeuralModel::load(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw InputError(path + ": model file not found");
    NeuralModel m;
    m.path_ = path;
    try {
        const auto j = nlohmann::json::parse(in);
        if (j.value("format", "") != "mixmaster-neural-policy")
            throw std::runtime_error("format is not mixmaster-neural-policy");
        if (!j.contains("weights") && j.contains("encoder") && j["encoder"].is_array() && !j["encoder"].empty() &&
            j["encoder"][0].contains("weight") && j["encoder"][0]["weight"].is_array())
            throw std::runtime_error("its weights are inline JSON (format 1, before the binary weights file): convert it with "
                                     "training/convert_model.py");
        if (!j.contains("format_version") || j["format_version"] != kFormatVersion)
            throw std::runtime_error("format_version " + (j.contains("format_version") ? j["format_version"].dump() : "missing") +
                                     " (this build reads " + std::to_string(kFormatVersion) + ")");
        m.version_ = j.at("version").get<std::string>();
        if (j.at("inputs").get<int>() != kNeuralInputs || j.at("outputs").get<int>() != kOutputs)
            throw std::runtime_error("made for another feature set (inputs/outputs differ from this build)");
        const auto names = j.at("input_names");
        for (int i = 0; i < kNeuralInputs; ++i)
            if (names.at(static_cast<std::size_t>(i)).get<std::string>() != neuralInputNames()[static_cast<std::size_t>(i)])
                throw std::runtime_error("input " + std::to_string(i) + " is not " + neuralInputNames()[static_cast<std::size_t>(i)]);
        if (j.contains("role_counts")) {
            m.hasRoleCounts_ = true;
            for (const auto& [role, n] : j.at("role_counts").items()) {
                if (!parseRole(role))
                    throw std::runtime_error("role_counts names an unknown role '" + role + "'");
                m.roleCounts_[role] = n.get<int>();
            }
        }
        m.mean_ = vectorFrom(j.at("input_mean"), "input_mean").transpose();
        const Eigen::VectorXd sd = vectorFrom(j.at("input_std"), "input_std");
        if (m.mean_.size() != kNeuralInputs || sd.size() != kNeuralInputs || (sd.array() <= 0.0).any())
            throw std::runtime_error("input_mean/input_std must hold " + std::to_string(kNeuralInputs) + " numbers, std > 0");
        m.invStd_ = sd.cwiseInverse().transpose();
        // The weights file lies beside the header, under the plain file name the header gives.
        const auto& wj = j.at("weights");
        const std::string name = wj.at("file").get<std::string>();
        if (name.empty() || name == "." || name == ".." || std::filesystem::path(name).filename().string() != name)
            throw std::runtime_error("weights file '" + name + "' is not a file name (the weights lie beside the header)");
        const std::string crc = wj.at("crc32").get<std::string>();
        if (crc.size() != 8 || crc.find_first_not_of("0123456789abcdef") != std::string::npos)
            throw std::runtime_error("weights crc32 '" + crc + "' is not 8 lower-case hex digits");
        const NeuralWeightsFile file = NeuralWeightsFile::read((std::filesystem::path(path).parent_path() / name).string(),
                                                               wj.at("bytes").get<std::uint64_t>(),
                                                               static_cast<std::uint32_t>(std::stoul(crc, nullptr, 16)));
        m.encoder_ = readLayers(j.at("encoder"), file, "encoder", kNeuralInputs);
        m.head_ = readLayers(j.at("head"), file, "head", 2 * m.encoder_.back().out);
        if (m.head_.back().out != kOutputs)
            throw std::runtime_error("head layer " + std::to_string(m.head_.size() - 1) + " has " + std::to_string(m.head_.back().out) +
                                     " outputs, not " + std::to_string(kOutputs));
    } catch (const InputError&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(path + ": not a usable model file: " + e.what());
    }
    return m;
}

int NeuralModel::roleCount(Role role) const
{
    if (!hasRoleCounts_)
        return -1;
    const auto it = roleCounts_.find(toString(role));
    return it == roleCounts_.end() ? 0 : it->second;
}

Eigen::MatrixXd NeuralModel::run(const std::vector<Layer>& layers, Eigen::MatrixXd x)
{
    for (const auto& l : layers) {
        Eigen::MatrixXd y = l.bias.transpose().replicate(x.rows(), 1);
        for (const auto& b : l.blocks)
            y.middleCols(b.row, b.weight.rows()).noalias() += x.middleCols(b.col, b.weight.cols()) * b.weight.transpose();
        if (l.relu)
            y = y.cwiseMax(0.0);
        x = std::move(y);
    }
    return x;
}
Eigen::MatrixXd NeuralModel::forward(const Eigen::MatrixXd& inputs) const
{
    if (inputs.cols() != kNeuralInputs || inputs.rows() == 0)
        throw InternalError("neural model: expects n × " + std::to_string(kNeuralInputs) + " inputs");
    Eigen::MatrixXd x = inputs;
    x.rowwise() -= mean_;
    x.array().rowwise() *= invStd_.array();
    const Eigen::MatrixXd h = run(encoder_, x);
    const Eigen::RowVectorXd context = h.colwise().mean();
    Eigen::MatrixXd joint(h.rows(), 2 * h.cols());
    joint << h, context.replicate(h.rows(), 1);
    return run(head_, joint);
}

std::vector<NeuralOutputs> NeuralModel::predict(const Eigen::MatrixXd& inputs) const
{
    const Eigen::MatrixXd o = forward(inputs);
    std::vector<NeuralOutputs> out(static_cast<std::size_t>(o.rows()));
    for (Eigen::Index i = 0; i < o.rows(); ++i) {
        auto& r = out[static_cast<std::size_t>(i)];
        r.relativeLu = 10.0 * o(i, 0);
        for (int k = 0; k < kNeuralEqBands; ++k)
            r.eqDb[static_cast<std::size_t>(k)] = 6.0 * std::tanh(o(i, 1 + k));
        r.pan = std::tanh(o(i, 1 + kNeuralEqBands));
    }
    return out;
}

} // namespace mm
