#pragma once
// A real MixMaster server on an ephemeral 127.0.0.1 port, in this process, with its own
// data folder; short generated stems; helpers to submit jobs and wait for them.
#include "service/ApiServer.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace mm::test {

/// Runs an ApiServer on a thread; stop() (or the destructor) waits for it to end.
class TestServer {
public:
    explicit TestServer(service::ServiceConfig config);
    ~TestServer() { stop(); }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    int port() const { return port_; }
    httplib::Client client() const;
    void stop();

private:
    std::unique_ptr<service::ApiServer> server_;
    std::thread thread_;
    int port_ = 0;
};

/// A config for tests: 127.0.0.1, any port, `dataDir`, 2 workers.
service::ServiceConfig testConfig(const std::string& dataDir);

/// Writes a 44.1 kHz 24-bit WAV stem of `seconds`: "drums" (kick/noise hits), "bass"
/// (low sines), "pad" (stereo pink noise). Returns the path.
std::string writeStem(const TempDir& dir, const std::string& name, const std::string& kind, double seconds);

struct StemFile {
    std::string name, path;
};
/// POST /v1/jobs with the given fields and stem files.
httplib::Result submitJob(httplib::Client& cli, const std::vector<std::pair<std::string, std::string>>& fields,
                          const std::vector<StemFile>& stems, const httplib::Headers& headers = {});

/// Parses a response body; a JSON null when it is not JSON.
nlohmann::json bodyJson(const httplib::Result& r);

/// Polls GET /v1/jobs/{id} until `pred(job)` or `timeout`; returns the last job JSON.
nlohmann::json waitForJob(httplib::Client& cli, const std::string& id, const std::function<bool(const nlohmann::json&)>& pred,
                          std::chrono::seconds timeout, const httplib::Headers& headers = {});
/// Until the job is succeeded, failed or cancelled.
nlohmann::json waitForEnd(httplib::Client& cli, const std::string& id, std::chrono::seconds timeout, const httplib::Headers& headers = {});

/// Time budgets scale under the sanitizers (~5-10× slower).
std::chrono::seconds budget(int releaseSeconds);

} // namespace mm::test
