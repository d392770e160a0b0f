#pragma once
// The in-process workers: N threads taking job ids from a bounded FIFO and running the
// pipeline on them. Progress goes to the JobStore (throttled), stage timings and master
// loudness to the Metrics. Cancel sets a flag the pipeline's progress callback checks, so
// a running job stops at its next progress report (every block while mixing).
#include "service/BlobStore.h"
#include "service/JobQueue.h"
#include "service/JobStore.h"
#include "service/Metrics.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace mm::service {

/// A job starts at most this many times (restarts of the server count).
inline constexpr int kMaxAttempts = 3;

class WorkerPool final : public JobQueue {
public:
    WorkerPool(JobStore& store, BlobStore& blobs, Metrics& metrics, int workers, std::size_t capacity);
    ~WorkerPool() override;
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues a job; false when the queue is full.
    bool submit(const std::string& jobId) override;
    /// Queues a job found in the store at start, beyond the bound if need be.
    void submitRecovered(const std::string& jobId) override;
    bool full() const override;
    /// Asks a running job to stop; false when it is not running here.
    bool cancelRunning(const std::string& jobId) override;
    /// Cancels a running job and removes its files once the worker let go of them; false
    /// when it is not running (the caller removes the files itself).
    bool removeWhenStopped(const std::string& jobId) override;
    /// Stops taking jobs and interrupts the running ones; they stay 'running' in the store
    /// and are queued again at the next start. Idempotent.
    void stop() override;

    std::size_t queueLength() const override;
    int busy() const override { return busy_.load(); }
    int size() const override { return static_cast<int>(threads_.size()); }

private:
    void workerLoop();
    void run(const std::string& jobId, const std::atomic<bool>& cancel);

    JobStore& store_;
    BlobStore& blobs_;
    Metrics& metrics_;
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    std::map<std::string, std::shared_ptr<std::atomic<bool>>> running_; ///< id → cancel flag
    std::set<std::string> removeAfter_;
    std::atomic<int> busy_{0};
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

} // namespace mm::service
