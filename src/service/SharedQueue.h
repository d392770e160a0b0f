#pragma once
// The JobQueue of `mixmaster serve --db postgres://…`: the queue is the jobs table, so
// submitting is storing (PgJobStore::create notifies the workers); cancel and delete of
// a running job go through the row, which its worker's heartbeat reads. With
// `--workers N` (N > 0) the server also runs N QueueWorkers as threads.
#include "service/JobQueue.h"
#include "service/QueueWorker.h"

#include <memory>
#include <thread>
#include <vector>

namespace mm::service {

class SharedQueue final : public JobQueue {
public:
    SharedQueue(PgJobStore& store, BlobStore& blobs, Metrics& metrics, int workers, std::size_t capacity,
                QueueWorkerOptions options);
    ~SharedQueue() override;

    bool submit(const std::string& jobId) override;
    void submitRecovered(const std::string&) override {}
    bool full() const override;
    bool cancelRunning(const std::string& jobId) override;
    bool removeWhenStopped(const std::string& jobId) override;
    void stop() override;
    std::size_t queueLength() const override;
    int busy() const override;
    int size() const override { return static_cast<int>(workers_.size()); }

private:
    PgJobStore& store_;
    const std::size_t capacity_;
    std::atomic<bool> stopping_{false};
    std::vector<std::unique_ptr<QueueWorker>> workers_;
    std::vector<std::thread> threads_;
};

} // namespace mm::service
