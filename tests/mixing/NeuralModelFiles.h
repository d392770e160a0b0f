#pragma once
// Neural model files for the tests, written as training/model_file.py writes them: a JSON
// header and the little-endian weights file it names beside it (docs/ENGINE.md "Model file").
#include "support/TempDir.h"

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mm::test {

struct TestLayer {
    Eigen::MatrixXd weight; ///< out × in
    Eigen::VectorXd bias;
    std::string activation = "relu";
    /// [row, col, rows, cols] blocks to store (the matrix must be 0 outside them); empty: the
    /// whole matrix as one block.
    std::vector<std::array<int, 4>> blocks;
    bool float32 = false; ///< store the weight and bias as float32 (rounded), else float64
};

/// Writes the header dir/`name` (`fields`, plus format, format_version, weights and the layers'
/// entries) and the weights file `<stem>.weights` beside it. Returns the header's path.
std::string writeModelFiles(const TempDir& dir, const std::string& name, nlohmann::json fields, const std::vector<TestLayer>& encoder,
                            const std::vector<TestLayer>& head);

/// The descriptive header fields of a test model (version, inputs, input names, mean, std).
nlohmann::json modelFields(const std::string& version);

/// A model with seeded random weights (hidden 6, dense, float64); `eqBias` pushes the EQ
/// outputs. Returns the header's path.
std::string writeModel(const TempDir& dir, std::uint64_t seed, double eqBias = 0.0, const std::string& name = "model.json",
                       const nlohmann::json& roleCounts = nullptr);

nlohmann::json readJson(const std::string& path);
void writeJson(const std::string& path, const nlohmann::json& j);
/// The weights file the header at `headerPath` names (beside it).
std::string weightsPathOf(const std::string& headerPath);
/// Rewrites the header's `weights.bytes` and `weights.crc32` for its weights file as it now is.
void resealWeights(const std::string& headerPath);

} // namespace mm::test
