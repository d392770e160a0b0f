#pragma once
// Which mixing policy a job uses. "auto" (the default) is the neural policy when its model
// file (the header, mix_policy.json) is found, else the rules; "neural" without a model file
// is a clear InputError, and so is, for both, a header whose weights file is missing or bad.
// The model is looked up like the presets: $MIXMASTER_MODELS_DIR, else the source tree's
// models/ folder compiled in. It is read once per process, on first use (NeuralModelCache.h):
// later jobs share its weights, and changing the file takes a restart.
#include "mixing/MixPolicy.h"

#include <memory>
#include <string>

namespace mm {

/// Folder holding mix_policy.json and the mix_policy.weights it names.
std::string modelsDir();
/// modelsDir()/mix_policy.json, the model's header
std::string defaultModelPath();

struct PolicyChoice {
    std::unique_ptr<MixPolicy> policy;
    std::string modelVersion; ///< empty for the rules
    std::string modelFile;    ///< file name of the model, empty for the rules
};

/// "auto", "neural" or "rules"; InputError for anything else.
PolicyChoice choosePolicy(const std::string& name);

} // namespace mm
