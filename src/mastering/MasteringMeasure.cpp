// The measuring passes of MasteringChain: the full read-back of a written master and the
// gain search's probe (a render measured in-stream, nothing written).
#include "mastering/MasteringChain.h"

#include "mastering/MasteringPasses.h"

#include "analysis/Analyzer.h"
#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakMeter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace mm {

using detail::RenderStages;
using detail::streamAligned;

namespace {
constexpr std::size_t kBlock = MasteringChain::kBlock;
// The read-back hands every block to several threads: larger blocks, fewer hand-overs.
constexpr std::size_t kMeasureBlock = 4 * kBlock;
} // namespace

// The written file's 8× true peak uses TruePeakMeter's block path (process()/finish(),
// equal to the per-sample pushSample() path up to float summation order: ≈ 1e-7 dB on
// the chain tests, tests/dsp/TruePeakBlockTest.cpp) — about 4× cheaper.

ThreadPool& MasteringChain::pool()
{
    if (!pool_)
        pool_ = std::make_unique<ThreadPool>(settings_.threads > 0 ? settings_.threads : ThreadPool::defaultThreads());
    return *pool_;
}

void MasteringChain::measureWritten(MasterResult& r, const std::string& path)
{
    // Measure what was written (quantised, dithered), not what was sent to the writer. One
    // read of the file; each block goes to independent measurements side by side: the
    // analysis (libebur128's loudness, LRA and true peak, momentary/short-term, spectrum,
    // stereo) and the 8× meter, per channel.
    AudioSource written(path, 0, kMeasureBlock);
    const int channels = written.channels();
    AnalyzerOptions options;
    options.expectedFrames = r.frames;
    Analyzer analysis(static_cast<double>(written.sampleRate()), channels, options);
    TruePeakMeter meter;
    meter.prepare(channels);
    AudioBuffer block(channels, kMeasureBlock);
    std::int64_t done = 0;
    while (written.read(block) > 0) {
        pool().parallelFor(1 + static_cast<std::size_t>(channels), [&](std::size_t t) {
            if (t == 0)
                analysis.process(block);
            else
                meter.processChannel(static_cast<int>(t - 1), block.channel(static_cast<int>(t - 1)), block.frames());
        });
        tick(done += static_cast<std::int64_t>(block.frames()), r.frames);
        block.setFrames(kMeasureBlock);
    }
    meter.finish();
    ++passesDone_;
    r.output = analysis.finish();
    r.output.path = path;
    for (const auto& w : written.reader().warnings())
        r.output.warnings.push_back(w);
    r.dspTruePeakDbtp = meter.truePeakDb();
}

double MasteringChain::probeLoudness(double gainDb, bool withProgress)
try {
    AudioSource source(stagePath_, 0, kBlock);
    const ProcessSpec spec{static_cast<double>(source.sampleRate()), source.channels(), kBlock};
    RenderStages st(settings_, spec, gainDb, settings_.ceilingDbtp - kCeilingMarginDb - extraMarginDb_, true);
    const std::int64_t total = source.expectedFrames();
    std::int64_t done = 0;
    LoudnessMeter loudness(spec.sampleRate, spec.channels, false, true);
    streamAligned(
        source, 0, st.limiter.latency(),
        [&](AudioBuffer& b) {
            StereoWidth::fromMidSide(b, widthFactor_); // the stage file holds mid and side
            st.gain.process(b);
        },
        [](AudioBuffer&) {}, 0, [](std::size_t, AudioBuffer&) {}, [&](AudioBuffer& b) { st.limiter.process(b); },
        [&](const AudioBuffer& b) {
            if (abort_.load(std::memory_order_relaxed))
                throw Aborted{};
            loudness.process(b);
            if (withProgress)
                tick(done += static_cast<std::int64_t>(b.frames()), total);
        },
        nullptr); // the two probes already run side by side

    return loudness.result().integratedLufs;
} catch (const Aborted&) {
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace mm
