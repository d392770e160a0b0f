#pragma once
// Pass 1 of mixStems (MixEngine.h): every stem read and analysed once at the job's rate,
// two stems per task, read in step (their loudness meters' K-weighting in one loop,
// Analyzer::processPair), tasks in parallel; then each stem's warnings and role.
#include "core/ThreadPool.h"
#include "mixing/MixEngine.h"

#include <cstdint>
#include <vector>

namespace mm {

/// Fills stems[i] (sized like `inputs`): info (metrics — without the true peak, which the
/// first mix render reads —, features, role), path and warnings. `seconds`: each input's
/// length, to pair stems of similar length; `framesExpected`: Σ input frames, for the
/// progress. Returns each stem's length in frames at `rate` (0: no audio).
std::vector<std::int64_t> analyseStems(const std::vector<StemInput>& inputs, const std::vector<double>& seconds, int rate,
                                       std::int64_t framesExpected, const MixOptions& options, ThreadPool& pool,
                                       std::vector<StemResult>& stems);

} // namespace mm
