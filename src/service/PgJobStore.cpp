#include "service/PgJobStore.h"

#include "core/Errors.h"

#include <pqxx/pqxx>

#include <spdlog/spdlog.h>

#include <thread>

namespace mm::service {
namespace {

constexpr const char* kColumns =
    "id, owner, status, stage, progress, error_code, error_message, attempts, created_ms, updated_ms, spec, summary";
constexpr std::size_t kMaxIdle = 8;

JobRecord readRow(const pqxx::row& r)
{
    JobRecord j;
    j.id = r[0].as<std::string>();
    j.owner = r[1].as<std::string>();
    j.status = r[2].as<std::string>();
    j.stage = r[3].as<std::string>();
    j.progress = r[4].as<double>();
    j.errorCode = r[5].as<std::string>();
    j.errorMessage = r[6].as<std::string>();
    j.attempts = r[7].as<int>();
    j.createdMs = r[8].as<std::int64_t>();
    j.updatedMs = r[9].as<std::int64_t>();
    j.spec = nlohmann::json::parse(r[10].as<std::string>(), nullptr, false);
    if (!r[11].is_null())
        j.summary = nlohmann::json::parse(r[11].as<std::string>(), nullptr, false);
    return j;
}

long long ms(std::chrono::milliseconds d)
{
    return static_cast<long long>(d.count());
}

} // namespace

std::string withConnectTimeout(const std::string& url)
{
    if (url.find("connect_timeout") != std::string::npos)
        return url;
    if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0)
        return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=3";
    return url + " connect_timeout=3";
}

PgJobStore::PgJobStore(std::string url) : url_(withConnectTimeout(url))
{
    try {
        auto c = std::make_unique<pqxx::connection>(url_);
        migrate(*c);
        giveBack(std::move(c));
    } catch (const pqxx::broken_connection& e) {
        throw StoreUnavailable(std::string("cannot reach the PostgreSQL job store: ") + e.what());
    }
}

PgJobStore::~PgJobStore() = default;

std::unique_ptr<pqxx::connection> PgJobStore::acquire()
{
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
    }
    return std::make_unique<pqxx::connection>(url_);
}

void PgJobStore::giveBack(std::unique_ptr<pqxx::connection> c)
{
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle && c->is_open())
        idle_.push_back(std::move(c));
}

template <class F>
auto PgJobStore::transact(F&& f)
{
    for (int attempt = 1;; ++attempt) {
        std::unique_ptr<pqxx::connection> c;
        try {
            c = acquire();
            pqxx::work w(*c);
            auto out = f(w);
            w.commit();
            giveBack(std::move(c));
            return out;
        } catch (const pqxx::in_doubt_error& e) {
            throw StoreUnavailable(std::string("the job store lost the connection while committing: ") + e.what());
        } catch (const pqxx::broken_connection& e) {
            // Pooled connections die together when the server restarts: drop them all.
            {
                std::lock_guard lock(mutex_);
                idle_.clear();
            }
            if (attempt >= 2)
                throw StoreUnavailable(std::string("cannot reach the PostgreSQL job store: ") + e.what());
        } catch (const pqxx::sql_error& e) {
            // e.g. "terminating connection due to administrator command" during a restart.
            if (std::string(e.sqlstate()).rfind("57P", 0) == 0 || std::string(e.sqlstate()).rfind("08", 0) == 0) {
                std::lock_guard lock(mutex_);
                idle_.clear();
                if (attempt >= 2)
                    throw StoreUnavailable(std::string("the PostgreSQL job store is unavailable: ") + e.what());
                continue;
            }
            giveBack(std::move(c));
            throw;
        }
    }
}

void PgJobStore::create(const JobRecord& j)
{
    transact([&](pqxx::work& w) {
        w.exec_params0("INSERT INTO mixmaster.jobs (id, owner, status, stage, progress, error_code, error_message, attempts, "
                       "created_ms, updated_ms, spec) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                       j.id, j.owner, j.status, j.stage, j.progress, j.errorCode, j.errorMessage, j.attempts,
                       static_cast<long long>(j.createdMs), static_cast<long long>(j.updatedMs), j.spec.dump());
        // Delivered at commit: idle workers wake and claim it.
        w.exec0("NOTIFY mixmaster_jobs");
        return 0;
    });
}

std::optional<JobRecord> PgJobStore::get(const std::string& id)
{
    return transact([&](pqxx::work& w) -> std::optional<JobRecord> {
        const auto r = w.exec_params(std::string("SELECT ") + kColumns + " FROM mixmaster.jobs WHERE id = $1", id);
        if (r.empty())
            return std::nullopt;
        return readRow(r[0]);
    });
}

std::vector<JobRecord> PgJobStore::list(const std::optional<std::string>& owner, int limit)
{
    return transact([&](pqxx::work& w) {
        const std::string sql = std::string("SELECT ") + kColumns + " FROM mixmaster.jobs" +
                                (owner ? " WHERE owner = $2" : " WHERE $2::text = $2::text") + " ORDER BY created_ms DESC, id DESC LIMIT $1";
        const auto r = w.exec_params(sql, limit, owner.value_or(""));
        std::vector<JobRecord> out;
        for (const auto& row : r)
            out.push_back(readRow(row));
        return out;
    });
}

bool PgJobStore::markRunning(const std::string& id)
{
    return transact([&](pqxx::work& w) {
        return w.exec_params("UPDATE mixmaster.jobs SET status = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, "
                             "updated_ms = $2 WHERE id = $1 AND status = 'queued'",
                             id, static_cast<long long>(nowMs()))
                   .affected_rows() == 1;
    });
}

void PgJobStore::setProgress(const std::string& id, const std::string& stage, double progress)
{
    transact([&](pqxx::work& w) {
        w.exec_params0("UPDATE mixmaster.jobs SET stage = $2, progress = $3, updated_ms = $4 WHERE id = $1 AND status = 'running'", id,
                       stage, progress, static_cast<long long>(nowMs()));
        return 0;
    });
}

namespace {
constexpr const char* kFinishSet =
    "status = $2, error_code = $3, error_message = $4, summary = $5, updated_ms = $6, worker = NULL, lease_until = NULL, "
    "progress = CASE WHEN $2 = 'succeeded' THEN 1.0 ELSE progress END, "
    "stage = CASE WHEN $2 = 'succeeded' THEN 'done' ELSE stage END";
}

void PgJobStore::finish(const std::string& id, const std::string& st, const std::string& errorCode, const std::string& errorMessage,
                        const nlohmann::json& summary)
{
    transact([&](pqxx::work& w) {
        w.exec_params0(std::string("UPDATE mixmaster.jobs SET ") + kFinishSet + " WHERE id = $1", id, st, errorCode, errorMessage,
                       summary.dump(), static_cast<long long>(nowMs()));
        return 0;
    });
}

bool PgJobStore::finishOwned(const std::string& id, const std::string& worker, const std::string& st, const std::string& errorCode,
                             const std::string& errorMessage, const nlohmann::json& summary)
{
    return transact([&](pqxx::work& w) {
        return w.exec_params(std::string("UPDATE mixmaster.jobs SET ") + kFinishSet +
                                 " WHERE id = $1 AND worker = $7 AND status = 'running'",
                             id, st, errorCode, errorMessage, summary.dump(), static_cast<long long>(nowMs()), worker)
                   .affected_rows() == 1;
    });
}

bool PgJobStore::cancelQueued(const std::string& id)
{
    return transact([&](pqxx::work& w) {
        return w.exec_params("UPDATE mixmaster.jobs SET status = 'cancelled', updated_ms = $2, lease_until = NULL "
                             "WHERE id = $1 AND status = 'queued'",
                             id, static_cast<long long>(nowMs()))
                   .affected_rows() == 1;
    });
}

bool PgJobStore::requestCancel(const std::string& id)
{
    return transact([&](pqxx::work& w) {
        return w.exec_params("UPDATE mixmaster.jobs SET cancel_requested = true WHERE id = $1 AND status = 'running'", id)
                   .affected_rows() == 1;
    });
}

bool PgJobStore::remove(const std::string& id)
{
    return transact([&](pqxx::work& w) {
        return w.exec_params("DELETE FROM mixmaster.jobs WHERE id = $1", id).affected_rows() == 1;
    });
}

std::vector<std::string> PgJobStore::recover(int maxAttempts)
{
    reapExpired(maxAttempts);
    return {};
}

std::vector<std::string> PgJobStore::finishedBefore(std::int64_t beforeMs)
{
    return transact([&](pqxx::work& w) {
        std::vector<std::string> ids;
        for (const auto& row : w.exec_params("SELECT id FROM mixmaster.jobs WHERE status IN ('succeeded','failed','cancelled') "
                                             "AND updated_ms < $1",
                                             static_cast<long long>(beforeMs)))
            ids.push_back(row[0].as<std::string>());
        return ids;
    });
}

std::map<std::string, int> PgJobStore::countByStatus()
{
    return transact([&](pqxx::work& w) {
        std::map<std::string, int> counts{{status::kQueued, 0}, {status::kRunning, 0}, {status::kSucceeded, 0},
                                          {status::kFailed, 0}, {status::kCancelled, 0}};
        for (const auto& row : w.exec("SELECT status, count(*) FROM mixmaster.jobs GROUP BY status"))
            counts[row[0].as<std::string>()] = row[1].as<int>();
        return counts;
    });
}

int PgJobStore::countWithStatus(const std::string& st)
{
    return transact([&](pqxx::work& w) {
        return w.exec_params1("SELECT count(*) FROM mixmaster.jobs WHERE status = $1", st)[0].as<int>();
    });
}

std::optional<Claim> PgJobStore::claim(const std::string& worker, std::chrono::milliseconds lease)
{
    return transact([&](pqxx::work& w) -> std::optional<Claim> {
        // SKIP LOCKED: concurrent claimers each get a different row, nobody waits.
        const auto r = w.exec_params(
            "UPDATE mixmaster.jobs SET status = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, "
            "worker = $1, lease_until = now() + $2 * interval '1 millisecond', cancel_requested = false, updated_ms = $3 "
            "WHERE id = (SELECT id FROM mixmaster.jobs WHERE status = 'queued' AND (lease_until IS NULL OR lease_until <= now()) "
            "ORDER BY created_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, attempts",
            worker, ms(lease), static_cast<long long>(nowMs()));
        if (r.empty())
            return std::nullopt;
        return Claim{r[0][0].as<std::string>(), r[0][1].as<int>()};
    });
}

LeaseState PgJobStore::heartbeat(const std::string& id, const std::string& worker, std::chrono::milliseconds lease)
{
    return transact([&](pqxx::work& w) {
        const auto r = w.exec_params("UPDATE mixmaster.jobs SET lease_until = now() + $3 * interval '1 millisecond' "
                                     "WHERE id = $1 AND worker = $2 AND status = 'running' RETURNING cancel_requested",
                                     id, worker, ms(lease));
        if (r.empty())
            return LeaseState::Lost;
        return r[0][0].as<bool>() ? LeaseState::CancelRequested : LeaseState::Held;
    });
}

bool PgJobStore::release(const std::string& id, const std::string& worker, const std::string& errorCode,
                         const std::string& errorMessage, std::chrono::milliseconds delay)
{
    return transact([&](pqxx::work& w) {
        const bool ok = w.exec_params("UPDATE mixmaster.jobs SET status = 'queued', stage = '', progress = 0, worker = NULL, "
                                      "lease_until = now() + $5 * interval '1 millisecond', error_code = $3, error_message = $4, "
                                      "updated_ms = $6 WHERE id = $1 AND worker = $2 AND status = 'running'",
                                      id, worker, errorCode, errorMessage, ms(delay), static_cast<long long>(nowMs()))
                            .affected_rows() == 1;
        return ok;
    });
}

int PgJobStore::reapExpired(int maxAttempts)
{
    return transact([&](pqxx::work& w) {
        const auto failed = w.exec_params(
            "UPDATE mixmaster.jobs SET status = 'failed', error_code = 'worker_lost', error_message = 'the worker running this job "
            "stopped answering (lease expired) ' || attempts || ' times; submit it again', worker = NULL, lease_until = NULL, "
            "updated_ms = $2 WHERE status = 'running' AND lease_until < now() AND attempts >= $1",
            maxAttempts, static_cast<long long>(nowMs()));
        const auto requeued = w.exec_params(
            "UPDATE mixmaster.jobs SET status = 'queued', stage = '', progress = 0, worker = NULL, lease_until = NULL, "
            "updated_ms = $1 WHERE status = 'running' AND lease_until < now() RETURNING id",
            static_cast<long long>(nowMs()));
        for (const auto& row : requeued)
            spdlog::warn("job {}: its worker's lease expired; queued again", row[0].as<std::string>());
        if (!requeued.empty())
            w.exec0("NOTIFY mixmaster_jobs");
        return static_cast<int>(failed.affected_rows() + requeued.affected_rows());
    });
}

// --- LISTEN ------------------------------------------------------------------------

namespace {
class Wakeup final : public pqxx::notification_receiver {
public:
    Wakeup(pqxx::connection_base& c, bool& flag) : pqxx::notification_receiver(c, "mixmaster_jobs"), flag_(flag) {}
    void operator()(const std::string&, int) override { flag_ = true; }

private:
    bool& flag_;
};
} // namespace

struct PgListener::State {
    explicit State(const std::string& url) : conn(url), wakeup(conn, woken) {}
    pqxx::connection conn;
    bool woken = false;
    Wakeup wakeup;
};

PgListener::PgListener(std::string url) : url_(withConnectTimeout(url)) {}

PgListener::~PgListener() = default;

bool PgListener::wait(std::chrono::milliseconds timeout)
{
    try {
        if (!state_)
            state_ = std::make_unique<State>(url_);
        state_->woken = false;
        const auto t0 = std::chrono::steady_clock::now();
        const auto us = timeout.count() * 1000;
        state_->conn.await_notification(static_cast<long>(us / 1000000), static_cast<long>(us % 1000000));
        if (state_->woken)
            return true;
        // An early return without a notification: the connection died (server restart).
        const auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        if (left > timeout / 2) {
            state_.reset();
            std::this_thread::sleep_for(left);
        }
        return false;
    } catch (const std::exception& e) {
        spdlog::debug("listener: {}", e.what());
        state_.reset();
        std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1000)));
        return false;
    }
}

} // namespace mm::service
