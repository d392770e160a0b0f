#pragma once
// The neural policy's models, loaded once per process. A model file is read, parsed and
// checked on first use; every later policy made from the same path shares those immutable
// weights, so jobs cost no parse and a file rewritten while the process runs changes no
// job's decisions (restart the process to pick a new model up). Thread-safe.
#include "mixing/NeuralModel.h"

#include <memory>
#include <string>

namespace mm {

/// The model from `path`, loaded on the first call for that file (same file, same object).
/// A file that fails to load is not remembered: each call throws NeuralModel::load's
/// InputError naming the file and what is wrong.
std::shared_ptr<const NeuralModel> sharedNeuralModel(const std::string& path);

/// The model already loaded from `path` in this process, or nullptr (touches no file).
std::shared_ptr<const NeuralModel> loadedNeuralModel(const std::string& path);

} // namespace mm
