#include "mixing/MixRender.h"

#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"
#include "mixing/StemChain.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

namespace mm {
namespace {

struct StemRuntime {
    std::unique_ptr<AudioSource> source;
    std::unique_ptr<StemChain> chain;
    std::unique_ptr<IntegratedLoudness> post; // null: the loudness comes from the cache's meter
    double postGainDb = 0.0;                   // … through this fader change
    std::unique_ptr<AudioWriter> exportWriter;
    std::unique_ptr<AudioWriter> cacheWriter; // pre-fader signal for a later render
    bool replay = false;                      // source is the cache: pre-fader half skipped
    AudioBuffer in;
    AudioBuffer out[2]; // post-fader output of blocks of even and odd index
};

} // namespace

PreFaderCache::~PreFaderCache()
{
    std::error_code ec;
    for (const auto& p : paths)
        std::filesystem::remove(p, ec);
}

RenderOutcome renderMix(const std::vector<StemInput>& inputs, const std::vector<StemDecision>& decisions,
                        const MixSettings& settings, BusResult drumBus, BusResult mixBus, int rate, std::int64_t total,
                        const std::string& tempPath, const MixOptions& options, ThreadPool& pool, PreFaderCache* cache)
{
    const std::size_t n = inputs.size();
    const bool writeCache = cache && !cache->written;
    if (writeCache) {
        cache->paths.clear();
        for (std::size_t i = 0; i < n; ++i)
            cache->paths.push_back((std::filesystem::path(cache->folder) / (".prefader-" + std::to_string(i) + ".wav")).string());
    }
    if (options.progress)
        options.progress("mixing", 0.0);
    std::vector<StemRuntime> rt(n);
    for (std::size_t i = 0; i < n; ++i) {
        rt[i].replay = cache && cache->written && samePreFader(cache->decisions[i], decisions[i]);
        rt[i].source = std::make_unique<AudioSource>(rt[i].replay ? cache->paths[i] : inputs[i].path, rate, kMixBlock);
        const int chs = rt[i].source->channels();
        if (writeCache)
            rt[i].cacheWriter = std::make_unique<AudioWriter>(cache->paths[i], rate, chs, OutputFormat::Wav32f);
        rt[i].chain = std::make_unique<StemChain>();
        rt[i].chain->prepare(rate, chs, kMixBlock, decisions[i]);
        if (rt[i].replay && cache->decisions[i].pan == decisions[i].pan && cache->decisions[i].muted == decisions[i].muted) {
            rt[i].postGainDb = decisions[i].gainDb - cache->decisions[i].gainDb; // muted both times: −inf either way
        } else {
            rt[i].post = std::make_unique<IntegratedLoudness>();
            rt[i].post->prepare(rate, 2);
            if (writeCache)
                rt[i].post->keepAllBlocks();
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
            temp.write(mix);
        };
        std::size_t prevLen = 0; // frames of the block whose buses are pending (0: none)
        for (std::int64_t pos = 0; pos < total || prevLen > 0; pos += static_cast<std::int64_t>(kMixBlock)) {
            const auto len = pos < total ? static_cast<std::size_t>(std::min<std::int64_t>(kMixBlock, total - pos)) : std::size_t{0};
            const int parity = static_cast<int>((pos / static_cast<std::int64_t>(kMixBlock)) & 1);
            const std::size_t busTasks = prevLen > 0 ? 1 : 0;
            pool.parallelFor((len > 0 ? n : 0) + busTasks, [&](std::size_t task) {
                if (task < busTasks) {
                    busBlock(1 - parity, prevLen);
                    return;
                }
                auto& r = rt[task - busTasks];
                AudioBuffer& o = r.out[parity];
                r.in.setFrames(len);
                const std::size_t got = r.source->read(r.in);
                r.in.setFrames(len);
                r.in.clearFrom(got);
                if (!r.replay)
                    r.chain->processPreFader(r.in);
                if (r.cacheWriter)
                    r.cacheWriter->write(r.in);
                r.chain->processPostFader(o, r.in);
                if (r.post)
                    r.post->process(o);
                if (r.exportWriter)
                    r.exportWriter->write(o);
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
        if (r.cacheWriter)
            r.cacheWriter->commit();
        out.postLufs.push_back(r.post ? r.post->integratedLufs() : cache->postMeters[i]->integratedLufsWithGain(r.postGainDb));
        // A replayed stem's compressor did not run: its statistics are the first render's.
        out.averageGr.push_back(r.replay ? cache->averageGr[i] : r.chain->averageGainReductionDb());
        out.maxGr.push_back(r.replay ? cache->maxGr[i] : r.chain->maxGainReductionDb());
        out.reusedStems += r.replay ? 1 : 0;
    }
    if (writeCache) {
        cache->postMeters.clear();
        for (auto& r : rt)
            cache->postMeters.push_back(std::move(r.post));
        cache->decisions = decisions;
        cache->averageGr = out.averageGr;
        cache->maxGr = out.maxGr;
        cache->written = true;
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
