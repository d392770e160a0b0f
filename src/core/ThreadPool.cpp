#include "core/ThreadPool.h"

#include <algorithm>
#include <chrono>

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

int ThreadPool::adaptSpin(int budget, bool worked) noexcept
{
    return worked ? std::min(kSpinMicroseconds, 2 * budget) : std::max(kMinSpinMicroseconds, budget / 2);
}

template <class Ready>
bool ThreadPool::spinUntil(Ready&& ready, int budget)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(budget);
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (ready())
                return true;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        if (std::chrono::steady_clock::now() >= until)
            return ready();
    }
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
            if (finished_.fetch_add(1) + 1 == count_)
                done_.notify_all();
        }
    }
}

void ThreadPool::workerLoop()
{
    std::size_t seen = 0;
    int spin = kSpinMicroseconds;
    for (;;) {
        spin = adaptSpin(spin, spinUntil([&] { return generation_.load(std::memory_order_acquire) != seen; }, spin));
        {
            std::unique_lock lock(mutex_);
            ++sleepers_;
            wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
            --sleepers_;
            if (stop_)
                return;
            seen = generation_.load();
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
    bool anyAsleep = false;
    {
        std::lock_guard lock(mutex_);
        task_ = &task;
        count_ = count;
        next_ = 0;
        finished_.store(0);
        error_ = nullptr;
        generation_.fetch_add(1);
        anyAsleep = sleepers_ > 0;
    }
    if (anyAsleep)
        wake_.notify_all();
    runTasks();
    const int spin = callerSpin_.load(std::memory_order_relaxed);
    const bool done = spinUntil([&] { return finished_.load(std::memory_order_acquire) == count; }, spin);
    callerSpin_.store(adaptSpin(spin, done), std::memory_order_relaxed);
    if (!done) {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return finished_.load() == count_; });
    }
    std::lock_guard lock(mutex_);
    task_ = nullptr;
    if (error_)
        std::rethrow_exception(error_);
}

} // namespace mm
