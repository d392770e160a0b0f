// The measuring passes of MasteringChain: the full read-back of a written master and the
// gain search's probe (a render measured in-stream, nothing written).
#include "mastering/MasteringChain.h"

#include "mastering/MasteringPasses.h"

#include "analysis/Analyzer.h"
#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"
#include "dsp/TruePeakMeter.h"

#include <future>
#include <limits>

namespace mm {

using detail::RaiseOnUnwind;
using detail::RenderStages;
using detail::streamAligned;

namespace {
constexpr std::size_t kBlock = MasteringChain::kBlock;
} // namespace

// The written file's 8× true peak uses TruePeakMeter's block path (process()/finish(),
// equal to the per-sample pushSample() path up to float summation order: ≈ 1e-7 dB on
// the chain tests, tests/dsp/TruePeakBlockTest.cpp) — about 4× cheaper.

void MasteringChain::measureWritten(MasterResult& r, const std::string& path)
{
    // Measure what was written (quantised, dithered), not what was sent to the writer.
    AudioSource written(path, 0, kBlock);
    AnalyzerOptions options;
    options.expectedFrames = r.frames;
    Analyzer analyzer(static_cast<double>(written.sampleRate()), written.channels(), options);
    // The 8× meter reads the file on a second thread (mastering is otherwise serial).
    auto dspPeak = std::async(std::launch::async, [this, &path] {
        AudioSource again(path, 0, kBlock);
        TruePeakMeter meter;
        meter.prepare(again.channels());
        AudioBuffer b(again.channels(), kBlock);
        while (again.read(b) > 0 && !abort_.load(std::memory_order_relaxed)) {
            meter.process(b);
            b.setFrames(kBlock);
        }
        meter.finish();
        return meter.truePeakDb();
    });
    const RaiseOnUnwind stopMeter(abort_);
    AudioBuffer block(written.channels(), kBlock);
    std::int64_t done = 0;
    while (written.read(block) > 0) {
        analyzer.process(block);
        tick(done += static_cast<std::int64_t>(block.frames()), r.frames);
        block.setFrames(kBlock);
    }
    ++passesDone_;
    r.output = analyzer.finish();
    r.output.path = path;
    for (const auto& w : written.reader().warnings())
        r.output.warnings.push_back(w);
    r.dspTruePeakDbtp = dspPeak.get();
}

double MasteringChain::probeLoudness(double gainDb, bool withProgress)
try {
    AudioSource source(stagePath_, 0, kBlock);
    const ProcessSpec spec{static_cast<double>(source.sampleRate()), source.channels(), kBlock};
    RenderStages st(settings_, spec, widthFactor_, gainDb, settings_.ceilingDbtp - kCeilingMarginDb - extraMarginDb_, true);
    const std::int64_t total = source.expectedFrames();
    std::int64_t done = 0;
    LoudnessMeter loudness(spec.sampleRate, spec.channels, false, true);
    streamAligned(
        source, 0, st.limiter.latency(),
        [&](AudioBuffer& b) {
            st.width.process(b);
            st.gain.process(b);
        },
        [&](AudioBuffer& b) { st.limiter.process(b); },
        [&](const AudioBuffer& b) {
            if (abort_.load(std::memory_order_relaxed))
                throw Aborted{};
            loudness.process(b);
            if (withProgress)
                tick(done += static_cast<std::int64_t>(b.frames()), total);
        });
    return loudness.result().integratedLufs;
} catch (const Aborted&) {
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace mm
