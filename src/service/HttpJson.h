#pragma once
// Small helpers the handlers share: JSON answers and errors, the public view of a job, and
// the route template of a path (the metrics' `route` label, bounded in cardinality).
#include "service/JobStore.h"

#include <httplib.h>

#include <string>

namespace mm::service {

void sendJson(httplib::Response& res, int status, const nlohmann::json& body);
/// {"error":{"code","message"}} with `status`.
void sendError(httplib::Response& res, int status, const std::string& code, const std::string& message);
/// What GET /v1/jobs/{id} answers (also each SSE event's data).
nlohmann::json jobToJson(const JobRecord& job);
/// "/v1/jobs/{id}/download/{kind}" for "/v1/jobs/abc…/download/master"; "other" for unknown paths.
std::string routeOf(const std::string& method, const std::string& path);

} // namespace mm::service
