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
    /// Per stem, the true peak of its input (libebur128's interpolation, Ebur128TruePeak),
    /// dBTP; only when renderMix() was given the stems' sample peaks.
    std::vector<double> inputTruePeakDbtp;
    double mixLufs = 0.0;                           ///< of the float mix
    double peak = 0.0;                              ///< sample peak of the float mix, linear
    BusResult drumBus, mixBus;                      ///< with their measured GR
};

/// `samplePeaks` (linear, per stem, from the analysis; empty: none): measure each stem's
/// input true peak in this render. The render reads every stem again anyway, and with the
/// whole stem's sample peak as the bound from the first block on, the true-peak meter's
/// screening skips nearly every chunk (in the analysis pass it knew only the peak so far).
RenderOutcome renderMix(const std::vector<StemInput>& inputs, const std::vector<StemDecision>& decisions,
                        const MixSettings& settings, BusResult drumBus, BusResult mixBus, int rate, std::int64_t total,
                        const std::string& tempPath, const MixOptions& options, ThreadPool& pool, int render = 1,
                        const std::vector<double>& samplePeaks = {});

} // namespace mm
