#include "service/QueueWorker.h"

#include "service/JobRun.h"
#include "service/WorkerPool.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace mm::service {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdleWait = std::chrono::milliseconds(2000); // poll even if a NOTIFY is lost
constexpr auto kRetryPause = std::chrono::milliseconds(1000);

void pause(const std::atomic<bool>& stop, std::chrono::milliseconds d)
{
    const auto until = Clock::now() + d;
    while (!stop && Clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

} // namespace

std::string defaultWorkerName(int index)
{
    char host[256] = "host";
    gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(index);
}

QueueWorker::QueueWorker(PgJobStore& store, BlobStore& blobs, Metrics& metrics, QueueWorkerOptions options)
    : store_(store), blobs_(blobs), metrics_(metrics), options_(std::move(options))
{
}

void QueueWorker::run(const std::atomic<bool>& stop)
{
    PgListener listener(store_.url());
    bool storeWasDown = false;
    while (!stop) {
        std::optional<Claim> claim;
        try {
            store_.reapExpired(options_.maxAttempts);
            claim = store_.claim(options_.name, options_.lease);
            if (storeWasDown)
                spdlog::info("worker {}: job store reachable again", options_.name);
            storeWasDown = false;
        } catch (const std::exception& e) {
            if (!storeWasDown)
                spdlog::warn("worker {}: job store unavailable ({}); retrying every second", options_.name, e.what());
            storeWasDown = true;
            pause(stop, kRetryPause);
            continue;
        }
        if (!claim) {
            listener.wait(kIdleWait);
            continue;
        }
        busy_ = true;
        try {
            process(*claim, stop);
        } catch (const std::exception& e) {
            spdlog::error("worker {}: job {}: {}", options_.name, claim->id, e.what());
        }
        busy_ = false;
    }
}

void QueueWorker::process(const Claim& claim, const std::atomic<bool>& stop)
{
    const std::string& id = claim.id;
    // The heartbeat thread: renews the lease, brings cancel requests, notices a lost job.
    std::atomic<bool> cancel{false}, lost{false}, done{false};
    std::mutex m;
    std::condition_variable cv;
    std::thread heart([&] {
        std::unique_lock lock(m);
        while (!cv.wait_for(lock, options_.heartbeat, [&] { return done.load(); })) {
            lock.unlock();
            try {
                switch (store_.heartbeat(id, options_.name, options_.lease)) {
                case LeaseState::Held: break;
                case LeaseState::CancelRequested: cancel = true; break;
                case LeaseState::Lost: lost = true; break;
                }
            } catch (const std::exception& e) {
                spdlog::warn("worker {}: job {}: heartbeat failed ({}); still running", options_.name, id, e.what());
            }
            lock.lock();
        }
    });
    struct JoinHeart {
        std::atomic<bool>& done;
        std::condition_variable& cv;
        std::mutex& m;
        std::thread& t;
        ~JoinHeart()
        {
            {
                std::lock_guard lock(m);
                done = true;
            }
            cv.notify_all();
            t.join();
        }
    } joinHeart{done, cv, m, heart};

    const auto rec = store_.get(id);
    if (!rec)
        return;
    metrics_.countClaimedJob();
    spdlog::info("worker {}: job {}: started (attempt {})", options_.name, id, claim.attempts);
    const auto cleanup = [&] { blobs_.releaseLocal(id); };
    const auto storageFailed = [&](const std::string& what) {
        cleanup();
        if (claim.attempts >= options_.maxAttempts) {
            const std::string msg = "object storage unavailable after " + std::to_string(claim.attempts) + " attempts: " + what;
            if (finishWithRetry(id, status::kFailed, "storage_unavailable", msg, nullptr, stop))
                metrics_.countFinishedJob(status::kFailed);
            spdlog::error("worker {}: job {}: failed: {}", options_.name, id, msg);
            ++finished_;
            return;
        }
        const auto delay = std::chrono::milliseconds(1000 * claim.attempts);
        spdlog::warn("worker {}: job {}: storage error ({}); queued again in {} ms", options_.name, id, what, delay.count());
        try {
            store_.release(id, options_.name, "storage_retry", "object storage unavailable, retrying: " + what, delay);
        } catch (const std::exception& e) {
            spdlog::warn("worker {}: job {}: cannot put it back ({}); its lease will", options_.name, id, e.what());
        }
    };

    try {
        blobs_.fetchInputs(id, inputNames(rec->spec));
    } catch (const StorageError& e) {
        return storageFailed(e.what());
    }
    JobRunHooks hooks;
    hooks.stop = [&] { return cancel.load() || lost.load() || stop.load(); };
    hooks.cancelled = [&] { return cancel.load() && !lost.load(); };
    hooks.progress = [&](const std::string& stage, double progress) {
        try {
            store_.setProgress(id, stage, progress);
        } catch (const std::exception&) {
            // the database is away: progress is cosmetic, the heartbeat keeps the lease
        }
    };
    const JobOutcome out = runStoredJob(*rec, blobs_, metrics_, options_.threads, hooks);
    if (out.status.empty()) {
        cleanup();
        if (!lost) {
            try { // stopped (SIGTERM): back to the queue now rather than at the lease's end
                store_.release(id, options_.name, "", "", std::chrono::milliseconds(0));
            } catch (const std::exception&) {
            }
        }
        spdlog::info("worker {}: job {}: {}", options_.name, id,
                     lost ? "taken over or deleted meanwhile; dropped" : "interrupted by shutdown; queued again");
        return;
    }
    if (out.status == status::kSucceeded) {
        try {
            blobs_.commitOutputs(id);
        } catch (const StorageError& e) {
            return storageFailed(e.what());
        }
    }
    cleanup();
    if (finishWithRetry(id, out.status, out.errorCode, out.errorMessage, out.summary, stop)) {
        metrics_.countFinishedJob(out.status);
        ++finished_;
        spdlog::info("worker {}: job {}: {} in {:.2f} s{}{}", options_.name, id, out.status, out.seconds,
                     out.errorMessage.empty() ? "" : ": ", out.errorMessage);
    } else {
        spdlog::warn("worker {}: job {}: no longer ours (lease expired or deleted); result dropped", options_.name, id);
        // Deleted while it ran: what this run stored would have no owner.
        try {
            if (!store_.get(id))
                blobs_.remove(id);
        } catch (const std::exception&) {
        }
    }
}

bool QueueWorker::finishWithRetry(const std::string& id, const std::string& st, const std::string& code, const std::string& message,
                                  const nlohmann::json& summary, const std::atomic<bool>& stop)
{
    // A database restart takes seconds: keep trying a while. If the lease ran out
    // meanwhile and another worker took the job, finishOwned says so (false).
    const auto deadline = Clock::now() + options_.lease + std::chrono::seconds(30);
    for (;;) {
        try {
            return store_.finishOwned(id, options_.name, st, code, message, summary);
        } catch (const std::exception& e) {
            if (Clock::now() > deadline || stop)
                throw;
            spdlog::warn("worker {}: job {}: cannot record the result yet ({}); retrying", options_.name, id, e.what());
            pause(stop, kRetryPause);
        }
    }
}

} // namespace mm::service
