#include "pipeline/PolicyChoice.h"

#include "core/Errors.h"
#include "mixing/NeuralModelCache.h"
#include "mixing/NeuralPolicy.h"
#include "mixing/RulePolicy.h"

#include <cstdlib>
#include <filesystem>

#ifndef MIXMASTER_MODELS_DIR
#define MIXMASTER_MODELS_DIR "models"
#endif

namespace mm {

std::string modelsDir()
{
    if (const char* env = std::getenv("MIXMASTER_MODELS_DIR"); env && *env)
        return env;
    return MIXMASTER_MODELS_DIR;
}

std::string defaultModelPath()
{
    return (std::filesystem::path(modelsDir()) / "mix_policy.json").string();
}

PolicyChoice choosePolicy(const std::string& name)
{
    PolicyChoice c;
    if (name == "rules") {
        c.policy = std::make_unique<RulePolicy>();
        return c;
    }
    if (name != "neural" && name != "auto")
        throw InputError("unknown policy '" + name + "'; use neural, rules or auto");
    const std::string path = defaultModelPath();
    // Loaded once per process (NeuralModelCache.h): a loaded model is used without looking
    // at the file again, so a job's policy cannot change while the process runs.
    auto model = loadedNeuralModel(path);
    if (!model) {
        if (!std::filesystem::exists(path)) {
            if (name == "neural")
                throw InputError("policy neural: model file " + path + " not found (set MIXMASTER_MODELS_DIR)");
            c.policy = std::make_unique<RulePolicy>();
            return c;
        }
        model = sharedNeuralModel(path);
    }
    c.modelVersion = model->version();
    c.modelFile = std::filesystem::path(path).filename().string();
    c.policy = std::make_unique<NeuralPolicy>(std::move(model));
    return c;
}

} // namespace mm
