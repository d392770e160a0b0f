#include "service/WorkerPool.h"

#include "core/Errors.h"
#include "service/JobSpecJson.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace mm::service {
namespace {

using Clock = std::chrono::steady_clock;

/// Thrown from the progress callback to unwind the pipeline.
struct JobInterrupted {};

/// The share of the whole job before each stage starts and its weight, measured on
/// typical 4-minute jobs: analysis and mastering dominate, the preview is short.
struct StageSpan {
    const char* stage;
    double start, weight;
};
constexpr StageSpan kStages[] = {{"analysis", 0.0, 0.15}, {"mixing", 0.15, 0.35}, {"balancing", 0.5, 0.05},
                                 {"writing mix", 0.55, 0.05}, {"mastering", 0.6, 0.35}, {"preview", 0.95, 0.05}};

double overallProgress(const std::string& stage, double fraction, double previous)
{
    for (const auto& s : kStages)
        if (stage == s.stage)
            return std::max(previous, std::clamp(s.start + s.weight * fraction, 0.0, 1.0));
    return previous;
}

// Progress writes to the store at most this often (plus every stage change).
constexpr auto kProgressInterval = std::chrono::milliseconds(250);

} // namespace

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
            if (store_.markRunning(id))
                run(id, *cancel);
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
    const auto t0 = Clock::now();
    std::string stage;
    auto stageStart = t0, lastWrite = t0;
    double progress = 0.0;
    std::string finalStatus, errorCode, errorMessage;
    nlohmann::json summary = nullptr;
    try {
        const auto rec = store_.get(id);
        if (!rec)
            throw JobInterrupted{};
        spdlog::info("job {}: started (attempt {})", id, rec->attempts);
        JobSpec spec = jobSpecFromJson(rec->spec, id, blobs_);
        spec.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, size()));
        spec.progress = [&](const std::string& s, double f) {
            if (cancel.load() || stopping_.load())
                throw JobInterrupted{};
            const auto now = Clock::now();
            progress = overallProgress(s, f, progress);
            if (s != stage) {
                if (!stage.empty())
                    metrics_.observeStage(stage, std::chrono::duration<double>(now - stageStart).count());
                stage = s;
                stageStart = now;
            } else if (now - lastWrite < kProgressInterval) {
                return;
            }
            lastWrite = now;
            store_.setProgress(id, stage, progress);
        };
        const JobResult r = runJob(spec);
        const auto now = Clock::now();
        if (!stage.empty())
            metrics_.observeStage(stage, std::chrono::duration<double>(now - stageStart).count());
        metrics_.observeStage("total", std::chrono::duration<double>(now - t0).count());
        summary = summaryFromReport(r.report);
        if (summary["integrated_lufs"].is_number() && summary["true_peak_dbtp"].is_number())
            metrics_.observeMaster(summary["integrated_lufs"].get<double>(), summary["true_peak_dbtp"].get<double>());
        finalStatus = status::kSucceeded;
    } catch (const JobInterrupted&) {
        finalStatus = cancel.load() ? status::kCancelled : "";
    } catch (const InputError& e) {
        finalStatus = status::kFailed;
        errorCode = "bad_input";
        errorMessage = e.what();
    } catch (const std::exception& e) {
        finalStatus = status::kFailed;
        errorCode = "internal_error";
        errorMessage = std::string("the job failed inside MixMaster: ") + e.what() + "; try again or report it with the job id";
    }
    {
        std::lock_guard lock(mutex_);
        if (removeAfter_.count(id))
            return; // deleted meanwhile: workerLoop removes it
    }
    if (finalStatus.empty()) {
        spdlog::info("job {}: interrupted by shutdown; queued again at the next start", id);
        return;
    }
    store_.finish(id, finalStatus, errorCode, errorMessage, summary);
    metrics_.countFinishedJob(finalStatus);
    spdlog::info("job {}: {} in {:.2f} s{}{}", id, finalStatus, std::chrono::duration<double>(Clock::now() - t0).count(),
                 errorMessage.empty() ? "" : ": ", errorMessage);
}

} // namespace mm::service
