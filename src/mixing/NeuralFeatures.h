#pragma once
// The per-stem input vector of the neural mixing policy, computed from the engine's own
// analysis (StemInfo: role, metrics, features). Every entry is level-invariant — a stem
// turned up or down by any gain gives the same vector — so the model predicts where a stem
// belongs relative to the mix from what it is, not from how loud it arrived.
// `mixmaster features` prints these vectors, so training (training/) and inference
// (NeuralPolicy) read the very same numbers.
#include "mixing/MixEngine.h"
#include "mixing/MixPolicy.h"

#include <array>
#include <string>
#include <vector>

namespace mm {

/// Mixing bands (indices into mixBandEdges()) the neural EQ acts on: bass … air. The sub
/// band is left to the high-pass; with it, the stem chain's 8 biquads are all used.
inline constexpr int kNeuralEqBands = 7;
inline constexpr int kNeuralFirstEqBand = 1;
/// Q of the neural EQ's peaking filters at the band centres (≈ 1.4 octaves wide, the
/// bands' own width).
inline constexpr double kNeuralEqQ = 1.0;
/// Centre (Hz) of neural EQ band `k` (0 … kNeuralEqBands−1): geometric mean of its edges.
double neuralEqCentreHz(int k);

/// Role one-hot (17), band shape (8), crest, LRA, width, correlation, activity, transient
/// rate, spectral centroid, stereo flag.
inline constexpr int kNeuralInputs = 33;

/// Names of the entries of neuralStemInputs, in order (for the model file and the docs).
const std::array<const char*, kNeuralInputs>& neuralInputNames();

/// Analyses one stem as the mix engine's pass 1 does (job rate, kMixBlock blocks,
/// features on, block-wise true peak) and sets its role the same way: metadata, else the
/// file name, else the audio. For `mixmaster features`, so that training sees the numbers
/// a job sees.
StemInfo analyzeStemInfo(const StemInput& input, int jobRate);

/// The input vector of one stem.
std::array<double, kNeuralInputs> neuralStemInputs(const StemInfo& stem);

} // namespace mm
