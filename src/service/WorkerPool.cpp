#include "service/WorkerPool.h"

#include "core/Errors.h"
#include "service/JobRun.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mm::service {
WorkerPool::WorkerPool(JobStore& store, BlobStore& blobs, Metrics& metrics, int workers, std::size_t capacity)
    : store_(store), blobs_(blobs), metrics_(metrics), capacity_(capacity)
{
    for (int i = 0; i < std::max(1, workers); ++i)
        threads_.emplace_back([this] { workerLoop(); });
}

WorkerPool::~WorkerPool()
{
    stop();
}

void WorkerPool::stop()
{
    {
        std::lock_guard lock(mutex_);
        if (stopping_.exchange(true))
            return;
    }
    wake_.notify_all();
    for (auto& t : threads_)
        t.join();
}

bool WorkerPool::submit(const std::string& jobId)
{
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= capacity_ || stopping_)
            return false;
        queue_.push_back(jobId);
    }
    wake_.notify_one();
    return true;
}

void WorkerPool::submitRecovered(const std::string& jobId)
{
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(jobId);
    }
    wake_.notify_one();
}

bool WorkerPool::full() const
{
    std::lock_guard lock(mutex_);
    return queue_.size() >= capacity_;
}

std::size_t WorkerPool::queueLength() const
{
    std::lock_guard lock(mutex_);
    return queue_.size();
}

bool WorkerPool::cancelRunning(const std::string& jobId)
{
    std::lock_guard lock(mutex_);
    auto it = running_.find(jobId);
    if (it == running_.end())
        return false;
    it->second->store(true);
    return true;
}

bool WorkerPool::removeWhenStopped(const std::string& jobId)
{
    std::lock_guard lock(mutex_);
    auto it = running_.find(jobId);
    if (it == running_.end())
        return false;
    it->second->store(true);
    removeAfter_.insert(jobId);
    return true;
}

void WorkerPool::workerLoop()
{
    for (;;) {
        std::string id;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_)
                return;
            id = queue_.front();
            queue_.pop_front();
        }
        // Registered before it is marked running, so a cancel or delete in between finds it.
        auto cancel = std::make_shared<std::atomic<bool>>(false);
        {
            std::lock_guard lock(mutex_);
            running_[id] = cancel;
        }
        ++busy_;
        try {
            if (store_.markRunning(id)) {
                metrics_.countClaimedJob();
                run(id, *cancel);
            }
        } catch (const std::exception& e) {
            spdlog::error("job {}: worker error: {}", id, e.what());
        }
        --busy_;
        bool remove = false;
        {
            std::lock_guard lock(mutex_);
            running_.erase(id);
            remove = removeAfter_.erase(id) > 0;
        }
        if (remove) {
            blobs_.remove(id);
            store_.remove(id);
            spdlog::info("job {}: deleted", id);
        }
    }
}

void WorkerPool::run(const std::string& id, const std::atomic<bool>& cancel)
{
    const auto rec = store_.get(id);
    if (!rec)
        return;
    spdlog::info("job {}: started (attempt {})", id, rec->attempts);
    JobRunHooks hooks;
    hooks.stop = [&] { return cancel.load() || stopping_.load(); };
    hooks.cancelled = [&] { return cancel.load(); };
    hooks.progress = [&](const std::string& stage, double progress) { store_.setProgress(id, stage, progress); };
    const int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, size()));
    const JobOutcome out = runStoredJob(*rec, blobs_, metrics_, threads, hooks);
    {
        std::lock_guard lock(mutex_);
        if (removeAfter_.count(id))
            return; // deleted meanwhile: workerLoop removes it
    }
    if (out.status.empty()) {
        spdlog::info("job {}: interrupted by shutdown; queued again at the next start", id);
        return;
    }
    store_.finish(id, out.status, out.errorCode, out.errorMessage, out.summary);
    metrics_.countFinishedJob(out.status);
    spdlog::info("job {}: {} in {:.2f} s{}{}", id, out.status, out.seconds, out.errorMessage.empty() ? "" : ": ", out.errorMessage);
}

} // namespace mm::service
