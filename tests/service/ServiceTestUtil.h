#pragma once
// A real MixMaster server on an ephemeral 127.0.0.1 port, in this process, with its own
// data folder; short generated stems. The HTTP helpers (submit, poll) are HttpTestUtil.h's.
#include "HttpTestUtil.h"
#include "service/ApiServer.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>

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

/// Time budgets scale under the sanitizers (~5-10× slower).
std::chrono::seconds budget(int releaseSeconds);

} // namespace mm::test
