#include "mixing/NeuralModelCache.h"

#include <filesystem>
#include <map>
#include <mutex>

namespace mm {
namespace {

struct Cache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const NeuralModel>> models; ///< by absolute, normalised path
};

Cache& cache()
{
    static Cache c;
    return c;
}

/// "models/./x.json" and "/abs/models/x.json" are one file.
std::string keyOf(const std::string& path)
{
    std::error_code ec;
    const auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
    return ec ? path : p.string();
}

} // namespace

std::shared_ptr<const NeuralModel> sharedNeuralModel(const std::string& path)
{
    const std::string key = keyOf(path);
    auto& c = cache();
    // Held while loading: jobs starting together parse the file once (a few ms).
    const std::lock_guard lock(c.mutex);
    auto& slot = c.models[key];
    if (!slot) {
        try {
            slot = std::make_shared<const NeuralModel>(NeuralModel::load(path));
        } catch (...) {
            c.models.erase(key);
            throw;
        }
    }
    return slot;
}

std::shared_ptr<const NeuralModel> loadedNeuralModel(const std::string& path)
{
    const std::string key = keyOf(path);
    auto& c = cache();
    const std::lock_guard lock(c.mutex);
    const auto it = c.models.find(key);
    return it == c.models.end() ? nullptr : it->second;
}

} // namespace mm
