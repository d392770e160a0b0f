#pragma once
// A worker of the shared PostgreSQL queue, in a `mixmaster worker` process or as a thread
// of `mixmaster serve --db postgres://…`. It claims a job, holds its lease with a
// heartbeat (which also brings the cancel flag, so a cancel is seen within a heartbeat
// period), fetches the inputs to local scratch, runs the pipeline (JobRun, as the
// embedded mode does), stores the outputs, and only then marks the job done.
//
// Failures: a storage error (bucket unreachable) puts the job back with a backoff, and
// fails it with the reason at its kMaxAttempts-th start; a lost lease (the job was taken
// over, or deleted) drops the work without writing anything; an unreachable database
// is waited out (the heartbeat keeps trying; the finish is retried).
#include "service/BlobStore.h"
#include "service/Metrics.h"
#include "service/PgJobStore.h"

#include <atomic>
#include <chrono>
#include <string>

namespace mm::service {

struct QueueWorkerOptions {
    std::string name;                                   ///< unique: host:pid:index
    std::chrono::milliseconds lease{30000};             ///< a dead worker's job waits this long
    std::chrono::milliseconds heartbeat{500};           ///< lease renewal and cancel check
    int threads = 1;                                    ///< pipeline threads per job
    int maxAttempts = 3;
};

class QueueWorker {
public:
    QueueWorker(PgJobStore& store, BlobStore& blobs, Metrics& metrics, QueueWorkerOptions options);
    /// Claims and runs jobs until `stop` is set (a running job is interrupted and left to
    /// its lease: another worker takes it after it expires).
    void run(const std::atomic<bool>& stop);
    /// Jobs this worker finished (any final state).
    int finished() const { return finished_.load(); }
    bool busy() const { return busy_.load(); }

private:
    void process(const Claim& claim, const std::atomic<bool>& stop);
    bool finishWithRetry(const std::string& id, const std::string& status, const std::string& code, const std::string& message,
                         const nlohmann::json& summary, const std::atomic<bool>& stop);

    PgJobStore& store_;
    BlobStore& blobs_;
    Metrics& metrics_;
    QueueWorkerOptions options_;
    std::atomic<int> finished_{0};
    std::atomic<bool> busy_{false};
};

/// host:pid:index, the default worker name.
std::string defaultWorkerName(int index);

} // namespace mm::service
