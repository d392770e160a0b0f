// The neural model file (docs/ENGINE.md "Model file"): a JSON header and the binary weights
// file it names. A missing, truncated, longer or corrupt weights file, a header that does not
// match its weights, a tensor of the wrong shape and an older all-JSON file are each an
// InputError naming the file and what is wrong, never a crash; weights stored as blocks or as
// float32 run as the dense float64 matrix they stand for.
#include "NeuralModelFiles.h"

#include "core/Errors.h"
#include "mixing/NeuralModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>

using namespace mm;
using namespace mm::test;

namespace {

/// NeuralModel::load(path) throws an InputError naming `path` and holding each of `parts`.
void expectRefused(const std::string& path, const std::vector<std::string>& parts)
{
    try {
        NeuralModel::load(path);
        ADD_FAILURE() << path << " loaded";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(path), std::string::npos) << what;
        for (const auto& p : parts)
            EXPECT_NE(what.find(p), std::string::npos) << "'" << p << "' not in: " << what;
    }
}

/// A copy of the header at `base` changed by `change`, written to dir/name (same weights file).
std::string mutated(const TempDir& dir, const std::string& base, const std::string& name,
                    const std::function<void(nlohmann::json&)>& change)
{
    auto j = readJson(base);
    change(j);
    writeJson(dir.file(name), j);
    return dir.file(name);
}

Eigen::MatrixXd randomInputs(Eigen::Index rows, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    Eigen::MatrixXd x(rows, kNeuralInputs);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        x(i) = u(rng);
    return x;
}

} // namespace

TEST(NeuralModelFile, BadHeadersAreInputErrorsNamingTheProblem)
{
    TempDir dir;
    expectRefused(dir.file("missing.json"), {"model file not found"});
    std::ofstream(dir.file("junk.json")) << "{not json";
    expectRefused(dir.file("junk.json"), {"not a usable model file"});
    const std::string base = writeModel(dir, 1);
    expectRefused(mutated(dir, base, "other.json", [](auto& j) { j["inputs"] = 12; }), {"feature set"});
    expectRefused(mutated(dir, base, "v3.json", [](auto& j) { j["format_version"] = 3; }), {"format_version 3", "reads 2"});
    // An all-JSON file of format 1 (weights inline, no weights file): says how to convert it.
    expectRefused(mutated(dir, base, "inline.json",
                          [](auto& j) {
                              j.erase("weights");
                              j.erase("format_version");
                              j["encoder"] = {{{"weight", {{0.1, 0.2}}}, {"bias", {0.0}}, {"activation", "relu"}}};
                          }),
                  {"inline JSON", "training/convert_model.py"});
    // The weights lie beside the header: a path is refused, not followed.
    expectRefused(mutated(dir, base, "path.json", [](auto& j) { j["weights"]["file"] = "../model.weights"; }), {"not a file name"});
    expectRefused(mutated(dir, base, "crc.json", [](auto& j) { j["weights"]["crc32"] = "xyz"; }), {"crc32"});
}

TEST(NeuralModelFile, MissingTruncatedOrCorruptWeightsAreInputErrors)
{
    TempDir dir;
    const std::string path = writeModel(dir, 2);
    const std::string weights = weightsPathOf(path);
    const std::string whole = readText(weights);
    ASSERT_NO_THROW(NeuralModel::load(path));
    std::filesystem::remove(weights);
    expectRefused(path, {"weights file " + weights, "not found"});
    std::ofstream(weights, std::ios::binary) << whole.substr(0, whole.size() - 3);
    expectRefused(path, {weights, std::to_string(whole.size() - 3) + " bytes", std::to_string(whole.size()), "truncated"});
    std::ofstream(weights, std::ios::binary) << whole << "extra";
    expectRefused(path, {weights, std::to_string(whole.size() + 5) + " bytes"});
    // Same size, one bit flipped: only the checksum can tell.
    std::string flipped = whole;
    flipped[whole.size() / 2] = static_cast<char>(flipped[whole.size() / 2] ^ 0x10);
    std::ofstream(weights, std::ios::binary) << flipped;
    expectRefused(path, {weights, "checksum", "corrupt"});
    // Sound weights, a header whose size or checksum is another's.
    std::ofstream(weights, std::ios::binary) << whole;
    expectRefused(mutated(dir, path, "size.json", [&](auto& j) { j["weights"]["bytes"] = whole.size() + 8; }), {weights, "truncated"});
    expectRefused(mutated(dir, path, "sum.json", [](auto& j) { j["weights"]["crc32"] = "00000000"; }), {weights, "checksum"});
    EXPECT_NO_THROW(NeuralModel::load(path));
}

TEST(NeuralModelFile, TensorsOfTheWrongShapeOrPlaceAreInputErrors)
{
    // writeModel: encoder 33 → 6 → 6, head 12 → 6 → 9, each weight one block, float64.
    TempDir dir;
    const std::string base = writeModel(dir, 3);
    using J = nlohmann::json;
    // A shape that does not chain (its block still inside it, its bytes still matching).
    expectRefused(mutated(dir, base, "chain.json", [](J& j) { j["encoder"][1]["weight"]["shape"] = {6, 7}; }),
                  {"encoder layer 1 weight has shape [6, 7]", "7 inputs where 6 arrive"});
    // A shape whose values are not the bytes the header gives.
    expectRefused(mutated(dir, base, "bytes.json",
                          [](J& j) {
                              j["head"][0]["weight"]["shape"] = {6, 11};
                              j["head"][0]["weight"]["blocks"] = {{0, 0, 6, 11}};
                          }),
                  {"head layer 0 weight", "its shape holds 66 float64 values"});
    expectRefused(mutated(dir, base, "outside.json", [](J& j) { j["head"][1]["weight"]["blocks"] = {{4, 0, 6, 6}}; }),
                  {"head layer 1 weight block [4,0,6,6]", "outside its shape [9, 6]"});
    expectRefused(mutated(dir, base, "overlap.json", [](J& j) { j["encoder"][1]["weight"]["blocks"] = {{0, 0, 6, 3}, {0, 2, 6, 4}}; }),
                  {"encoder layer 1 weight block [0,2,6,4] overlaps"});
    expectRefused(mutated(dir, base, "bias.json", [](J& j) { j["head"][1]["bias"]["shape"] = {5}; }), {"head layer 1 bias shape [5]"});
    expectRefused(mutated(dir, base, "far.json", [](J& j) { j["head"][1]["bias"]["offset"] = std::int64_t{1} << 40; }),
                  {"head layer 1 bias", "run past the end"});
    expectRefused(mutated(dir, base, "dtype.json", [](J& j) { j["encoder"][0]["bias"]["dtype"] = "bfloat16"; }),
                  {"encoder layer 0 bias: dtype 'bfloat16' unknown"});
    expectRefused(mutated(dir, base, "negative.json", [](J& j) { j["encoder"][0]["weight"]["shape"] = {-6, 33}; }),
                  {"encoder layer 0 weight shape holds -6"});
    // A network with 8 outputs, consistent in itself.
    Eigen::MatrixXd w = Eigen::MatrixXd::Constant(6, 6, 0.1);
    const TestLayer e0{Eigen::MatrixXd::Constant(6, kNeuralInputs, 0.1), Eigen::VectorXd::Zero(6), "relu", {}, false};
    const TestLayer e1{w, Eigen::VectorXd::Zero(6), "relu", {}, false};
    const TestLayer h0{Eigen::MatrixXd::Constant(6, 12, 0.1), Eigen::VectorXd::Zero(6), "relu", {}, false};
    const TestLayer h1{Eigen::MatrixXd::Constant(8, 6, 0.1), Eigen::VectorXd::Zero(8), "linear", {}, false};
    expectRefused(writeModelFiles(dir, "eight.json", modelFields("eight"), {e0, e1}, {h0, h1}), {"head layer 1 has 8 outputs, not 9"});
    // A non-finite weight (the checksum matches: it was written so).
    TestLayer nan = e1;
    nan.weight(2, 3) = std::numeric_limits<double>::quiet_NaN();
    expectRefused(writeModelFiles(dir, "nan.json", modelFields("nan"), {e0, nan}, {h0, h1}), {"encoder layer 1 weight", "non-finite"});
}

TEST(NeuralModelFile, AnyChangedNumberInTheLayoutIsLoadedOrRefusedNeverACrash)
{
    // Every integer of the weights entry and the layers' entries, set to each of a few hostile
    // values: the load either succeeds (a harmless change) or is an InputError.
    TempDir dir;
    const std::string base = writeModel(dir, 4);
    const auto flat = readJson(base).flatten();
    const std::vector<std::int64_t> values{-1, 0, 1, 5, std::int64_t{1} << 31, std::int64_t{1} << 40,
                                           std::numeric_limits<std::int64_t>::max()};
    int changed = 0, refused = 0;
    for (const auto& [pointer, v] : flat.items()) {
        if (!v.is_number_integer() || !(pointer.starts_with("/weights") || pointer.starts_with("/encoder") || pointer.starts_with("/head")))
            continue;
        for (const std::int64_t x : values) {
            auto f = flat;
            f[pointer] = x;
            writeJson(dir.file("fuzz.json"), f.unflatten());
            ++changed;
            try {
                NeuralModel::load(dir.file("fuzz.json"));
            } catch (const InputError&) {
                ++refused;
            } catch (const std::exception& e) {
                ADD_FAILURE() << pointer << " = " << x << ": " << e.what();
            }
        }
    }
    EXPECT_GT(changed, 300);
    EXPECT_GT(refused, changed / 2);
}

TEST(NeuralModelFile, BlocksAndFloat32RunAsTheDenseMatrixTheyStandFor)
{
    // Two 6-wide members side by side, as training/ensemble.py merges them: encoder layer 1 and
    // head layer 0 block-structured, the last layer averaging. Stored as one dense block per
    // matrix or as its nonzero blocks, the outputs agree to rounding.
    std::mt19937_64 rng(9);
    std::normal_distribution<double> n(0.0, 0.5);
    const auto random = [&](Eigen::Index r, Eigen::Index c) {
        Eigen::MatrixXd m(r, c);
        for (Eigen::Index i = 0; i < m.size(); ++i)
            m(i) = n(rng);
        return m;
    };
    Eigen::MatrixXd e1 = Eigen::MatrixXd::Zero(12, 12), h0 = Eigen::MatrixXd::Zero(12, 24);
    e1.block(0, 0, 6, 6) = random(6, 6);
    e1.block(6, 6, 6, 6) = random(6, 6);
    for (int k = 0; k < 2; ++k) {
        h0.block(6 * k, 6 * k, 6, 6) = random(6, 6);
        h0.block(6 * k, 12 + 6 * k, 6, 6) = random(6, 6);
    }
    const Eigen::MatrixXd h1 = random(9, 12) / 2.0;
    std::vector<TestLayer> enc{{random(12, kNeuralInputs), random(12, 1).col(0), "relu", {}, false},
                               {e1, random(12, 1).col(0), "relu", {}, false}};
    std::vector<TestLayer> head{{h0, random(12, 1).col(0), "relu", {}, false}, {h1, random(9, 1).col(0), "linear", {}, false}};
    TempDir dir;
    const NeuralModel dense = NeuralModel::load(writeModelFiles(dir, "dense.json", modelFields("d"), enc, head));
    enc[1].blocks = {{0, 0, 6, 6}, {6, 6, 6, 6}};
    head[0].blocks = {{0, 0, 6, 6}, {0, 12, 6, 6}, {6, 6, 6, 6}, {6, 18, 6, 6}};
    const std::string blocksPath = writeModelFiles(dir, "blocks.json", modelFields("b"), enc, head);
    const NeuralModel blocks = NeuralModel::load(blocksPath);
    EXPECT_EQ(readJson(blocksPath)["weights"]["bytes"].get<std::size_t>(),
              8u * (12 * kNeuralInputs + 12 + 2 * 36 + 12 + 4 * 36 + 12 + 9 * 12 + 9))
        << "the zeros outside the blocks are not stored";
    const Eigen::MatrixXd x = randomInputs(7, 1);
    EXPECT_LT((dense.forward(x) - blocks.forward(x)).cwiseAbs().maxCoeff(), 1e-12);
    const Eigen::VectorXd lastBias = head[1].bias;
    // float32 storage: the same network with its values rounded to float32 first, read back as
    // exactly those values.
    for (auto* ls : {&enc, &head})
        for (auto& l : *ls) {
            l.weight = l.weight.cast<float>().cast<double>();
            l.bias = l.bias.cast<float>().cast<double>();
        }
    const NeuralModel rounded64 = NeuralModel::load(writeModelFiles(dir, "r64.json", modelFields("r"), enc, head));
    for (auto* ls : {&enc, &head})
        for (auto& l : *ls)
            l.float32 = true;
    const std::string f32Path = writeModelFiles(dir, "f32.json", modelFields("f"), enc, head);
    EXPECT_EQ(readJson(f32Path)["encoder"][0]["weight"]["dtype"], "float32");
    const NeuralModel f32 = NeuralModel::load(f32Path);
    EXPECT_LT((rounded64.forward(x) - f32.forward(x)).cwiseAbs().maxCoeff(), 1e-12);
    // A layer with no blocks at all (a zero matrix): its outputs are its bias.
    auto j = readJson(blocksPath);
    j["head"][1]["weight"]["blocks"] = nlohmann::json::array();
    j["head"][1]["weight"]["bytes"] = 0;
    writeJson(dir.file("zero.json"), j);
    const Eigen::MatrixXd o = NeuralModel::load(dir.file("zero.json")).forward(x);
    for (Eigen::Index r = 0; r < o.rows(); ++r)
        EXPECT_LT((o.row(r).transpose() - lastBias).cwiseAbs().maxCoeff(), 1e-12);
}
