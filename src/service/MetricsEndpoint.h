#pragma once
// GET /metrics on a port of its own, for processes that serve no API: each `mixmaster
// worker` (`--metrics-port`), so Prometheus scrapes its stage timings, master loudness,
// jobs claimed and finished, and busy state. Runs on its own thread until destroyed.
#include <httplib.h>

#include <functional>
#include <string>
#include <thread>

namespace mm::service {

class MetricsEndpoint {
public:
    /// Listens on host:port (port 0: any free port); `render` makes the exposition text at
    /// each scrape. InputError when the address cannot be bound.
    MetricsEndpoint(const std::string& host, int port, std::function<std::string()> render);
    ~MetricsEndpoint();
    MetricsEndpoint(const MetricsEndpoint&) = delete;
    MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

    int port() const { return port_; }

private:
    httplib::Server http_;
    std::thread thread_;
    int port_ = 0;
};

} // namespace mm::service
