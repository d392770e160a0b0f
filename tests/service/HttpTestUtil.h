#pragma once
// HTTP client helpers the service tests share: multipart job submission, JSON bodies and
// error codes, polling a job until a condition holds.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mm::test {

struct StemFile {
    std::string name, path;
};
/// POST /v1/jobs with the given fields and stem files.
httplib::Result submitJob(httplib::Client& cli, const std::vector<std::pair<std::string, std::string>>& fields,
                          const std::vector<StemFile>& stems, const httplib::Headers& headers = {});

/// Parses a response body; a JSON null when it is not JSON.
nlohmann::json bodyJson(const httplib::Result& r);
/// The `error.code` of a JSON error answer, or "<no JSON error>".
std::string errorCode(const httplib::Result& r);
/// GET `path`: the body of a 200 answer, else "<HTTP status>" (or "<HTTP error>").
std::string bodyOf(httplib::Client& cli, const std::string& path);

/// Polls GET /v1/jobs/{id} until `pred(job)` or `timeout`; returns the last job JSON.
nlohmann::json waitForJob(httplib::Client& cli, const std::string& id, const std::function<bool(const nlohmann::json&)>& pred,
                          std::chrono::seconds timeout, const httplib::Headers& headers = {});
/// Until the job is succeeded, failed or cancelled.
nlohmann::json waitForEnd(httplib::Client& cli, const std::string& id, std::chrono::seconds timeout, const httplib::Headers& headers = {});

} // namespace mm::test
