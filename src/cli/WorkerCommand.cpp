// mixmaster worker --db postgres://… --storage s3://…  [--concurrency N] [--metrics-port P]
// Claims jobs from the shared PostgreSQL queue and runs them; as many processes, on as
// many machines, as needed. SIGINT/SIGTERM: the running jobs are put back in the queue
// at once (another worker takes them); SIGKILL: their leases expire and the same happens.
#include "cli/Commands.h"
#include "core/Errors.h"
#include "service/Backends.h"
#include "service/MetricsEndpoint.h"
#include "service/PgJobStore.h"
#include "service/QueueWorker.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <pthread.h>
#include <thread>

namespace mm::cli {

void addWorkerCommand(CLI::App& app)
{
    auto c = std::make_shared<service::ServiceConfig>();
    c->dataDir = "mixmaster-scratch";
    auto concurrency = std::make_shared<int>(1);
    struct MetricsAddress {
        std::string host = "127.0.0.1";
        int port = -1; ///< -1: no metrics endpoint
    };
    auto metricsAt = std::make_shared<MetricsAddress>();
    auto* cmd = app.add_subcommand("worker", "Run jobs from the shared queue (PostgreSQL job store, S3 or shared-folder storage)");
    cmd->add_option("--db", c->db, "postgres://USER@HOST:PORT/DB, the job store and queue `serve` uses")->envname("MIXMASTER_DB")->required();
    cmd->add_option("--storage", c->storage, "s3://BUCKET[/PREFIX]?endpoint=URL or a folder every process shares")
        ->envname("MIXMASTER_STORAGE")->required();
    cmd->add_option("--concurrency", *concurrency, "Jobs run at once in this process")->envname("MIXMASTER_CONCURRENCY")->check(CLI::Range(1, 64))->capture_default_str();
    cmd->add_option("--scratch-dir", c->dataDir, "Local folder for the running jobs' files")->envname("MIXMASTER_SCRATCH_DIR")->capture_default_str();
    cmd->add_option("--lease-seconds", c->leaseSeconds, "A job this worker stops answering for is taken again after this")
        ->envname("MIXMASTER_LEASE_SECONDS")->check(CLI::Range(1.0, 3600.0))->capture_default_str();
    cmd->add_option("--metrics-port", metricsAt->port, "Serve GET /metrics (Prometheus) on this port (0: any free port); off when not given")
        ->envname("MIXMASTER_METRICS_PORT")->check(CLI::Range(0, 65535));
    cmd->add_option("--metrics-host", metricsAt->host, "Address the metrics port listens on")->envname("MIXMASTER_METRICS_HOST")->capture_default_str();
    cmd->callback([c, concurrency, metricsAt] {
        if (!service::isPostgresUrl(c->db))
            throw InputError("--db must be postgres://…: workers share the queue through PostgreSQL");
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        std::atomic<bool> stop{false};
        std::thread waiter([&] {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig != 0 && !stop)
                spdlog::info("signal {}: stopping; running jobs go back to the queue", sig);
            stop = true;
        });
        struct StopWaiter {
            std::thread& t;
            std::atomic<bool>& stop;
            ~StopWaiter()
            {
                stop = true;
                pthread_kill(t.native_handle(), SIGTERM);
                t.join();
            }
        } stopWaiter{waiter, stop};

        // The database may come up after us (compose, Kubernetes): wait for it.
        std::unique_ptr<service::PgJobStore> store;
        for (bool logged = false; !store && !stop;) {
            try {
                store = std::make_unique<service::PgJobStore>(c->db);
            } catch (const service::StoreUnavailable& e) {
                if (!logged)
                    spdlog::warn("{}; retrying every 2 s", e.what());
                logged = true;
                for (int i = 0; i < 20 && !stop; ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        if (!store)
            return setExitCode(0);
        if (service::isS3Url(c->storage)) {
            // Left by a previous run of this worker that was killed: its jobs went back to the
            // queue when their leases expired. One scratch folder per worker process.
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::path(c->dataDir) / "scratch" / "jobs", ec);
        }
        auto blobs = service::openBlobStore(*c);
        service::Metrics metrics;
        service::QueueWorkerOptions o;
        o.lease = std::chrono::milliseconds(static_cast<long long>(c->leaseSeconds * 1000.0));
        o.heartbeat = std::min(std::chrono::milliseconds(500), o.lease / 4);
        o.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / *concurrency);
        std::vector<std::unique_ptr<service::QueueWorker>> workers;
        std::vector<std::thread> threads;
        for (int i = 0; i < *concurrency; ++i) {
            o.name = service::defaultWorkerName(i);
            workers.push_back(std::make_unique<service::QueueWorker>(*store, *blobs, metrics, o));
        }
        std::unique_ptr<service::MetricsEndpoint> metricsEndpoint;
        if (metricsAt->port >= 0) {
            metricsEndpoint = std::make_unique<service::MetricsEndpoint>(metricsAt->host, metricsAt->port, [&metrics, &workers] {
                service::MetricsSnapshot s;
                s.workers = static_cast<int>(workers.size());
                for (const auto& w : workers)
                    s.busyWorkers += w->busy() ? 1 : 0;
                return metrics.render(s);
            });
            spdlog::info("mixmaster worker: metrics on http://{}:{}/metrics", metricsAt->host, metricsEndpoint->port());
        }
        spdlog::info("mixmaster worker: {} job(s) at once, lease {} s, storage {}", *concurrency, c->leaseSeconds,
                     service::isS3Url(c->storage) ? "s3" : c->storage);
        for (auto& w : workers)
            threads.emplace_back([&stop, w = w.get()] { w->run(stop); });
        for (auto& t : threads)
            t.join();
        setExitCode(0);
    });
}

} // namespace mm::cli
