// GET /v1/jobs/{id}/events (Server-Sent Events) and /download/{kind}: answers streamed
// from the store and from disk, never built whole in memory.
#include "service/ApiServer.h"
#include "service/HttpJson.h"

#include <chrono>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;

namespace mm::service {
namespace {

// An SSE listener looks at the store this often: live enough for a progress bar, and
// the store read is a primary-key lookup. A comment line keeps idle proxies from closing.
constexpr auto kEventInterval = std::chrono::milliseconds(250);
constexpr int kKeepAliveTicks = 60; // 15 s

struct Download {
    const char* file;
    const char* contentType;
};

} // namespace

void ApiServer::events(const httplib::Request& req, httplib::Response& res)
{
    const auto job = ownedJob(req, res);
    if (!job)
        return;
    const std::string id = job->id;
    auto last = std::make_shared<std::string>();
    auto ticks = std::make_shared<int>(0);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider("text/event-stream", [this, id, last, ticks](std::size_t, httplib::DataSink& sink) {
        // Called in a loop by httplib: each call sends at most one event, then waits.
        if (stopping_ || !sink.is_writable()) {
            sink.done();
            return true;
        }
        const auto rec = store_->get(id);
        if (!rec) {
            const std::string msg = "event: error\ndata: {\"error\":{\"code\":\"not_found\",\"message\":\"job deleted\"}}\n\n";
            sink.write(msg.data(), msg.size());
            sink.done();
            return true;
        }
        const std::string data = jobToJson(*rec).dump();
        if (data != *last) {
            *last = data;
            *ticks = 0;
            const std::string msg = "event: status\ndata: " + data + "\n\n";
            if (!sink.write(msg.data(), msg.size()))
                return false;
            if (isTerminal(rec->status)) {
                sink.done();
                return true;
            }
        } else if (++*ticks >= kKeepAliveTicks) {
            *ticks = 0;
            if (!sink.write(": keep-alive\n\n", 14))
                return false;
        }
        std::this_thread::sleep_for(kEventInterval);
        return true;
    });
}

void ApiServer::download(const httplib::Request& req, httplib::Response& res)
{
    const auto job = ownedJob(req, res);
    if (!job)
        return;
    const std::string kind = req.matches[2].str();
    const std::string ext = job->spec.value("options", nlohmann::json::object()).value("format", std::string("wav24")) == "flac24" ? ".flac" : ".wav";
    const std::string mixFile = "mix" + ext, masterFile = "master" + ext;
    const std::string audioType = ext == ".flac" ? "audio/flac" : "audio/wav";
    Download d{};
    if (kind == "mix")
        d = {mixFile.c_str(), audioType.c_str()};
    else if (kind == "master")
        d = {masterFile.c_str(), audioType.c_str()};
    else if (kind == "report")
        d = {"report.json", "application/json"};
    else if (kind == "preview")
        d = {"preview.ogg", "audio/ogg"}; // of the master
    else if (kind == "mix_preview")
        d = {"mix_preview.ogg", "audio/ogg"};
    else if (kind == "stems_preview")
        d = {"stems_preview.ogg", "audio/ogg"}; // the raw stem sum
    else
        return sendError(res, 404, "not_found",
                         "unknown download `" + kind + "`; one of mix, master, report, preview, mix_preview, stems_preview");
    if (job->status != status::kSucceeded)
        return sendError(res, 409, "not_ready", "job " + job->id + " is " + job->status + "; downloads exist once it succeeded");
    const std::string file = d.file, id = job->id;
    if (config_.presignSeconds > 0)
        if (const auto url = blobs_->presignedUrl(id, file, config_.presignSeconds))
            return res.set_redirect(*url, 302);
    std::optional<std::uint64_t> size;
    try {
        size = blobs_->outputSize(id, file);
    } catch (const StorageError& e) {
        return sendError(res, 503, "storage_unavailable", file + " cannot be read now: " + e.what());
    }
    if (!size)
        return sendError(res, 404, "not_found", file + " is gone (expired or deleted)");
    res.set_header("Content-Disposition", "attachment; filename=\"" + file + "\"");
    // Read in 1 MiB pieces (a ranged GET each from object storage): memory stays flat.
    auto buf = std::make_shared<std::vector<char>>(1u << 20);
    BlobStore* blobs = blobs_.get();
    res.set_content_provider(static_cast<std::size_t>(*size), d.contentType,
                             [blobs, id, file, buf](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 std::size_t got = 0;
                                 try {
                                     got = blobs->readOutput(id, file, offset, buf->data(), std::min(length, buf->size()));
                                 } catch (const std::exception&) {
                                     return false;
                                 }
                                 return got > 0 && sink.write(buf->data(), got);
                             });
}

} // namespace mm::service
