#include "mixing/MixRender.h"

#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"
#include "dsp/TruePeakMeter.h"
#include "mixing/StemChain.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>

namespace mm {
namespace {

struct StemRuntime {
    std::unique_ptr<AudioSource> source;
    std::unique_ptr<StemChain> chain;
    std::unique_ptr<IntegratedLoudness> post; // the stem's loudness after its fader
    std::unique_ptr<Ebur128TruePeak> inputPeak; // the stem's true peak, when asked for
    std::unique_ptr<AudioWriter> exportWriter;
    AudioBuffer in;
    AudioBuffer out[2]; // post-fader output of blocks of even and odd index
};

} // namespace

RenderOutcome renderMix(const std::vector<StemInput>& inputs, const std::vector<StemDecision>& decisions,
                        const MixSettings& settings, BusResult drumBus, BusResult mixBus, int rate, std::int64_t total,
                        const std::string& tempPath, const MixOptions& options, ThreadPool& pool, int render,
                        const std::vector<double>& samplePeaks)
{
    const std::size_t n = inputs.size();
    if (options.progress)
        options.progress("mixing", 0.0);
    std::vector<StemRuntime> rt(n);
    for (std::size_t i = 0; i < n; ++i) {
        rt[i].source = std::make_unique<AudioSource>(inputs[i].path, rate, kMixBlock);
        const int chs = rt[i].source->channels();
        rt[i].chain = std::make_unique<StemChain>();
        rt[i].chain->prepare(rate, chs, kMixBlock, decisions[i]);
        rt[i].post = std::make_unique<IntegratedLoudness>();
        rt[i].post->prepare(rate, 2);
        if (i < samplePeaks.size()) {
            rt[i].inputPeak = std::make_unique<Ebur128TruePeak>();
            rt[i].inputPeak->prepare(chs, rate);
            // A hair under the analysis' figure: the seed must not exceed the sample peak.
            rt[i].inputPeak->seed(static_cast<float>(samplePeaks[i] * (1.0 - 1e-6)));
        }
        rt[i].in.resize(chs, kMixBlock);
        rt[i].out[0].resize(2, kMixBlock);
        rt[i].out[1].resize(2, kMixBlock);
        if (options.exportStems) {
            const auto name = std::filesystem::path(inputs[i].path).stem().string() + ".wav";
            rt[i].exportWriter = std::make_unique<AudioWriter>(
                (std::filesystem::path(options.outDir) / "stems" / name).string(), rate, 2, OutputFormat::Wav24, options.ditherSeed + i);
        }
    }
    const ProcessSpec stereo{static_cast<double>(rate), 2, kMixBlock};
    Compressor drumComp, glue;
    drumComp.prepare(stereo);
    drumComp.setParams(drumBus.comp);
    glue.prepare(stereo);
    glue.setParams(mixBus.comp);
    LoudnessMeter mixMeter(rate, 2, false, true);
    AudioBuffer drums(2, kMixBlock), wet(2, kMixBlock), mix(2, kMixBlock);
    RenderOutcome out;
    {
        AudioWriter temp(tempPath, rate, 2, OutputFormat::Wav32f);
        // The buses of block b (sum, drum bus, glue, meter, write: one thread, in block
        // order) run as one more task beside the stems of block b + 1, so they do not
        // leave a core idle; stem outputs alternate between two buffers for this.
        const auto busBlock = [&](int parity, std::size_t len) {
            drums.setFrames(len);
            mix.setFrames(len);
            drums.clear();
            mix.clear();
            for (std::size_t i = 0; i < n; ++i) { // fixed order: bit-identical across thread counts
                AudioBuffer& dst = decisions[i].drumBus ? drums : mix;
                for (int c = 0; c < 2; ++c) {
                    float* d = dst.channel(c);
                    const float* src = rt[i].out[parity].channel(c);
                    for (std::size_t k = 0; k < len; ++k)
                        d[k] += src[k];
                }
            }
            if (drumBus.active) {
                wet.setFrames(len);
                for (int c = 0; c < 2; ++c)
                    std::copy(drums.channel(c), drums.channel(c) + len, wet.channel(c));
                drumComp.process(wet);
                const auto g = static_cast<float>(settings.drumParallelMix);
                for (int c = 0; c < 2; ++c)
                    for (std::size_t k = 0; k < len; ++k)
                        drums.channel(c)[k] += g * wet.channel(c)[k];
            }
            for (int c = 0; c < 2; ++c)
                for (std::size_t k = 0; k < len; ++k)
                    mix.channel(c)[k] += drums.channel(c)[k];
            if (mixBus.active)
                glue.process(mix);
            for (int c = 0; c < 2; ++c)
                for (std::size_t k = 0; k < len; ++k)
                    out.peak = std::max(out.peak, static_cast<double>(std::fabs(mix.channel(c)[k])));
            mixMeter.process(mix);
            if (options.onMixBlock)
                options.onMixBlock(mix, rate, render);
            temp.write(mix);
        };
        std::size_t prevLen = 0; // frames of the block whose buses are pending (0: none)
        for (std::int64_t pos = 0; pos < total || prevLen > 0; pos += static_cast<std::int64_t>(kMixBlock)) {
            const auto len = pos < total ? static_cast<std::size_t>(std::min<std::int64_t>(kMixBlock, total - pos)) : std::size_t{0};
            const int parity = static_cast<int>((pos / static_cast<std::int64_t>(kMixBlock)) & 1);
            const std::size_t busTasks = prevLen > 0 ? 1 : 0;
            // Two stems per task: their post-fader meters' K-weighting runs in one loop
            // (IntegratedLoudness::processPair, the same readings as one at a time).
            const auto stem = [&](StemRuntime& r) -> AudioBuffer& {
                AudioBuffer& o = r.out[parity];
                r.in.setFrames(len);
                const std::size_t got = r.source->read(r.in);
                if (r.inputPeak)
                    r.inputPeak->process(r.in, got); // the stem itself, not the padding after it
                r.in.setFrames(len);
                r.in.clearFrom(got);
                r.chain->process(o, r.in);
                if (r.exportWriter)
                    r.exportWriter->write(o);
                return o;
            };
            pool.parallelFor((len > 0 ? n : 0) + busTasks, [&](std::size_t task) {
                if (task < busTasks) {
                    busBlock(1 - parity, prevLen);
                    return;
                }
                const std::size_t i = task - busTasks;
                rt[i].post->process(stem(rt[i]));
            });
            if (options.progress && prevLen > 0)
                options.progress("mixing", static_cast<double>(std::min(pos, total)) / static_cast<double>(total));
            prevLen = len;
        }
        temp.commit();
    }
    for (std::size_t i = 0; i < n; ++i) {
        auto& r = rt[i];
        if (r.exportWriter)
            r.exportWriter->commit();
        out.postLufs.push_back(r.post->integratedLufs());
        if (r.inputPeak) {
            const double p = r.inputPeak->truePeak();
            out.inputTruePeakDbtp.push_back(p > 0.0 ? 20.0 * std::log10(p) : -std::numeric_limits<double>::infinity());
        }
        out.averageGr.push_back(r.chain->averageGainReductionDb());
        out.maxGr.push_back(r.chain->maxGainReductionDb());
    }
    out.mixLufs = mixMeter.result().integratedLufs;
    drumBus.averageGrDb = drumComp.averageGainReductionDb();
    drumBus.maxGrDb = drumComp.maxGainReductionDb();
    mixBus.averageGrDb = glue.averageGainReductionDb();
    mixBus.maxGrDb = glue.maxGainReductionDb();
    out.drumBus = drumBus;
    out.mixBus = mixBus;
    return out;
}

} // namespace mm
