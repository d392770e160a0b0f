// Per-processor throughput, stereo 48 kHz, blocks of 4096 frames (the pipeline's size).
// Every iteration copies the next block of a 10 s music-like programme (BenchSignal.h)
// into the work buffer and processes it in place; the copy is part of the measured
// time (≈ 1 µs per block, < 0.1 % for everything here but a single biquad).
// Counter x_realtime = seconds of audio processed per second of CPU time of the benchmark thread.
#include "BenchSignal.h"

#include "analysis/GatedLoudness.h"
#include "analysis/SlidingLoudness.h"

#include "dsp/Biquad.h"
#include "dsp/Compressor.h"
#include "dsp/FirConvolver.h"
#include "dsp/FirDesign.h"
#include "dsp/LinkwitzRiley.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"
#include "dsp/TruePeakMeter.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace mm {
namespace {

constexpr double kRate = 48000.0;
constexpr int kChannels = 2;
constexpr std::size_t kBlock = 4096;

const AudioBuffer& source()
{
    static const AudioBuffer s = bench::programme(kRate, kChannels, 10.0, -1.0);
    return s;
}

ProcessSpec spec() { return {kRate, kChannels, kBlock}; }

/// Runs `process(block)` over consecutive blocks of the source, cycling.
template <class Fn>
void runBlocks(benchmark::State& state, Fn&& process, double inputGainDb = 0.0)
{
    const AudioBuffer& src = source();
    AudioBuffer work(kChannels, kBlock);
    const auto gain = static_cast<float>(std::pow(10.0, inputGainDb / 20.0));
    std::size_t pos = 0;
    const auto t0 = bench::cpuSeconds();
    for (auto _ : state) {
        if (pos + kBlock > src.frames())
            pos = 0;
        for (int c = 0; c < kChannels; ++c) {
            const float* in = src.channel(c) + pos;
            float* out = work.channel(c);
            for (std::size_t i = 0; i < kBlock; ++i)
                out[i] = in[i] * gain;
        }
        pos += kBlock;
        process(work);
        benchmark::DoNotOptimize(work.channel(0)[0]);
        benchmark::ClobberMemory();
    }
    const double cpu = bench::cpuSeconds() - t0;
    const double audio = static_cast<double>(state.iterations()) * static_cast<double>(kBlock) / kRate;
    state.counters["x_realtime"] = audio / cpu;
}

void BM_Copy(benchmark::State& state)
{
    runBlocks(state, [](AudioBuffer&) {});
}
BENCHMARK(BM_Copy);

void BM_Biquad(benchmark::State& state)
{
    Biquad f;
    f.prepare(spec());
    f.setCoeffs(designPeak(1000.0, 1.0, 3.0, kRate));
    runBlocks(state, [&](AudioBuffer& b) { f.process(b); });
}
BENCHMARK(BM_Biquad);

void BM_ParametricEq8(benchmark::State& state)
{
    ParametricEq eq;
    eq.prepare(spec());
    const std::array<EqBand, 8> bands{{
        {FilterType::HighPass, 30.0, 0.7071, 0.0, true},
        {FilterType::LowShelf, 100.0, 1.0, 2.0, true},
        {FilterType::Peak, 250.0, 1.2, -2.0, true},
        {FilterType::Peak, 600.0, 1.0, 1.5, true},
        {FilterType::Peak, 1500.0, 2.0, -1.0, true},
        {FilterType::Peak, 3500.0, 1.0, 2.0, true},
        {FilterType::HighShelf, 8000.0, 1.0, 1.5, true},
        {FilterType::LowPass, 19000.0, 0.7071, 0.0, true},
    }};
    eq.setBands(bands);
    runBlocks(state, [&](AudioBuffer& b) { eq.process(b); });
}
BENCHMARK(BM_ParametricEq8);

void BM_Compressor(benchmark::State& state)
{
    Compressor comp;
    comp.prepare(spec());
    CompressorParams p;
    p.thresholdDb = -18.0;
    p.detector = state.range(0) ? Detector::Rms : Detector::Peak;
    p.sidechainHpHz = state.range(0) ? 100.0 : 0.0;
    comp.setParams(p);
    runBlocks(state, [&](AudioBuffer& b) { comp.process(b); });
}
BENCHMARK(BM_Compressor)->ArgName("rms_hp")->Arg(0)->Arg(1);

// The analysis' loudness paths: K-weighting plus the 400 ms / 3 s sliding windows (every
// stem and the mix), and K-weighting plus 100 ms gating blocks (each stem after its fader).
void BM_SlidingLoudness(benchmark::State& state)
{
    SlidingLoudness meter;
    meter.prepare(kRate, kChannels);
    runBlocks(state, [&](AudioBuffer& b) { meter.process(b); });
    benchmark::DoNotOptimize(meter.maxMomentaryLufs());
}
BENCHMARK(BM_SlidingLoudness);

void BM_IntegratedLoudness(benchmark::State& state)
{
    IntegratedLoudness meter;
    meter.prepare(kRate, kChannels);
    runBlocks(state, [&](AudioBuffer& b) { meter.process(b); });
    benchmark::DoNotOptimize(meter.integratedLufs());
}
BENCHMARK(BM_IntegratedLoudness);

// Two meters fed the same blocks, their K-weighting in one loop (processPair), as the stem
// analysis runs them: compare the time per iteration with twice the single meter's
// (x_realtime counts the audio of one meter).
void BM_SlidingLoudnessPair(benchmark::State& state)
{
    SlidingLoudness a, b;
    a.prepare(kRate, kChannels);
    b.prepare(kRate, kChannels);
    runBlocks(state, [&](AudioBuffer& x) { SlidingLoudness::processPair(a, x, b, x); });
    benchmark::DoNotOptimize(a.maxMomentaryLufs() + b.maxMomentaryLufs());
}
BENCHMARK(BM_SlidingLoudnessPair);

// The mastering's width stage with its mono-below crossover (every preset sets one): the
// stage pass, both gain-search probes and the render run it.
void BM_StereoWidthCrossover(benchmark::State& state)
{
    StereoWidth width;
    width.prepare({kRate, kChannels, kBlock});
    width.setParams({1.3, 120.0});
    runBlocks(state, [&](AudioBuffer& b) { width.process(b); });
}
BENCHMARK(BM_StereoWidthCrossover);

void BM_TruePeakMeter(benchmark::State& state)
{
    TruePeakMeter meter;
    meter.prepare(kChannels);
    runBlocks(state, [&](AudioBuffer& b) { meter.process(b); });
    benchmark::DoNotOptimize(meter.truePeak());
}
BENCHMARK(BM_TruePeakMeter);

// libebur128's 4× true-peak interpolator computed block-wise (stems and mix).
void BM_Ebur128TruePeak(benchmark::State& state)
{
    Ebur128TruePeak meter;
    meter.prepare(kChannels, kRate);
    runBlocks(state, [&](AudioBuffer& b) { meter.process(b); });
    benchmark::DoNotOptimize(meter.truePeak());
}
BENCHMARK(BM_Ebur128TruePeak);

// Input pushed 6 dB over full scale into a −1 dBTP ceiling: the limiter works hard.
void BM_TruePeakLimiter(benchmark::State& state)
{
    TruePeakLimiter lim;
    lim.setParams({});
    lim.prepare(spec());
    runBlocks(state, [&](AudioBuffer& b) { lim.process(b); }, 6.0);
}
BENCHMARK(BM_TruePeakLimiter);

void BM_FirConvolver4097(benchmark::State& state)
{
    const std::array<FirPoint, 5> curve{{{40.0, 2.0}, {200.0, -1.0}, {1000.0, 0.0}, {5000.0, 1.5}, {16000.0, -2.0}}};
    FirConvolver fir;
    fir.setImpulseResponse(designLinearPhaseFir(curve, kRate, 4097));
    fir.prepare(spec());
    runBlocks(state, [&](AudioBuffer& b) { fir.process(b); });
}
BENCHMARK(BM_FirConvolver4097);

void BM_MultibandSplitter4(benchmark::State& state)
{
    MultibandSplitter split;
    const std::array<double, 3> xo{120.0, 1000.0, 6000.0};
    split.prepare(spec(), xo);
    runBlocks(state, [&](AudioBuffer& b) {
        split.split(b);
        benchmark::DoNotOptimize(split.band(3).channel(1)[kBlock - 1]);
    });
}
BENCHMARK(BM_MultibandSplitter4);

} // namespace
} // namespace mm
