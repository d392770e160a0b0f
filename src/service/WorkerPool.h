#pragma once
// The in-process workers: N threads taking job ids from a bounded FIFO and running the
// pipeline on them. Progress goes to the JobStore (throttled), stage timings and master
// loudness to the Metrics. Cancel sets a flag the pipeline's progress callback checks, so
// a running job stops at its next progress report (every block while mixing).
#include "service/BlobStore.h"
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

class WorkerPool {
public:
    WorkerPool(JobStore& store, BlobStore& blobs, Metrics& metrics, int workers, std::size_t capacity);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues a job; false when the queue is full.
    bool submit(const std::string& jobId);
    /// Queues a job found in the store at start, beyond the bound if need be.
    void submitRecovered(const std::string& jobId);
    bool full() const;
    /// Asks a running job to stop; false when it is not running here.
    bool cancelRunning(const std::string& jobId);
    /// Cancels a running job and removes its files once the worker let go of them; false
    /// when it is not running (the caller removes the files itself).
    bool removeWhenStopped(const std::string& jobId);
    /// Stops taking jobs and interrupts the running ones; they stay 'running' in the store
    /// and are queued again at the next start. Idempotent.
    void stop();

    std::size_t queueLength() const;
    int busy() const { return busy_.load(); }
    int size() const { return static_cast<int>(threads_.size()); }

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
