#pragma once
// One run of a stored job's pipeline on its local files, shared by the in-process
// WorkerPool and the queue workers of `mixmaster worker`: the same code, so the same
// bytes, whichever mode ran it.
#include "service/BlobStore.h"
#include "service/JobStore.h"
#include "service/Metrics.h"

#include <functional>
#include <string>
#include <vector>

namespace mm::service {

struct JobOutcome {
    std::string status;  ///< succeeded, failed or cancelled; empty: interrupted (not finished)
    std::string errorCode, errorMessage;
    nlohmann::json summary = nullptr;
    double seconds = 0.0;
};

struct JobRunHooks {
    /// Polled at every progress report: true unwinds the run.
    std::function<bool()> stop;
    /// Asked after an unwind: true makes it "cancelled", false "interrupted".
    std::function<bool()> cancelled;
    /// Stage changes and at most every 250 ms: the overall progress 0..1.
    std::function<void(const std::string& stage, double progress)> progress;
};

/// Runs the job; stage timings and the master's loudness go to `metrics`.
JobOutcome runStoredJob(const JobRecord& job, const BlobStore& blobs, Metrics& metrics, int threads, const JobRunHooks& hooks);

/// The job's uploaded file names: its stems, then the reference if any.
std::vector<std::string> inputNames(const nlohmann::json& spec);

} // namespace mm::service
