#pragma once
// The neural mixing policy's network, read from its model file: a JSON header
// (models/mix_policy.json) and the binary weights it names (models/mix_policy.weights), written
// by training/model_file.py; format in docs/ENGINE.md "Model file":
//
//   x_i  = (inputs_i − mean) / std                      one row per stem
//   h_i  = encoder(x_i)                                 shared MLP, ReLU between layers
//   c    = (1/n) Σ_j h_j                                the set's context (any n, any order)
//   o_i  = head([h_i, c])                               shared MLP, linear last layer
//   relative_lu_i = 10·o_i0,  eq_db_ik = 6·tanh(o_i(1+k)),  pan_i = tanh(o_i8)
//
// Inference is a few small dense products (Eigen, double precision) over each weight matrix's
// nonzero blocks: an ensemble's merged layers are mostly zeros (1.2.0: 0.15 M of 1.3 M weights).
#include "mixing/NeuralFeatures.h"

#include <Eigen/Dense>
#include <map>
#include <string>
#include <vector>

namespace mm {

struct NeuralOutputs {
    double relativeLu = 0.0;                  ///< loudness relative to the mix, before the set's shift
    std::array<double, kNeuralEqBands> eqDb{}; ///< peaking gains at neuralEqCentreHz(k)
    double pan = 0.0;
};

class NeuralModel {
public:
    static constexpr int kOutputs = 2 + kNeuralEqBands;

    /// A dense part of a layer's out × in weight matrix, at (row, col); the matrix is zero
    /// outside its blocks, which do not overlap.
    struct Block {
        Eigen::Index row = 0, col = 0;
        Eigen::MatrixXd weight;
    };
    struct Layer {
        Eigen::Index in = 0, out = 0;
        std::vector<Block> blocks;
        Eigen::VectorXd bias; ///< out
        bool relu = false;
    };

    /// Reads and checks a model file (header and weights file); throws InputError naming the
    /// file and what is wrong.
    static NeuralModel load(const std::string& path);

    const std::string& version() const { return version_; }
    /// Training stems per role (the file's `role_counts`); roles it lacks count 0. A file
    /// without `role_counts` trusts the model for every role (returns −1).
    int roleCount(Role role) const;
    const std::string& path() const { return path_; }

    /// Raw network outputs (n × kOutputs) for the stems' input rows (n × kNeuralInputs).
    Eigen::MatrixXd forward(const Eigen::MatrixXd& inputs) const;
    /// forward() with the output transforms applied, one entry per row.
    std::vector<NeuralOutputs> predict(const Eigen::MatrixXd& inputs) const;

private:
    static Eigen::MatrixXd run(const std::vector<Layer>& layers, Eigen::MatrixXd x);

    std::string version_, path_;
    std::map<std::string, int> roleCounts_;
    bool hasRoleCounts_ = false;
    Eigen::RowVectorXd mean_, invStd_;
    std::vector<Layer> encoder_, head_;
};

} // namespace mm
