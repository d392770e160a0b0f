// POST /v1/jobs: a multipart upload streamed part by part into the job's folder, then
// validated as a whole before the job is stored and queued. Nothing of a refused upload
// stays behind: the folder goes on every failure.
#include "core/AudioReader.h"
#include "core/Errors.h"
#include "service/ApiError.h"
#include "service/ApiServer.h"
#include "service/HttpJson.h"
#include "service/JobSpecJson.h"
#include "service/ReferenceFetch.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>

namespace mm::service {
namespace {

constexpr std::size_t kMaxFieldBytes = 1 << 20; // JSON fields are small; 1 MiB is generous
const std::set<std::string> kFields{"project_id", "preset", "stems_meta", "targets", "options"};

std::string megabytes(double mb)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g MB", mb);
    return buf;
}

/// The upload in progress: fields in memory, files on disk, the first error met.
struct Upload {
    std::map<std::string, std::string> fields;
    std::vector<std::string> stems;
    std::string reference;
    std::optional<ApiError> error;
    std::string part;          ///< current part's name
    bool isFile = false;
    std::ofstream out;
    std::filesystem::path outPath;
    std::size_t partBytes = 0, totalBytes = 0;

    void fail(int status, const std::string& code, const std::string& message)
    {
        if (!error)
            error.emplace(status, code, message);
        out.close();
    }
};

/// The extension of an uploaded file name, if it is a plain one (".wav"), else "".
std::string safeExtension(const std::string& filename)
{
    const auto dot = filename.rfind('.');
    if (dot == std::string::npos)
        return "";
    const std::string ext = filename.substr(dot);
    return ext.size() <= 6 && isSafeFileName("x" + ext) ? ext : "";
}

nlohmann::json parseJsonField(const Upload& u, const char* name, const char* code)
{
    auto it = u.fields.find(name);
    if (it == u.fields.end() || it->second.empty())
        return nullptr;
    auto j = nlohmann::json::parse(it->second, nullptr, false);
    if (j.is_discarded())
        throw ApiError(422, code, std::string(name) + " is not valid JSON");
    return j;
}

/// Takes options.reference_track_url out of the options text (the rest goes to
/// parseOptions); "" when absent.
std::string takeReferenceUrl(std::string& optionsText)
{
    if (optionsText.empty())
        return "";
    auto j = nlohmann::json::parse(optionsText, nullptr, false);
    if (!j.is_object() || !j.contains("reference_track_url"))
        return "";
    const auto v = j["reference_track_url"];
    if (!v.is_string() || v.get<std::string>().empty())
        throw ApiError(422, "bad_options", "options.reference_track_url must be a URL string");
    j.erase("reference_track_url");
    optionsText = j.dump();
    return v.get<std::string>();
}

} // namespace

void ApiServer::submit(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader)
{
    const auto drain = [&] {
        if (req.is_multipart_form_data())
            reader([](const httplib::MultipartFormData&) { return true; }, [](const char*, std::size_t) { return true; });
        else
            reader([](const char*, std::size_t) { return true; });
    };
    const auto owner = authorize(req, res);
    if (!owner)
        return drain();
    if (!req.is_multipart_form_data()) {
        drain();
        return sendError(res, 415, "not_multipart", "send the job as multipart/form-data (curl -F …)");
    }
    if (pool_->full()) {
        drain();
        res.set_header("Retry-After", "30");
        return sendError(res, 429, "queue_full", "the job queue is full; try again in 30 s");
    }

    const std::string id = randomId();
    blobs_->createJob(id);
    try {
        const auto maxFile = static_cast<std::size_t>(config_.maxFileMb * 1024 * 1024);
        const auto maxJob = static_cast<std::size_t>(config_.maxJobMb * 1024 * 1024);
        Upload u;
        const bool ok = reader(
            [&](const httplib::MultipartFormData& part) {
                u.out.close();
                u.part = part.name;
                u.isFile = !part.filename.empty();
                u.partBytes = 0;
                if (u.error)
                    return true; // keep reading: the answer waits for the whole body
                if (u.isFile) {
                    std::string name = part.name;
                    if (name == "reference") {
                        name = "reference" + safeExtension(part.filename);
                        u.reference = name;
                    } else if (!isSafeFileName(name)) {
                        u.fail(422, "bad_stem_name", "file part name `" + part.name + "` is not a plain file name (no '/', '\\', '..')");
                        return true;
                    } else if (std::find(u.stems.begin(), u.stems.end(), name) != u.stems.end()) {
                        u.fail(422, "duplicate_stem", "two file parts are named `" + name + "`");
                        return true;
                    } else if (u.stems.size() >= config_.maxStems) {
                        u.fail(422, "too_many_stems", "more than " + std::to_string(config_.maxStems) + " stems sent; the limit is " +
                                                          std::to_string(config_.maxStems));
                        return true;
                    } else {
                        u.stems.push_back(name);
                    }
                    u.outPath = blobs_->inputPath(id, name);
                    u.out.open(u.outPath, std::ios::binary | std::ios::trunc);
                    if (!u.out)
                        u.fail(500, "storage_error", "cannot store the upload");
                } else if (kFields.count(part.name) == 0) {
                    u.fail(422, "unknown_field", "unknown field `" + part.name + "`; stems must be file parts (-F \"" + part.name + "=@FILE\")");
                }
                return true;
            },
            [&](const char* data, std::size_t len) {
                if (u.error)
                    return true;
                u.partBytes += len;
                u.totalBytes += len;
                if (u.isFile) {
                    if (u.partBytes > maxFile)
                        u.fail(413, "file_too_large", "`" + u.part + "` is larger than the limit of " + megabytes(config_.maxFileMb) + " per file");
                    else if (u.totalBytes > maxJob)
                        u.fail(413, "job_too_large", "the upload is larger than the limit of " + megabytes(config_.maxJobMb) + " per job");
                    else if (!u.out.write(data, static_cast<std::streamsize>(len)))
                        u.fail(500, "storage_error", "cannot store the upload (disk full?)");
                } else {
                    if (u.partBytes > kMaxFieldBytes)
                        u.fail(413, "field_too_large", "field `" + u.part + "` is larger than 1 MB");
                    else
                        u.fields[u.part].append(data, len);
                }
                return true;
            });
        u.out.close();
        const auto bodyEnd = std::chrono::steady_clock::now(); // the upload's end, for the log
        if (u.error)
            throw *u.error;
        if (!ok)
            throw ApiError(400, "bad_multipart", "the multipart body could not be read (CRLF line endings and a closing boundary are required)");

        std::string optionsText = u.fields["options"];
        const std::string referenceUrl = takeReferenceUrl(optionsText);
        nlohmann::json options = parseOptions(optionsText);
        nlohmann::json spec{{"project_id", u.fields["project_id"]},
                            {"preset", u.fields.count("preset") && !u.fields["preset"].empty() ? u.fields["preset"] : std::string("Pop")},
                            {"stems", u.stems},
                            {"stems_meta", parseJsonField(u, "stems_meta", "bad_stems_meta")},
                            {"targets", parseJsonField(u, "targets", "bad_targets")},
                            {"options", options},
                            {"reference", u.reference.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.reference)}};
        if (spec["project_id"].get<std::string>().size() > 200)
            throw ApiError(422, "bad_project_id", "project_id is longer than 200 characters");
        if (!spec["targets"].is_null() && !spec["targets"].is_object())
            throw ApiError(422, "bad_targets", "targets must be a JSON object {lufs, ceiling_dbTP, width_pct, lra_max}");
        validateJobSpec(spec, config_.maxStems);
        // A reference by URL is fetched now, after the cheap checks and before the job is
        // queued, so its limits hold before any work (the 202 waits for it: at most
        // --reference-timeout seconds); then it is checked like an uploaded one.
        if (!referenceUrl.empty()) {
            if (!u.reference.empty())
                throw ApiError(422, "two_references", "send the reference as a `reference` file part or as options.reference_track_url, not both");
            const ReferenceFetchLimits limits{config_.referenceHosts, static_cast<std::size_t>(config_.maxReferenceMb * 1024 * 1024),
                                              config_.referenceTimeoutS, config_.referenceCaFile};
            const std::string name = "reference" + urlExtension(referenceUrl);
            fetchReference(referenceUrl, limits, blobs_->inputPath(id, name));
            u.reference = name;
            spec["reference"] = name;
            spec["options"]["reference_track_url"] = referenceUrl;
        }

        std::vector<std::string> files = u.stems;
        if (!u.reference.empty())
            files.push_back(u.reference);
        for (const auto& f : files) {
            try {
                AudioReader r(blobs_->inputPath(id, f).string());
                const auto& info = r.info();
                const double seconds = info.sampleRate > 0 ? static_cast<double>(info.frames) / info.sampleRate : 0.0;
                if (seconds > config_.maxSeconds)
                    throw ApiError(422, "too_long", "`" + f + "` is " + std::to_string(static_cast<long>(seconds)) +
                                                        " s long; the limit is " + std::to_string(static_cast<long>(config_.maxSeconds)) + " s per stem");
            } catch (const InputError& e) {
                // The reader names the file by its server path: keep only the cause.
                std::string why = e.what();
                const std::string path = blobs_->inputPath(id, f).string();
                if (why.rfind(path + ": ", 0) == 0)
                    why = why.substr(path.size() + 2);
                throw ApiError(422, "bad_audio", "`" + f + "`: " + why);
            }
        }

        // Object storage: the inputs are in the bucket before any worker can see the job.
        try {
            blobs_->commitInputs(id, files);
        } catch (const StorageError& e) {
            throw ApiError(503, "storage_unavailable", std::string("cannot store the upload: ") + e.what());
        }
        blobs_->releaseLocal(id); // before the job exists: a worker in this process fetches into the same folder
        JobRecord job;
        job.id = id;
        job.owner = *owner;
        job.createdMs = job.updatedMs = nowMs();
        job.spec = spec;
        store_->create(job);
        if (!pool_->submit(id)) {
            store_->remove(id);
            res.set_header("Retry-After", "30");
            throw ApiError(429, "queue_full", "the job queue is full; try again in 30 s");
        }
        spdlog::info("job {}: queued ({} stems, {} bytes, preset {}) after_upload_ms={:.1f}", id, u.stems.size(), u.totalBytes,
                     spec["preset"].get<std::string>(),
                     std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - bodyEnd).count());
        res.set_header("Location", "/v1/jobs/" + id);
        sendJson(res, 202, {{"job_id", id}, {"status", status::kQueued}});
    } catch (...) {
        try {
            blobs_->remove(id);
        } catch (const std::exception& e) {
            spdlog::warn("job {}: refused upload not cleaned up: {}", id, e.what());
        }
        throw;
    }
}

} // namespace mm::service
