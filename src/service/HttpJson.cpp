#include "service/HttpJson.h"

#include <algorithm>
#include <vector>

namespace mm::service {

void sendJson(httplib::Response& res, int status, const nlohmann::json& body)
{
    res.status = status;
    res.set_content(body.dump() + "\n", "application/json");
}

void sendError(httplib::Response& res, int status, const std::string& code, const std::string& message)
{
    sendJson(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

nlohmann::json jobToJson(const JobRecord& j)
{
    nlohmann::json out{{"job_id", j.id},
                       {"project_id", j.spec.value("project_id", std::string())},
                       {"preset", j.spec.value("preset", std::string())},
                       {"status", j.status},
                       {"stage", j.stage},
                       {"progress", j.progress},
                       {"attempts", j.attempts},
                       {"created_at_ms", j.createdMs},
                       {"updated_at_ms", j.updatedMs},
                       {"error", nullptr},
                       {"summary", j.summary}};
    if (!j.errorCode.empty())
        out["error"] = {{"code", j.errorCode}, {"message", j.errorMessage}};
    return out;
}

std::string routeOf(const std::string& method, const std::string& path)
{
    // Split by hand (std::regex trips GCC 12's -Wmaybe-uninitialized under the sanitizers).
    std::vector<std::string> parts;
    for (std::size_t pos = 1; pos <= path.size();) {
        const auto next = std::min(path.find('/', pos), path.size());
        parts.push_back(path.substr(pos, next - pos));
        pos = next + 1;
    }
    static const char* kFixed[] = {"/v1/jobs", "/v1/presets", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"};
    std::string route = "other";
    for (const char* f : kFixed)
        if (path == f)
            route = f;
    const bool job = parts.size() >= 3 && parts[0] == "v1" && parts[1] == "jobs" && !parts[2].empty();
    if (job && parts.size() == 3)
        route = "/v1/jobs/{id}";
    else if (job && parts.size() == 4 && (parts[3] == "events" || parts[3] == "cancel"))
        route = "/v1/jobs/{id}/" + parts[3];
    else if (job && parts.size() == 5 && parts[3] == "download")
        route = "/v1/jobs/{id}/download/{kind}";
    return method + " " + route;
}

} // namespace mm::service
