#include "mixing/NeuralModel.h"

#include "core/Errors.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace mm {
namespace {

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
        const auto readLayers = [](const nlohmann::json& arr, const std::string& what) {
            std::vector<Layer> layers;
            for (std::size_t l = 0; l < arr.size(); ++l) {
                const auto& lj = arr[l];
                const auto& w = lj.at("weight");
                Layer layer;
                layer.bias = vectorFrom(lj.at("bias"), what + " bias");
                const auto rows = static_cast<Eigen::Index>(w.size());
                if (rows != layer.bias.size() || rows == 0)
                    throw std::runtime_error(what + " layer " + std::to_string(l) + ": weight rows differ from bias");
                const auto cols = static_cast<Eigen::Index>(w[0].size());
                layer.weight.resize(rows, cols);
                for (Eigen::Index r = 0; r < rows; ++r) {
                    const Eigen::VectorXd row = vectorFrom(w[static_cast<std::size_t>(r)], what + " weight");
                    if (row.size() != cols)
                        throw std::runtime_error(what + " layer " + std::to_string(l) + ": ragged weight");
                    layer.weight.row(r) = row.transpose();
                }
                const std::string act = lj.at("activation").get<std::string>();
                if (act != "relu" && act != "linear")
                    throw std::runtime_error(what + " activation '" + act + "' unknown (relu, linear)");
                layer.relu = act == "relu";
                if (!layers.empty() && layers.back().weight.rows() != cols)
                    throw std::runtime_error(what + " layer " + std::to_string(l) + ": input size mismatch");
                layers.push_back(std::move(layer));
            }
            if (layers.empty())
                throw std::runtime_error(what + " has no layers");
            return layers;
        };
        m.encoder_ = readLayers(j.at("encoder"), "encoder");
        m.head_ = readLayers(j.at("head"), "head");
        const auto hidden = m.encoder_.back().weight.rows();
        if (m.encoder_.front().weight.cols() != kNeuralInputs || m.head_.front().weight.cols() != 2 * hidden ||
            m.head_.back().weight.rows() != kOutputs)
            throw std::runtime_error("layer sizes do not chain (inputs → encoder → [h, context] → head → outputs)");
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
        Eigen::MatrixXd y = x * l.weight.transpose();
        y.rowwise() += l.bias.transpose();
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
