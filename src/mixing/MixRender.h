#pragma once
// One render of the mix: all stems in step, block by block. Each stem's chain runs on the
// thread pool; the sums are made in stem order on one thread, so the result is
// bit-identical whatever the thread count. Drum bus (parallel compression) and mix bus
// (glue) follow; the float mix goes to a temporary file. Used by mixStems (MixEngine.h),
// which may render twice when the first render's measurements correct the faders.
#include "analysis/GatedLoudness.h"
#include "core/ThreadPool.h"
#include "mixing/MixEngine.h"

namespace mm {

inline constexpr std::size_t kMixBlock = 4096;

struct RenderOutcome {
    std::vector<double> postLufs, averageGr, maxGr; ///< per stem, after its chain
    double mixLufs = 0.0;                           ///< of the float mix
    double peak = 0.0;                              ///< sample peak of the float mix, linear
    BusResult drumBus, mixBus;                      ///< with their measured GR
};

RenderOutcome renderMix(const std::vector<StemInput>& inputs, const std::vector<StemDecision>& decisions,
                        const MixSettings& settings, BusResult drumBus, BusResult mixBus, int rate, std::int64_t total,
                        const std::string& tempPath, const MixOptions& options, ThreadPool& pool, int render = 1);

} // namespace mm
