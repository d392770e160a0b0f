#include "HttpTestUtil.h"

#include "support/TempDir.h"

#include <thread>

namespace mm::test {

httplib::Result submitJob(httplib::Client& cli, const std::vector<std::pair<std::string, std::string>>& fields,
                          const std::vector<StemFile>& stems, const httplib::Headers& headers)
{
    httplib::MultipartFormDataItems items;
    for (const auto& [k, v] : fields)
        items.push_back({k, v, "", ""});
    for (const auto& s : stems)
        items.push_back({s.name, readText(s.path), s.name, "audio/wav"});
    return cli.Post("/v1/jobs", headers, items);
}

nlohmann::json bodyJson(const httplib::Result& r)
{
    if (!r)
        return nullptr;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

std::string errorCode(const httplib::Result& r)
{
    const auto j = bodyJson(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", std::string()) : std::string("<no JSON error>");
}

std::string bodyOf(httplib::Client& cli, const std::string& path)
{
    auto r = cli.Get(path);
    if (r && r->status == 200)
        return r->body;
    std::string err = "<HTTP ";
    err += r ? std::to_string(r->status) : std::string("error");
    return err + ">";
}

nlohmann::json waitForJob(httplib::Client& cli, const std::string& id, const std::function<bool(const nlohmann::json&)>& pred,
                          std::chrono::seconds timeout, const httplib::Headers& headers)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    nlohmann::json last;
    while (std::chrono::steady_clock::now() < end) {
        auto r = cli.Get("/v1/jobs/" + id, headers);
        last = bodyJson(r);
        if (last.is_object() && pred(last))
            return last;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return last;
}

nlohmann::json waitForEnd(httplib::Client& cli, const std::string& id, std::chrono::seconds timeout, const httplib::Headers& headers)
{
    return waitForJob(
        cli, id,
        [](const nlohmann::json& j) {
            const auto s = j.value("status", std::string());
            return s == "succeeded" || s == "failed" || s == "cancelled";
        },
        timeout, headers);
}

} // namespace mm::test
