// Pass 1 of mixStems: every stem analysed once (StemAnalysis.h).
#include "mixing/StemAnalysis.h"

#include "analysis/Analyzer.h"
#include "core/AudioSource.h"
#include "mixing/MixRender.h"
#include "mixing/ReasonText.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>

namespace mm {
namespace {
constexpr std::size_t kBlock = kMixBlock;
} // namespace

std::vector<std::int64_t> analyseStems(const std::vector<StemInput>& inputs, const std::vector<double>& seconds, int rate,
                                       std::int64_t framesExpected, const MixOptions& options, ThreadPool& pool,
                                       std::vector<StemResult>& stems)
{
    const std::size_t n = inputs.size();
    std::vector<std::int64_t> lengths(n, 0);
    std::mutex progressMutex;
    std::atomic<std::int64_t> framesAnalysed{0};

    // Two stems per task, read in step, so that their loudness meters' K-weighting runs in
    // one loop (Analyzer::processPair: the same metrics as one at a time, in less time).
    // Stems of similar length are paired (sorted by length), so that pairs run in step for
    // as long as possible; an odd one out is analysed alone.
    struct StemPass {
        AudioSource src;
        Analyzer analyzer;
        AudioBuffer block;
        std::size_t got = 0;
        StemPass(const std::string& path, int rate)
            : src(path, rate, kBlock), analyzer(rate, src.channels(), analyzerOptions(src)), block(src.channels(), kBlock)
        {
        }
        static AnalyzerOptions analyzerOptions(const AudioSource& src)
        {
            AnalyzerOptions ao;
            ao.features = true;
            // The stem's true peak is measured in the first mix render (renderMix), which
            // reads the stem again, with this pass's sample peak as its screening bound.
            ao.truePeak = false;
            ao.fastTruePeak = false;
            ao.expectedFrames = src.expectedFrames();
            return ao;
        }
        bool read()
        {
            block.setFrames(kBlock);
            got = src.read(block);
            return got > 0;
        }
    };
    std::vector<std::size_t> bySeconds(n);
    for (std::size_t i = 0; i < n; ++i)
        bySeconds[i] = i;
    std::stable_sort(bySeconds.begin(), bySeconds.end(), [&](std::size_t a, std::size_t b) { return seconds[a] > seconds[b]; });
    std::vector<std::unique_ptr<StemPass>> passes(n);
    const auto finishStem = [&](std::size_t i) {
        const auto& in = inputs[i];
        auto& st = stems[i];
        AudioSource& src = passes[i]->src;
        st.info.metrics = passes[i]->analyzer.finish();
        st.info.metrics.path = in.path;
        st.info.features = passes[i]->analyzer.features();
        st.info.name = in.name;
        st.path = in.path;
        lengths[i] = src.reader().framesRead() == 0 ? 0 : static_cast<std::int64_t>(std::llround(st.info.metrics.durationS * rate));
        st.warnings = src.reader().warnings();
        if (src.info().sampleRate != rate)
            st.warnings.push_back(in.name + reasonText(": resampled from %.0f Hz to %.0f Hz", src.info().sampleRate, rate));
        const auto& m = st.info.metrics;
        if (st.info.features.silent)
            st.warnings.push_back(in.name + ": silent; left out of the mix");
        if (std::fabs(m.dcOffset) > 0.001)
            st.warnings.push_back(in.name + reasonText(": DC offset %.4f removed by the high-pass", m.dcOffset));
        if (m.clippedSamples > 0)
            st.warnings.push_back(in.name + ": " + std::to_string(m.clippedSamples) + " clipped samples in the input (cannot be undone)");
        // Role: metadata, else file name, else audio.
        if (in.role) {
            st.info.role = *in.role;
            st.info.roleSource = "metadata";
        } else if (auto r = guessRoleFromName(std::filesystem::path(in.path).filename().string())) {
            st.info.role = *r;
            st.info.roleSource = "file name";
        } else {
            st.info.role = guessRoleFromAudio(m, st.info.features);
            st.info.roleSource = "audio";
        }
        st.info.userGainDb = in.gainDb;
        st.info.userPan = in.pan;
        st.info.userMute = in.mute;
        passes[i].reset();
    };
    const std::size_t pairs = (n + 1) / 2;
    pool.parallelFor(pairs, [&](std::size_t task) {
        const std::size_t ia = bySeconds[2 * task];
        const std::size_t ib = 2 * task + 1 < n ? bySeconds[2 * task + 1] : n;
        passes[ia] = std::make_unique<StemPass>(inputs[ia].path, rate);
        if (ib < n)
            passes[ib] = std::make_unique<StemPass>(inputs[ib].path, rate);
        StemPass* a = passes[ia].get();
        StemPass* b = ib < n ? passes[ib].get() : nullptr;
        std::size_t blocks = 0;
        for (;;) {
            if (a && !a->read()) {
                finishStem(ia);
                a = nullptr;
            }
            if (b && !b->read()) {
                finishStem(ib);
                b = nullptr;
            }
            if (!a && !b)
                break;
            if (a && b)
                Analyzer::processPair(a->analyzer, a->block, b->analyzer, b->block);
            else
                (a ? a : b)->analyzer.process((a ? a : b)->block);
            framesAnalysed += static_cast<std::int64_t>((a ? a->got : 0) + (b ? b->got : 0));
            const std::size_t before = blocks;
            blocks += (a ? 1 : 0) + (b ? 1 : 0);
            if (blocks / 8 != before / 8) { // every 8 stem blocks (≈ 0.7 s of audio): progress, and a cancel point
                std::lock_guard lock(progressMutex);
                if (options.progress)
                    options.progress("analysis", std::clamp(static_cast<double>(framesAnalysed.load()) / static_cast<double>(framesExpected), 0.0, 1.0));
            }
        }
    });
    return lengths;
}

} // namespace mm
