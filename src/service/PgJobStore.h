#pragma once
// The scale-out job store and queue: PostgreSQL (libpqxx), the schema `mixmaster`
// brought to the current version by PgMigrations at connect. The queue is the jobs table
// itself: a worker claims the oldest queued row with SELECT … FOR UPDATE SKIP LOCKED
// and holds it under a lease (lease_until, the database's clock) that its heartbeat
// renews; a row whose lease ran out is queued again (or failed after kMaxAttempts
// starts) by whichever worker looks next. NOTIFY mixmaster_jobs wakes idle workers.
//
// Connections come from a small pool; a broken one is dropped and the statement retried
// once on a fresh connection, so a restarted server costs callers one failed call at most.
#include "service/JobStore.h"

#include <pqxx/connection>

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>


namespace mm::service {

/// The database cannot be reached (or answered with an error): retry later.
class StoreUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Claim {
    std::string id;
    int attempts = 0;
};

enum class LeaseState { Held, CancelRequested, Lost };

class PgJobStore final : public JobStore {
public:
    /// Connects (postgres://… or a libpq key=value string) and migrates the schema.
    /// StoreUnavailable when the server cannot be reached.
    explicit PgJobStore(std::string url);
    ~PgJobStore() override;
    PgJobStore(const PgJobStore&) = delete;
    PgJobStore& operator=(const PgJobStore&) = delete;

    void create(const JobRecord& job) override;
    std::optional<JobRecord> get(const std::string& id) override;
    std::vector<JobRecord> list(const std::optional<std::string>& owner, int limit) override;
    bool markRunning(const std::string& id) override;
    void setProgress(const std::string& id, const std::string& stage, double progress) override;
    void finish(const std::string& id, const std::string& status, const std::string& errorCode,
                const std::string& errorMessage, const nlohmann::json& summary) override;
    bool cancelQueued(const std::string& id) override;
    bool remove(const std::string& id) override;
    /// Expired leases only (other workers may hold live ones); returns none: workers claim.
    std::vector<std::string> recover(int maxAttempts) override;
    std::vector<std::string> finishedBefore(std::int64_t beforeMs) override;
    std::map<std::string, int> countByStatus() override;

    // The queue.
    /// The oldest queued job due now → running under `worker`'s lease, attempts + 1.
    std::optional<Claim> claim(const std::string& worker, std::chrono::milliseconds lease);
    /// Extends the lease; says whether a cancel was asked for or the job is no longer ours.
    LeaseState heartbeat(const std::string& id, const std::string& worker, std::chrono::milliseconds lease);
    /// finish() if `worker` still holds the job; false when it lost it (expired, deleted).
    bool finishOwned(const std::string& id, const std::string& worker, const std::string& status, const std::string& errorCode,
                     const std::string& errorMessage, const nlohmann::json& summary);
    /// Back to the queue after a transient failure, due again after `delay`; the reason
    /// stays visible in the error fields. False when `worker` no longer holds it.
    bool release(const std::string& id, const std::string& worker, const std::string& errorCode, const std::string& errorMessage,
                 std::chrono::milliseconds delay);
    /// Expired leases: queued again, or failed once they had `maxAttempts` starts. Returns how many.
    int reapExpired(int maxAttempts);
    /// Marks a running job for cancellation; its worker sees it at the next heartbeat.
    bool requestCancel(const std::string& id);
    int countWithStatus(const std::string& status);
    const std::string& url() const { return url_; }

private:
    /// Runs f(pqxx::work&) in a transaction and commits; one retry on a broken connection.
    template <class F>
    auto transact(F&& f);
    std::unique_ptr<pqxx::connection> acquire();
    void giveBack(std::unique_ptr<pqxx::connection> c);

    std::string url_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
};

/// Waits for NOTIFY mixmaster_jobs on its own connection (one per idle worker).
class PgListener {
public:
    explicit PgListener(std::string url);
    ~PgListener();
    PgListener(const PgListener&) = delete;
    PgListener& operator=(const PgListener&) = delete;
    /// True when a notification came within `timeout`; reconnects after a failure (false).
    bool wait(std::chrono::milliseconds timeout);

private:
    struct State;
    std::string url_;
    std::unique_ptr<State> state_;
};

/// A libpq URL with a connect timeout (3 s) added when it has none.
std::string withConnectTimeout(const std::string& url);

/// Brings the `mixmaster` schema to the newest version this build knows, in one
/// transaction under an advisory lock (many processes may start at once). InputError
/// when the database's schema is newer than this build.
void migrate(pqxx::connection& c);
/// The newest schema version this build knows.
int latestSchemaVersion();

} // namespace mm::service
