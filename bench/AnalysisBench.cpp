// Analysis throughput on a 4-minute 48 kHz 24-bit stereo programme, written once to a
// temporary folder (removed at exit):
//   BM_Analyzer       Analyzer over the decoded samples in memory (analysis alone),
//                     with and without libebur128's true peak (AnalyzerOptions::truePeak)
//                     and the mixing features (AnalyzerOptions::features);
//   BM_AnalyzeFile    analyzeFile() end to end: open, decode 24-bit PCM, analyse.
// Counter x_realtime = seconds of audio per second of CPU time of the benchmark thread.
#include "BenchSignal.h"

#include "analysis/Analyzer.h"
#include "core/AudioReader.h"
#include "core/AudioWriter.h"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

namespace mm {
namespace {

constexpr int kRate = 48000;
constexpr int kChannels = 2;
constexpr double kSeconds = 240.0;
constexpr std::size_t kBlock = 8192; // analyzeFile()'s block

/// The 4-minute file and its decoded samples, made on first use.
struct Material {
    std::filesystem::path dir;
    std::string path;
    AudioBuffer samples;

    Material()
    {
        dir = std::filesystem::temp_directory_path() / ("mixmaster_bench_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        path = (dir / "programme_4min_48k_24bit.wav").string();
        {
            const AudioBuffer gen = bench::programme(kRate, kChannels, kSeconds, -1.0, 7);
            AudioWriter w(path, kRate, kChannels, OutputFormat::Wav24);
            w.write(gen);
            w.commit();
        }
        AudioReader r(path, kBlock);
        samples.resize(kChannels, static_cast<std::size_t>(r.info().frames));
        AudioBuffer block(kChannels, kBlock);
        std::size_t at = 0, n = 0;
        while ((n = r.read(block)) > 0) {
            for (int c = 0; c < kChannels; ++c)
                std::copy_n(block.channel(c), n, samples.channel(c) + at);
            at += n;
        }
        samples.setFrames(at);
    }
    ~Material()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

const Material& material()
{
    static const Material m;
    return m;
}

void setRealtime(benchmark::State& state, double secondsPerIteration, double t0)
{
    const double cpu = bench::cpuSeconds() - t0;
    state.counters["x_realtime"] = secondsPerIteration * static_cast<double>(state.iterations()) / cpu;
}

void BM_Analyzer(benchmark::State& state)
{
    const Material& m = material();
    AnalyzerOptions opt;
    opt.truePeak = state.range(0) == 1;
    opt.fastTruePeak = state.range(0) == 2; // Ebur128TruePeak (stems and mix since 592ecee)
    opt.features = state.range(1) != 0;
    opt.expectedFrames = static_cast<std::int64_t>(m.samples.frames());
    AudioBuffer block(kChannels, kBlock);
    const auto t0 = bench::cpuSeconds();
    for (auto _ : state) {
        Analyzer analyzer(kRate, kChannels, opt);
        for (std::size_t at = 0; at < m.samples.frames(); at += kBlock) {
            const std::size_t n = std::min(kBlock, m.samples.frames() - at);
            block.setFrames(n);
            for (int c = 0; c < kChannels; ++c)
                std::copy_n(m.samples.channel(c) + at, n, block.channel(c));
            analyzer.process(block);
        }
        benchmark::DoNotOptimize(analyzer.finish());
        block.setFrames(kBlock);
    }
    setRealtime(state, static_cast<double>(m.samples.frames()) / kRate, t0);
}
BENCHMARK(BM_Analyzer)
    ->ArgNames({"true_peak", "features"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({0, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_AnalyzeFile(benchmark::State& state)
{
    const Material& m = material();
    AnalyzerOptions opt;
    opt.truePeak = state.range(0) == 1;
    opt.fastTruePeak = state.range(0) == 2; // Ebur128TruePeak (stems and mix since 592ecee)
    const auto t0 = bench::cpuSeconds();
    for (auto _ : state)
        benchmark::DoNotOptimize(analyzeFile(m.path, opt));
    setRealtime(state, static_cast<double>(m.samples.frames()) / kRate, t0);
}
BENCHMARK(BM_AnalyzeFile)->ArgName("true_peak")->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
} // namespace mm
