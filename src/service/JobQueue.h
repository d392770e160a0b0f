#pragma once
// What the HTTP handlers need from whoever runs the jobs: the in-process WorkerPool
// (embedded mode) or the shared PostgreSQL queue that `mixmaster worker` processes claim
// from (SharedQueue). The handlers store the job first, then submit it here.
#include <cstddef>
#include <string>

namespace mm::service {

class JobQueue {
public:
    virtual ~JobQueue() = default;
    /// Queues a stored job; false when the queue is full.
    virtual bool submit(const std::string& jobId) = 0;
    /// Queues a job found in the store at start, beyond the bound if need be.
    virtual void submitRecovered(const std::string& jobId) = 0;
    virtual bool full() const = 0;
    /// Asks a running job to stop; false when it is not running.
    virtual bool cancelRunning(const std::string& jobId) = 0;
    /// Cancels a running job and removes its files once its worker let go of them; false
    /// when that is not done here (the caller removes the files itself).
    virtual bool removeWhenStopped(const std::string& jobId) = 0;
    /// Stops taking jobs and interrupts the running ones. Idempotent.
    virtual void stop() = 0;
    virtual std::size_t queueLength() const = 0;
    virtual int busy() const = 0;
    virtual int size() const = 0;
};

} // namespace mm::service
