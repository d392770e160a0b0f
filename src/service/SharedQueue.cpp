#include "service/SharedQueue.h"

namespace mm::service {

SharedQueue::SharedQueue(PgJobStore& store, BlobStore& blobs, Metrics& metrics, int workers, std::size_t capacity,
                         QueueWorkerOptions options)
    : store_(store), capacity_(capacity)
{
    for (int i = 0; i < workers; ++i) {
        QueueWorkerOptions o = options;
        o.name = defaultWorkerName(i);
        workers_.push_back(std::make_unique<QueueWorker>(store, blobs, metrics, o));
    }
    for (auto& w : workers_)
        threads_.emplace_back([this, worker = w.get()] { worker->run(stopping_); });
}

SharedQueue::~SharedQueue()
{
    stop();
}

void SharedQueue::stop()
{
    if (stopping_.exchange(true))
        return;
    for (auto& t : threads_)
        t.join();
}

bool SharedQueue::submit(const std::string&)
{
    // Stored as queued already (and notified): only the bound is checked here.
    return static_cast<std::size_t>(store_.countWithStatus(status::kQueued)) <= capacity_;
}

bool SharedQueue::full() const
{
    return static_cast<std::size_t>(store_.countWithStatus(status::kQueued)) >= capacity_;
}

bool SharedQueue::cancelRunning(const std::string& jobId)
{
    return store_.requestCancel(jobId);
}

bool SharedQueue::removeWhenStopped(const std::string& jobId)
{
    // The caller deletes the row and the files; the worker's heartbeat then finds the job
    // gone, drops its work and removes anything it stored after.
    store_.requestCancel(jobId);
    return false;
}

std::size_t SharedQueue::queueLength() const
{
    return static_cast<std::size_t>(store_.countWithStatus(status::kQueued));
}

int SharedQueue::busy() const
{
    return store_.countWithStatus(status::kRunning);
}

} // namespace mm::service
