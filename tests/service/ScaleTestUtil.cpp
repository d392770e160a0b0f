#include "ScaleTestUtil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace mm::test {
namespace {

struct Unprivileged {
    uid_t uid;
    gid_t gid;
};

/// nobody:nogroup when running as root (initdb refuses root), else nothing to change.
std::optional<Unprivileged> unprivilegedUser()
{
    if (geteuid() != 0)
        return std::nullopt;
    const passwd* pw = getpwnam("nobody");
    if (!pw)
        throw std::runtime_error("running as root and there is no user `nobody` to run PostgreSQL as");
    return Unprivileged{pw->pw_uid, pw->pw_gid};
}

std::string findFirst(const std::vector<std::string>& candidates)
{
    for (const auto& c : candidates)
        if (!c.empty() && access(c.c_str(), X_OK) == 0)
            return c;
    return "";
}

std::string postgresBinDir()
{
    std::vector<std::string> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec))
        dirs.push_back((e.path() / "bin").string());
    std::sort(dirs.rbegin(), dirs.rend()); // newest major version first
    for (const auto& d : dirs)
        if (access((d + "/initdb").c_str(), X_OK) == 0 && access((d + "/postgres").c_str(), X_OK) == 0)
            return d;
    throw std::runtime_error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install the Debian package "
                             "`postgresql` (scripts/setup.sh does)");
}

} // namespace

Child::Child(const std::vector<std::string>& argv, const std::string& log, const std::map<std::string, std::string>& env, bool dropRoot)
    : log_(log)
{
    const auto user = dropRoot ? unprivilegedUser() : std::nullopt;
    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        setpgid(0, 0);
        for (const auto& [k, v] : env)
            setenv(k.c_str(), v.c_str(), 1);
        if (user) {
            if (setgroups(0, nullptr) != 0 || setgid(user->gid) != 0 || setuid(user->uid) != 0)
                _exit(126);
        }
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
}

Child::~Child()
{
    if (pid_ > 0)
        stop(SIGKILL, std::chrono::milliseconds(2000));
}

bool Child::alive()
{
    if (pid_ <= 0)
        return false;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

void Child::signal(int sig)
{
    if (pid_ > 0)
        ::kill(pid_, sig);
}

int Child::stop(int sig, std::chrono::milliseconds timeout)
{
    if (pid_ <= 0)
        return -1;
    ::kill(pid_, sig);
    const auto end = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_)
            break;
        if (std::chrono::steady_clock::now() > end) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return status;
}

int freePort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        close(fd);
        throw std::runtime_error("no free port");
    }
    close(fd);
    return ntohs(a.sin_port);
}

bool waitForPort(int port, std::chrono::milliseconds timeout)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        close(fd);
        if (ok)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

PostgresServer::PostgresServer(const TempDir& dir)
{
    bin_ = postgresBinDir();
    const fs::path root = dir.path() / "pg";
    fs::create_directories(root);
    data_ = (root / "data").string();
    socketDir_ = root.string();
    log_ = (root / "postgres.log").string();
    if (const auto user = unprivilegedUser()) {
        // The test's temp folder is root's: let the server's user through to its own.
        if (chown(root.c_str(), user->uid, user->gid) != 0 || chmod(dir.path().c_str(), 0755) != 0)
            throw std::runtime_error("cannot hand " + root.string() + " to the user PostgreSQL runs as");
    }
    {
        Child init({bin_ + "/initdb", "-D", data_, "-U", "mixmaster", "--auth=trust", "-E", "UTF8", "--no-sync"},
                   (root / "initdb.log").string(), {}, true);
        const int st = init.stop(0, std::chrono::milliseconds(60000));
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            throw std::runtime_error("initdb failed: " + readText((root / "initdb.log").string()));
    }
    port_ = freePort();
    start();
}

PostgresServer::~PostgresServer()
{
    stop();
}

std::string PostgresServer::url() const
{
    return "postgres://mixmaster@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

void PostgresServer::start()
{
    proc_ = Child({bin_ + "/postgres", "-D", data_, "-p", std::to_string(port_), "-k", socketDir_, "-c", "listen_addresses=127.0.0.1",
                   "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"},
                  log_, {}, true);
    if (!waitForPort(port_, std::chrono::milliseconds(30000)))
        throw std::runtime_error("PostgreSQL did not start: " + readText(log_));
    // Accepting TCP precedes accepting logins by a moment: the callers retry anyway.
}

void PostgresServer::stop()
{
    proc_.stop(SIGINT, std::chrono::milliseconds(20000));
}

S3Server::S3Server(const TempDir& dir, const std::string& bucket) : bucket_(bucket)
{
    node_ = findFirst({"/usr/bin/node", "/usr/local/bin/node"});
    if (node_.empty())
        if (const char* path = std::getenv("PATH")) {
            std::stringstream ss(path);
            for (std::string d; std::getline(ss, d, ':') && node_.empty();)
                node_ = findFirst({d + "/node"});
        }
    if (node_.empty())
        throw std::runtime_error("node (Node.js) not found on PATH: the S3 test server s3rver needs it");
    script_ = std::string(MIXMASTER_SOURCE_DIR) + "/web/node_modules/s3rver/bin/s3rver.js";
    if (access(script_.c_str(), R_OK) != 0)
        throw std::runtime_error(script_ + " not found: run `npm ci` in web/ (s3rver is pinned in web/package-lock.json)");
    data_ = (dir.path() / "s3").string();
    fs::create_directories(data_);
    log_ = (dir.path() / "s3rver.log").string();
    port_ = freePort();
    start();
}

std::string S3Server::storageUrl() const
{
    return "s3://" + bucket_ + "?endpoint=http://127.0.0.1:" + std::to_string(port_);
}

void S3Server::start()
{
    proc_ = Child({node_, script_, "-d", data_, "-a", "127.0.0.1", "-p", std::to_string(port_), "--configure-bucket", bucket_, "--silent"},
                  log_);
    if (!waitForPort(port_, std::chrono::milliseconds(30000)))
        throw std::runtime_error("s3rver did not start: " + readText(log_));
}

void S3Server::kill()
{
    proc_.stop(SIGKILL, std::chrono::milliseconds(5000));
}

std::map<std::string, std::string> s3Env()
{
    return {{"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"}, {"AWS_REGION", "us-east-1"}};
}

} // namespace mm::test
