#pragma once
// The neural mixing policy's network, read from its model file (models/mix_policy.json,
// written by training/export.py; format in docs/ENGINE.md "Neural policy"):
//
//   x_i  = (inputs_i − mean) / std                      one row per stem
//   h_i  = encoder(x_i)                                 shared MLP, ReLU between layers
//   c    = (1/n) Σ_j h_j                                the set's context (any n, any order)
//   o_i  = head([h_i, c])                               shared MLP, linear last layer
//   relative_lu_i = 10·o_i0,  eq_db_ik = 6·tanh(o_i(1+k)),  pan_i = tanh(o_i8)
//
// Inference is a few small dense products (Eigen, double precision): microseconds per job.
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

    /// Reads and checks a model file; throws InputError naming the file and what is wrong.
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
    struct Layer {
        Eigen::MatrixXd weight; ///< out × in
        Eigen::VectorXd bias;
        bool relu = false;
    };
    static Eigen::MatrixXd run(const std::vector<Layer>& layers, Eigen::MatrixXd x);

    std::string version_, path_;
    std::map<std::string, int> roleCounts_;
    bool hasRoleCounts_ = false;
    Eigen::RowVectorXd mean_, invStd_;
    std::vector<Layer> encoder_, head_;
};

} // namespace mm
