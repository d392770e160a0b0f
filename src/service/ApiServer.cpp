#include "service/ApiServer.h"

#include "core/Errors.h"
#include "mixmaster/OpenApi.h"
#include "mixmaster/Version.h"
#include "pipeline/Preset.h"
#include "service/ApiError.h"
#include "service/Backends.h"
#include "service/PgJobStore.h"
#include "service/WorkerPool.h"
#include "service/HttpJson.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace mm::service {
namespace {

using Clock = std::chrono::steady_clock;

// Pending connections the kernel keeps for the server (capped by net.core.somaxconn).
constexpr int kListenBacklog = 512;

// Per-thread request context for the access log (httplib runs a request on one thread).
thread_local std::string t_requestId;
thread_local Clock::time_point t_requestStart;

constexpr const char* kDocsHtml = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MixMaster API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .2em}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.m{display:inline-block;min-width:4.5em;font-weight:bold}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style>
</head><body><h1>MixMaster API</h1><p>Rendered from <a href="/openapi.json">/openapi.json</a>.</p><div id="api">Loading…</div>
<script>
fetch('/openapi.json').then(r=>r.json()).then(spec=>{
  const el=document.getElementById('api');el.textContent='';
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  let html='<p>'+esc(spec.info.description||'')+'</p>';
  for(const [path,ops] of Object.entries(spec.paths)){
    for(const [method,op] of Object.entries(ops)){
      html+='<h2><span class="m">'+method.toUpperCase()+'</span> <code>'+esc(path)+'</code></h2><p>'+esc(op.summary||'')+'</p>';
      if(op.description) html+='<p>'+esc(op.description)+'</p>';
      html+='<ul>';
      for(const [code,r] of Object.entries(op.responses||{})) html+='<li><b>'+code+'</b> '+esc(r.description||'')+'</li>';
      html+='</ul>';
    }
  }
  html+='<h2>Schemas</h2><pre>'+esc(JSON.stringify(spec.components.schemas,null,2))+'</pre>';
  el.innerHTML=html;
}).catch(e=>{document.getElementById('api').textContent='Cannot load /openapi.json: '+e});
</script></body></html>
)html";

bool isLoopbackHost(const std::string& h)
{
    return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

} // namespace

bool isLoopback(const std::string& host)
{
    return isLoopbackHost(host);
}

ApiServer::ApiServer(ServiceConfig config) : config_(std::move(config))
{
    if (!config_.apiKeysFile.empty())
        keys_ = ApiKeys::fromFile(config_.apiKeysFile);
    if (!isLoopback(config_.host) && !keys_.enabled() && !config_.insecure)
        throw InputError("refusing to serve on " + config_.host +
                         " without API keys: anyone who can reach it could use it; pass --api-keys-file FILE, or "
                         "--insecure if a proxy in front authenticates");
    std::error_code ec;
    fs::create_directories(config_.dataDir, ec);
    if (ec)
        throw InputError("cannot create the data folder " + config_.dataDir + ": " + ec.message());
    store_ = openJobStore(config_);
    blobs_ = openBlobStore(config_);
    pool_ = openJobQueue(config_, *store_, *blobs_, metrics_);
    for (const auto& id : store_->recover(kMaxAttempts)) {
        spdlog::info("job {}: queued again after a restart", id);
        pool_->submitRecovered(id);
    }
    const int threads = std::max(8, config_.httpThreads);
    http_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    // Slack over the job limit for the multipart framing and the JSON fields.
    http_.set_payload_max_length(static_cast<std::size_t>(config_.maxJobMb * 1024 * 1024) + (4u << 20));
    http_.set_read_timeout(30, 0);
    // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
    // and the client's delayed ACK held many answers ~40 ms (wrk: median 43 ms → see
    // docs/BENCHMARKS.md, "Service").
    http_.set_tcp_nodelay(true);
    routes();
    // The web UI: static files at /, looked up before the routes; nothing in it shadows /v1.
    if (!config_.webDir.empty() && fs::is_regular_file(fs::path(config_.webDir) / "index.html")) {
        http_.set_mount_point("/", config_.webDir);
        spdlog::info("web UI from {}", config_.webDir);
    }
    housekeeper_ = std::thread([this] { housekeeping(); });
}

ApiServer::~ApiServer()
{
    stop();
    if (housekeeper_.joinable())
        housekeeper_.join();
    pool_->stop();
}

int ApiServer::bind()
{
    // cpp-httplib listens with a backlog of 5 (compiled into Debian's library): a burst of
    // clients (20 uploads at once in the tests) overflowed it and some saw their
    // connection dropped. The listening socket is noted here and listen() called again
    // after the bind with a deeper backlog (Linux updates it on a listening socket).
    socket_t listening = INVALID_SOCKET;
    http_.set_socket_options([&listening](socket_t sock) {
        httplib::default_socket_options(sock);
        listening = sock;
    });
    int port = config_.port;
    if (port == 0)
        port = http_.bind_to_any_port(config_.host);
    else if (!http_.bind_to_port(config_.host, port))
        port = -1;
    if (port <= 0)
        throw InputError("cannot listen on " + config_.host + ":" + std::to_string(config_.port) + " (in use, or not an address of this machine)");
    if (listening != INVALID_SOCKET && ::listen(listening, kListenBacklog) != 0)
        spdlog::warn("cannot raise the listen backlog to {}: {}", kListenBacklog, std::strerror(errno));
    http_.set_socket_options(httplib::default_socket_options);
    config_.port = port;
    return port;
}

void ApiServer::listen()
{
    if (!stopping_)
        http_.listen_after_bind();
    pool_->stop();
}

void ApiServer::stop()
{
    {
        std::lock_guard lock(stopMutex_);
        stopping_ = true;
    }
    stopCv_.notify_all();
    http_.stop();
}

void ApiServer::housekeeping()
{
    std::unique_lock lock(stopMutex_);
    while (!stopping_) {
        if (config_.retentionHours > 0) {
            lock.unlock();
            try {
                const auto before = nowMs() - static_cast<std::int64_t>(config_.retentionHours * 3600.0 * 1000.0);
                for (const auto& id : store_->finishedBefore(before)) {
                    blobs_->remove(id);
                    store_->remove(id);
                    spdlog::info("job {}: expired after {} h; files removed", id, config_.retentionHours);
                }
            } catch (const std::exception& e) {
                spdlog::error("housekeeping: {}", e.what());
            }
            lock.lock();
        }
        stopCv_.wait_for(lock, std::chrono::duration<double>(std::max(0.01, config_.sweepIntervalS)), [this] { return stopping_.load(); });
    }
}

std::optional<std::string> ApiServer::authorize(const httplib::Request& req, httplib::Response& res) const
{
    if (!keys_.enabled())
        return std::string();
    if (auto owner = keys_.ownerFor(req.get_header_value("Authorization")))
        return owner;
    res.set_header("WWW-Authenticate", "Bearer");
    sendError(res, 401, "unauthorized", "send your API key as `Authorization: Bearer <key>`");
    return std::nullopt;
}

std::optional<JobRecord> ApiServer::ownedJob(const httplib::Request& req, httplib::Response& res)
{
    const auto owner = authorize(req, res);
    if (!owner)
        return std::nullopt;
    auto job = store_->get(req.matches[1].str());
    // Another key's job answers exactly like a missing one: ids are not confirmed to strangers.
    if (!job || (keys_.enabled() && job->owner != *owner)) {
        sendError(res, 404, "not_found", "no job " + req.matches[1].str());
        return std::nullopt;
    }
    return job;
}

void ApiServer::routes()
{
    http_.set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
        t_requestId = randomId().substr(0, 16);
        t_requestStart = Clock::now();
        res.set_header("X-Request-Id", t_requestId);
        return httplib::Server::HandlerResponse::Unhandled;
    });
    http_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        const std::string route = routeOf(req.method, req.path);
        metrics_.countRequest(route, res.status);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t_requestStart).count();
        spdlog::info("request_id={} method={} path={} route=\"{}\" status={} ms={:.1f} remote={}", t_requestId, req.method,
                     req.path, route, res.status, ms, req.remote_addr);
    });
    http_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        try {
            std::rethrow_exception(ep);
        } catch (const ApiError& e) {
            sendError(res, e.status(), e.code(), e.what());
        } catch (const InputError& e) {
            sendError(res, 422, "bad_input", e.what());
        } catch (const StorageError& e) {
            // S3 unreachable (delete, housekeeping paths): the client may retry.
            sendError(res, 503, "storage_unavailable", std::string("object storage unavailable: ") + e.what());
        } catch (const StoreUnavailable& e) {
            res.set_header("Retry-After", "5");
            sendError(res, 503, "store_unavailable", std::string("the job store is unavailable; try again shortly: ") + e.what());
        } catch (const std::exception& e) {
            spdlog::error("request_id={} internal error: {}", t_requestId, e.what());
            sendError(res, 500, "internal_error", "internal error; report it with request id " + t_requestId);
        } catch (...) {
            sendError(res, 500, "internal_error", "internal error; report it with request id " + t_requestId);
        }
    });
    http_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty())
            return;
        if (res.status == 404)
            sendError(res, 404, "not_found", "no such route; see /docs");
        else if (res.status == 413)
            sendError(res, 413, "job_too_large", "the request is larger than this server accepts");
        else if (res.status >= 400)
            sendError(res, res.status, "http_error", "HTTP error " + std::to_string(res.status));
    });

    http_.Post("/v1/jobs", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        submit(req, res, reader);
    });
    http_.Get("/v1/jobs", [this](const httplib::Request& req, httplib::Response& res) {
        const auto owner = authorize(req, res);
        if (!owner)
            return;
        int limit = 100;
        if (req.has_param("limit"))
            limit = std::clamp(std::atoi(req.get_param_value("limit").c_str()), 1, 1000);
        nlohmann::json jobs = nlohmann::json::array();
        for (const auto& j : store_->list(keys_.enabled() ? owner : std::nullopt, limit))
            jobs.push_back(jobToJson(j));
        sendJson(res, 200, {{"jobs", jobs}});
    });
    http_.Get(R"(/v1/jobs/([0-9a-f]+))", [this](const httplib::Request& req, httplib::Response& res) {
        if (auto job = ownedJob(req, res))
            sendJson(res, 200, jobToJson(*job));
    });
    http_.Post(R"(/v1/jobs/([0-9a-f]+)/cancel)", [this](const httplib::Request& req, httplib::Response& res) {
        const auto job = ownedJob(req, res);
        if (!job)
            return;
        if (!isTerminal(job->status) && (store_->cancelQueued(job->id) || pool_->cancelRunning(job->id)))
            return sendJson(res, 202, {{"job_id", job->id}, {"status", "cancelling"}});
        sendError(res, 409, "job_finished", "job " + job->id + " already " + job->status + "; nothing to cancel");
    });
    http_.Delete(R"(/v1/jobs/([0-9a-f]+))", [this](const httplib::Request& req, httplib::Response& res) {
        const auto job = ownedJob(req, res);
        if (!job)
            return;
        // A running job's files go when its worker lets go of them (within a second).
        if (!pool_->removeWhenStopped(job->id))
            blobs_->remove(job->id);
        store_->remove(job->id);
        res.status = 204;
    });
    http_.Get(R"(/v1/jobs/([0-9a-f]+)/events)", [this](const httplib::Request& req, httplib::Response& res) { events(req, res); });
    http_.Get(R"(/v1/jobs/([0-9a-f]+)/download/([a-z_]+))",
              [this](const httplib::Request& req, httplib::Response& res) { download(req, res); });
    http_.Get("/v1/presets", [this](const httplib::Request& req, httplib::Response& res) {
        if (!authorize(req, res))
            return;
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : listPresets())
            out.push_back({{"key", p.key}, {"name", p.name}, {"description", p.description}, {"targets", targetsToJson(p.targets)}});
        sendJson(res, 200, {{"presets", out}});
    });
    http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
        sendJson(res, 200, {{"status", "ok"}, {"version", kVersion}});
    });
    http_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
        try {
            store_->countByStatus();
        } catch (const std::exception& e) {
            return sendError(res, 503, "not_ready", std::string("job store unavailable: ") + e.what());
        }
        if (stopping_)
            return sendError(res, 503, "not_ready", "shutting down");
        sendJson(res, 200, {{"status", "ready"}, {"queue_length", pool_->queueLength()}, {"queue_full", pool_->full()}});
    });
    http_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        MetricsSnapshot s;
        s.jobsByState = store_->countByStatus();
        s.queueLength = pool_->queueLength();
        s.busyWorkers = pool_->busy();
        s.workers = pool_->size();
        res.set_content(metrics_.render(s), "text/plain; version=0.0.4; charset=utf-8");
    });
    http_.Get("/openapi.json", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kOpenApiJson, "application/json");
    });
    http_.Get("/docs", [](const httplib::Request&, httplib::Response& res) { res.set_content(kDocsHtml, "text/html; charset=utf-8"); });
}

} // namespace mm::service
