#pragma once
// The neural policy's models, loaded once per process. A model (its JSON header and the
// weights file the header names and pins by size and CRC-32) is read and checked on first
// use; every later policy made from the same header path shares those immutable weights, so
// jobs cost no load and files rewritten while the process runs change no job's decisions
// (restart the process to pick a new model up). The key is the header's absolute, normalised
// path: it names the weights file too (beside it), and the checksum means only the weights
// the header was written with are accepted. Thread-safe.
#include "mixing/NeuralModel.h"

#include <memory>
#include <string>

namespace mm {

/// The model from `path`, loaded on the first call for that file (same file, same object).
/// A model that fails to load (header or weights file) is not remembered: each call throws
/// NeuralModel::load's InputError naming the file and what is wrong.
std::shared_ptr<const NeuralModel> sharedNeuralModel(const std::string& path);

/// The model already loaded from `path` in this process, or nullptr (touches no file).
std::shared_ptr<const NeuralModel> loadedNeuralModel(const std::string& path);

} // namespace mm
