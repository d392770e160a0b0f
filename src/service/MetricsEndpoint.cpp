#include "service/MetricsEndpoint.h"

#include "core/Errors.h"
#include "service/HttpJson.h"

#include <chrono>

namespace mm::service {

MetricsEndpoint::MetricsEndpoint(const std::string& host, int port, std::function<std::string()> render)
{
    http_.Get("/metrics", [render = std::move(render)](const httplib::Request&, httplib::Response& res) {
        res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (res.status == 404)
            sendError(res, 404, "not_found", "only GET /metrics is served here, not " + req.path);
    });
    port_ = port == 0 ? http_.bind_to_any_port(host) : (http_.bind_to_port(host, port) ? port : -1);
    if (port_ < 0)
        throw InputError("cannot serve metrics on " + host + ":" + std::to_string(port) + " (in use, or not an address of this machine)");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    // httplib's stop() does nothing until listen has set is_running(): wait for it.
    for (int i = 0; i < 500 && !http_.is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

MetricsEndpoint::~MetricsEndpoint()
{
    http_.stop();
    thread_.join();
}

} // namespace mm::service
