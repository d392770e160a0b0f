#include "core/ThreadPool.h"

namespace mm {

ThreadPool::ThreadPool(int threads)
{
    for (int i = 1; i < threads; ++i)
        workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_)
        t.join();
}

int ThreadPool::defaultThreads()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

void ThreadPool::runTasks()
{
    for (;;) {
        std::size_t index;
        {
            std::lock_guard lock(mutex_);
            if (next_ >= count_)
                return;
            index = next_++;
        }
        try {
            (*task_)(index);
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!error_)
                error_ = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            if (++finished_ == count_)
                done_.notify_all();
        }
    }
}

void ThreadPool::workerLoop()
{
    std::size_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
            if (stop_)
                return;
            seen = generation_;
        }
        runTasks();
    }
}

void ThreadPool::parallelFor(std::size_t count, const std::function<void(std::size_t)>& task)
{
    if (count == 0)
        return;
    if (workers_.empty()) {
        for (std::size_t i = 0; i < count; ++i)
            task(i);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        task_ = &task;
        count_ = count;
        next_ = finished_ = 0;
        error_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    runTasks();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return finished_ == count_; });
    task_ = nullptr;
    if (error_)
        std::rethrow_exception(error_);
}

} // namespace mm
