#pragma once
// The HTTP service of DESIGN.md: the v1 API over cpp-httplib, Prometheus metrics, and the
// backends config names (Backends.h): embedded SQLite + local folder + in-process worker
// pool by default; PostgreSQL queue + S3 + `mixmaster worker` processes to scale out.
//   ApiServer s(config); int port = s.bind(); s.listen(); // blocks until stop()
#include "service/ApiKeys.h"
#include "service/BlobStore.h"
#include "service/Metrics.h"
#include "service/ServiceConfig.h"
#include "service/JobQueue.h"
#include "service/JobStore.h"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace mm::service {

class ApiServer {
public:
    /// Opens the store and data folder, recovers interrupted jobs, starts the workers.
    /// InputError for a bad configuration (e.g. a public host without keys).
    explicit ApiServer(ServiceConfig config);
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    /// Binds config.host:config.port (0: any port); returns the port. InputError when it fails.
    int bind();
    /// Serves until stop(); then stops the workers (running jobs resume at the next start).
    void listen();
    /// Thread-safe; returns at once. listen() returns soon after.
    void stop();
    bool isRunning() const { return http_.is_running(); }
    const ServiceConfig& config() const { return config_; }

private:
    void routes();
    void housekeeping();
    std::optional<std::string> authorize(const httplib::Request& req, httplib::Response& res) const;
    std::optional<JobRecord> ownedJob(const httplib::Request& req, httplib::Response& res);
    void submit(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
    void events(const httplib::Request& req, httplib::Response& res);
    void download(const httplib::Request& req, httplib::Response& res);

    ServiceConfig config_;
    ApiKeys keys_;
    std::unique_ptr<JobStore> store_;
    std::unique_ptr<BlobStore> blobs_;
    Metrics metrics_;
    std::unique_ptr<JobQueue> pool_;
    httplib::Server http_;
    std::atomic<bool> stopping_{false};
    std::mutex stopMutex_;
    std::condition_variable stopCv_;
    std::thread housekeeper_;
};

} // namespace mm::service
