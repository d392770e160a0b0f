#include "NeuralModelFiles.h"

#include "mixing/NeuralFeatures.h"
#include "mixing/NeuralModel.h"
#include "mixing/NeuralWeightsFile.h"

#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

namespace mm::test {
namespace {

/// Appends `v` little-endian to `bytes`; returns the tensor's header entry.
nlohmann::json putTensor(std::string& bytes, const std::vector<double>& v, bool float32)
{
    const std::size_t offset = bytes.size();
    for (double x : v) {
        const std::uint64_t u = float32 ? std::bit_cast<std::uint32_t>(static_cast<float>(x)) : std::bit_cast<std::uint64_t>(x);
        for (int i = 0; i < (float32 ? 4 : 8); ++i)
            bytes.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
    }
    return {{"dtype", float32 ? "float32" : "float64"}, {"offset", offset}, {"bytes", bytes.size() - offset}};
}

std::string crcText(const std::string& bytes)
{
    char s[9];
    std::snprintf(s, sizeof s, "%08x", NeuralWeightsFile::crc32(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
    return s;
}

} // namespace

std::string writeModelFiles(const TempDir& dir, const std::string& name, nlohmann::json fields, const std::vector<TestLayer>& encoder,
                            const std::vector<TestLayer>& head)
{
    std::string bytes;
    const auto layers = [&](const std::vector<TestLayer>& ls) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& l : ls) {
            auto blocks = l.blocks;
            if (blocks.empty())
                blocks.push_back({0, 0, static_cast<int>(l.weight.rows()), static_cast<int>(l.weight.cols())});
            std::vector<double> w;
            for (const auto& [r, c, n, m] : blocks)
                for (int i = 0; i < n; ++i)
                    for (int k = 0; k < m; ++k)
                        w.push_back(l.weight(r + i, c + k));
            nlohmann::json wj = putTensor(bytes, w, l.float32);
            wj["shape"] = {l.weight.rows(), l.weight.cols()};
            wj["blocks"] = blocks;
            nlohmann::json bj = putTensor(bytes, std::vector<double>(l.bias.data(), l.bias.data() + l.bias.size()), l.float32);
            bj["shape"] = {l.bias.size()};
            out.push_back({{"activation", l.activation}, {"weight", wj}, {"bias", bj}});
        }
        return out;
    };
    fields["format"] = "mixmaster-neural-policy";
    fields["format_version"] = 2;
    fields["encoder"] = layers(encoder);
    fields["head"] = layers(head);
    const std::string weights = std::filesystem::path(name).stem().string() + ".weights";
    fields["weights"] = {{"file", weights}, {"bytes", bytes.size()}, {"crc32", crcText(bytes)}};
    const std::string path = dir.file(name);
    std::ofstream((std::filesystem::path(path).parent_path() / weights).string(), std::ios::binary) << bytes;
    writeJson(path, fields);
    return path;
}

nlohmann::json modelFields(const std::string& version)
{
    nlohmann::json names = nlohmann::json::array();
    for (const char* s : neuralInputNames())
        names.push_back(s);
    return {{"version", version},
            {"inputs", kNeuralInputs},
            {"outputs", NeuralModel::kOutputs},
            {"input_names", names},
            {"input_mean", std::vector<double>(kNeuralInputs, 0.1)},
            {"input_std", std::vector<double>(kNeuralInputs, 0.8)}};
}

std::string writeModel(const TempDir& dir, std::uint64_t seed, double eqBias, const std::string& name, const nlohmann::json& roleCounts)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0.0, 0.5);
    const auto layer = [&](int out, int in, const std::string& act) {
        TestLayer l;
        l.weight.resize(out, in);
        l.bias.resize(out);
        for (int r = 0; r < out; ++r) {
            for (int c = 0; c < in; ++c)
                l.weight(r, c) = n(rng);
            l.bias(r) = n(rng);
        }
        l.activation = act;
        return l;
    };
    constexpr int h = 6;
    const TestLayer e0 = layer(h, kNeuralInputs, "relu"), e1 = layer(h, h, "relu"), h0 = layer(h, 2 * h, "relu");
    TestLayer h1 = layer(NeuralModel::kOutputs, h, "linear");
    h1.bias.segment(1, kNeuralEqBands).array() += eqBias;
    nlohmann::json fields = modelFields("test-" + std::to_string(seed));
    if (!roleCounts.is_null())
        fields["role_counts"] = roleCounts;
    return writeModelFiles(dir, name, fields, {e0, e1}, {h0, h1});
}

nlohmann::json readJson(const std::string& path)
{
    return nlohmann::json::parse(std::ifstream(path));
}

void writeJson(const std::string& path, const nlohmann::json& j)
{
    std::ofstream(path) << j.dump();
}

std::string weightsPathOf(const std::string& headerPath)
{
    return (std::filesystem::path(headerPath).parent_path() / readJson(headerPath)["weights"]["file"].get<std::string>()).string();
}

void resealWeights(const std::string& headerPath)
{
    const std::string bytes = readText(weightsPathOf(headerPath));
    auto j = readJson(headerPath);
    j["weights"]["bytes"] = bytes.size();
    j["weights"]["crc32"] = crcText(bytes);
    writeJson(headerPath, j);
}

} // namespace mm::test
