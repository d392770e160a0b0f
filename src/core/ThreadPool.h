#pragma once
// A fixed pool of worker threads running index-parallel loops. parallelFor blocks until
// every index ran; the first exception thrown by a task is rethrown in the caller.
// Results must not depend on which thread ran an index: callers write per-index outputs
// and combine them in index order afterwards (that is what keeps mixes bit-identical).
// Idle workers and a waiting caller spin briefly before they sleep (≤ kSpinMicroseconds).
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mm {

class ThreadPool {
public:
    /// `threads` ≤ 1 runs everything on the calling thread.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const noexcept { return static_cast<int>(workers_.size()) + 1; }
    void parallelFor(std::size_t count, const std::function<void(std::size_t)>& task);

    /// Threads to use when the user says 0: the machine's cores.
    static int defaultThreads();

private:
    void workerLoop();
    void runTasks();
    /// Spins for up to `budget` microseconds until `ready()`; true if it became ready.
    /// The mix render hands out a loop per 4096-frame block (thousands per song): waking
    /// a sleeping thread costs tens of microseconds each time, a short spin does not. The
    /// budget adapts (adaptSpin): a spin that ran out halves the next one, so a thread
    /// that waits on a much longer stage of a pipeline does not burn a core for nothing.
    template <class Ready>
    static bool spinUntil(Ready&& ready, int budget);
    static int adaptSpin(int budget, bool worked) noexcept;
    static constexpr int kSpinMicroseconds = 50;
    static constexpr int kMinSpinMicroseconds = 2;

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(std::size_t)>* task_ = nullptr;
    std::size_t count_ = 0, next_ = 0;
    std::atomic<std::size_t> finished_{0};   // written under mutex_, read by spinners
    std::atomic<std::size_t> generation_{0}; // written under mutex_, read by spinners
    int sleepers_ = 0;                       // workers waiting on wake_ (under mutex_)
    std::atomic<int> callerSpin_{kSpinMicroseconds}; // the caller's spin budget (one caller at a time)
    bool stop_ = false;
    std::exception_ptr error_;
};

} // namespace mm
