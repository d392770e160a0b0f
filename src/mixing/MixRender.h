#pragma once
// One render of the mix: all stems in step, block by block. Each stem's chain runs on the
// thread pool; the sums are made in stem order on one thread, so the result is
// bit-identical whatever the thread count. Drum bus (parallel compression) and mix bus
// (glue) follow; the float mix goes to a temporary file. Used by mixStems (MixEngine.h),
// which may render twice when the first render's measurements correct the faders.
#include "analysis/GatedLoudness.h"
#include "core/ThreadPool.h"
#include "mixing/MixEngine.h"

#include <memory>

namespace mm {

inline constexpr std::size_t kMixBlock = 4096;

struct RenderOutcome {
    std::vector<double> postLufs, averageGr, maxGr; ///< per stem, after its chain
    double mixLufs = 0.0;                           ///< of the float mix
    double peak = 0.0;                              ///< sample peak of the float mix, linear
    BusResult drumBus, mixBus;                      ///< with their measured GR
    int reusedStems = 0;                            ///< stems replayed from the PreFaderCache
};

/// Each stem's signal before its fader (high-pass, EQ, compressor applied), kept by the
/// first render in float files beside the output so that a second render can skip the
/// chains of the stems whose decisions changed only in fader, pan or mute: ≈ 4 MB per
/// stem-channel-minute on disk, nothing in memory. The files go with the cache.
struct PreFaderCache {
    explicit PreFaderCache(std::string dir) : folder(std::move(dir)) {}
    ~PreFaderCache();
    PreFaderCache(const PreFaderCache&) = delete;
    PreFaderCache& operator=(const PreFaderCache&) = delete;

    std::string folder;
    bool written = false;                 ///< set by the render that wrote the files
    std::vector<std::string> paths;       ///< per stem
    std::vector<StemDecision> decisions;  ///< the decisions that produced them
    std::vector<double> averageGr, maxGr; ///< their compressors' statistics
    /// Their post-fader loudness meters (every 400 ms block kept): a replayed stem whose
    /// pan and mute are unchanged differs only by its fader, so a later render reads its
    /// loudness from these through the fader change instead of filtering it again.
    std::vector<std::unique_ptr<IntegratedLoudness>> postMeters;
};

/// `cache`: null for no cache; empty → this render writes it; written → stems with the
/// same pre-fader decisions are read from it (RenderOutcome::reusedStems counts them).
RenderOutcome renderMix(const std::vector<StemInput>& inputs, const std::vector<StemDecision>& decisions,
                        const MixSettings& settings, BusResult drumBus, BusResult mixBus, int rate, std::int64_t total,
                        const std::string& tempPath, const MixOptions& options, ThreadPool& pool,
                        PreFaderCache* cache = nullptr);

} // namespace mm
