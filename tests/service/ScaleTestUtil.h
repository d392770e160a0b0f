#pragma once
// Real servers for the scale-out tests, started on 127.0.0.1 ephemeral ports: PostgreSQL
// from Debian's postgresql package (initdb in a temporary folder; as an unprivileged user
// when the tests run as root, which initdb refuses), s3rver from web/node_modules (npm,
// pinned in web/package-lock.json), and `mixmaster serve` / `mixmaster worker` processes.
// A missing server binary fails the test with the reason: nothing is skipped silently.
#include "support/TempDir.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace mm::test {

/// A child process; its stdout and stderr go to `log`. Killed (SIGKILL) on destruction.
class Child {
public:
    Child() = default;
    Child(const std::vector<std::string>& argv, const std::string& log, const std::map<std::string, std::string>& env = {},
          bool dropRoot = false);
    ~Child();
    Child(Child&& o) noexcept : pid_(o.pid_), log_(std::move(o.log_)) { o.pid_ = -1; }
    Child& operator=(Child&& o) noexcept
    {
        if (this != &o) {
            if (pid_ > 0)
                stop(9, std::chrono::milliseconds(2000));
            pid_ = o.pid_;
            log_ = std::move(o.log_);
            o.pid_ = -1;
        }
        return *this;
    }
    Child(const Child&) = delete;
    int pid() const { return pid_; }
    const std::string& log() const { return log_; }
    bool alive();
    void signal(int sig);
    /// Sends `sig` and waits up to `timeout` for the exit, then SIGKILL. Returns the exit status.
    int stop(int sig, std::chrono::milliseconds timeout);

private:
    int pid_ = -1;
    std::string log_;
};

/// A TCP port free on 127.0.0.1 right now.
int freePort();
/// Polls a TCP connect to 127.0.0.1:port until it succeeds or `timeout`.
bool waitForPort(int port, std::chrono::milliseconds timeout);

class PostgresServer {
public:
    /// initdb + start; throws std::runtime_error (with the reason) when it cannot.
    explicit PostgresServer(const TempDir& dir);
    ~PostgresServer();
    std::string url() const;
    void start();
    /// Fast shutdown (SIGINT), as a restart's first half.
    void stop();

private:
    std::string bin_, data_, socketDir_, log_;
    int port_ = 0;
    Child proc_;
};

class S3Server {
public:
    /// s3rver with bucket `bucket`; throws std::runtime_error when node or s3rver is missing.
    S3Server(const TempDir& dir, const std::string& bucket);
    std::string storageUrl() const;
    std::string dataDir() const { return data_; }
    void start();
    void kill();

private:
    std::string node_, script_, data_, bucket_, log_;
    int port_ = 0;
    Child proc_;
};

/// The environment the mixmaster processes need for S3 (s3rver's fixed keys).
std::map<std::string, std::string> s3Env();

} // namespace mm::test
