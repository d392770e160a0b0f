// The neural policy's model (the one `--policy neural` finds: MIXMASTER_MODELS_DIR, else the
// source tree's models/):
//   BM_NeuralModelLoad     NeuralModel::load: read and check the model file, build the layers
//                          (a process pays it once, at its first neural job: NeuralModelCache);
//   BM_NeuralForward/n     the forward pass for n stems (every neural job pays it).
#include "mixing/NeuralModel.h"
#include "pipeline/PolicyChoice.h"

#include <benchmark/benchmark.h>

#include <random>

namespace mm {
namespace {

void BM_NeuralModelLoad(benchmark::State& state)
{
    const std::string path = defaultModelPath();
    for (auto _ : state) {
        NeuralModel m = NeuralModel::load(path);
        benchmark::DoNotOptimize(m);
    }
}
BENCHMARK(BM_NeuralModelLoad)->Unit(benchmark::kMillisecond);

void BM_NeuralForward(benchmark::State& state)
{
    const NeuralModel model = NeuralModel::load(defaultModelPath());
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    Eigen::MatrixXd x(state.range(0), kNeuralInputs);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        x(i) = u(rng);
    for (auto _ : state) {
        Eigen::MatrixXd o = model.forward(x);
        benchmark::DoNotOptimize(o.data());
    }
}
BENCHMARK(BM_NeuralForward)->Arg(1)->Arg(12)->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace mm
