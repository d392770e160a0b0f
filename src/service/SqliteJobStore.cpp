#include "service/SqliteJobStore.h"

#include "core/Errors.h"

#include <sqlite3.h>

#include <chrono>

namespace mm::service {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  id            TEXT PRIMARY KEY,
  owner         TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
  stage         TEXT NOT NULL DEFAULT '',
  progress      REAL NOT NULL DEFAULT 0,
  error_code    TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  attempts      INTEGER NOT NULL DEFAULT 0,
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL,
  spec          TEXT NOT NULL,
  summary       TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS jobs_owner_created ON jobs (owner, created_ms);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
)sql";

constexpr const char* kColumns =
    "id, owner, status, stage, progress, error_code, error_message, attempts, created_ms, updated_ms, spec, summary";

/// A prepared statement, finalised on scope exit.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw InternalError(std::string("job store: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, const std::string& v)
    {
        sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, std::int64_t v)
    {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Statement& bind(int i, double v)
    {
        sqlite3_bind_double(stmt_, i, v);
        return *this;
    }
    /// True while a row is available.
    bool step()
    {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            throw InternalError(std::string("job store: ") + sqlite3_errmsg(db_));
        return false;
    }
    std::string text(int col) const
    {
        const auto* p = sqlite3_column_text(stmt_, col);
        return p ? reinterpret_cast<const char*>(p) : "";
    }
    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

JobRecord readRow(const Statement& s)
{
    JobRecord r;
    r.id = s.text(0);
    r.owner = s.text(1);
    r.status = s.text(2);
    r.stage = s.text(3);
    r.progress = s.real(4);
    r.errorCode = s.text(5);
    r.errorMessage = s.text(6);
    r.attempts = static_cast<int>(s.integer(7));
    r.createdMs = s.integer(8);
    r.updatedMs = s.integer(9);
    r.spec = nlohmann::json::parse(s.text(10), nullptr, false);
    r.summary = s.isNull(11) ? nlohmann::json(nullptr) : nlohmann::json::parse(s.text(11), nullptr, false);
    return r;
}

void exec(sqlite3* db, const char* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw InternalError("job store: " + msg);
    }
}

} // namespace

bool isTerminal(const std::string& s)
{
    return s == status::kSucceeded || s == status::kFailed || s == status::kCancelled;
}

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

SqliteJobStore::SqliteJobStore(const std::string& path)
{
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw InternalError("cannot open the job store " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    exec(db_, kSchema);
}

SqliteJobStore::~SqliteJobStore()
{
    sqlite3_close(db_);
}

void SqliteJobStore::create(const JobRecord& j)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "INSERT INTO jobs (id, owner, status, stage, progress, error_code, error_message, attempts, created_ms, "
                     "updated_ms, spec, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL)");
    s.bind(1, j.id).bind(2, j.owner).bind(3, j.status).bind(4, j.stage).bind(5, j.progress).bind(6, j.errorCode);
    s.bind(7, j.errorMessage).bind(8, static_cast<std::int64_t>(j.attempts)).bind(9, j.createdMs).bind(10, j.updatedMs);
    s.bind(11, j.spec.dump());
    s.step();
}

std::optional<JobRecord> SqliteJobStore::get(const std::string& id)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, (std::string("SELECT ") + kColumns + " FROM jobs WHERE id = ?1").c_str());
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return readRow(s);
}

std::vector<JobRecord> SqliteJobStore::list(const std::optional<std::string>& owner, int limit)
{
    std::lock_guard lock(mutex_);
    const std::string sql = std::string("SELECT ") + kColumns + " FROM jobs" + (owner ? " WHERE owner = ?2" : "") +
                            " ORDER BY created_ms DESC, rowid DESC LIMIT ?1";
    Statement s(db_, sql.c_str());
    s.bind(1, static_cast<std::int64_t>(limit));
    if (owner)
        s.bind(2, *owner);
    std::vector<JobRecord> out;
    while (s.step())
        out.push_back(readRow(s));
    return out;
}

bool SqliteJobStore::markRunning(const std::string& id)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "UPDATE jobs SET status = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, "
                     "updated_ms = ?2 WHERE id = ?1 AND status = 'queued'");
    s.bind(1, id).bind(2, nowMs());
    s.step();
    return sqlite3_changes(db_) == 1;
}

void SqliteJobStore::setProgress(const std::string& id, const std::string& stage, double progress)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "UPDATE jobs SET stage = ?2, progress = ?3, updated_ms = ?4 WHERE id = ?1 AND status = 'running'");
    s.bind(1, id).bind(2, stage).bind(3, progress).bind(4, nowMs());
    s.step();
}

void SqliteJobStore::finish(const std::string& id, const std::string& st, const std::string& errorCode,
                            const std::string& errorMessage, const nlohmann::json& summary)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "UPDATE jobs SET status = ?2, error_code = ?3, error_message = ?4, summary = ?5, updated_ms = ?6, "
                     "progress = CASE WHEN ?2 = 'succeeded' THEN 1.0 ELSE progress END, "
                     "stage = CASE WHEN ?2 = 'succeeded' THEN 'done' ELSE stage END WHERE id = ?1");
    s.bind(1, id).bind(2, st).bind(3, errorCode).bind(4, errorMessage).bind(5, summary.dump()).bind(6, nowMs());
    s.step();
}

bool SqliteJobStore::cancelQueued(const std::string& id)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "UPDATE jobs SET status = 'cancelled', updated_ms = ?2 WHERE id = ?1 AND status = 'queued'");
    s.bind(1, id).bind(2, nowMs());
    s.step();
    return sqlite3_changes(db_) == 1;
}

bool SqliteJobStore::remove(const std::string& id)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "DELETE FROM jobs WHERE id = ?1");
    s.bind(1, id);
    s.step();
    return sqlite3_changes(db_) == 1;
}

std::vector<std::string> SqliteJobStore::recover(int maxAttempts)
{
    std::lock_guard lock(mutex_);
    exec(db_, "BEGIN IMMEDIATE");
    try {
        {
            Statement s(db_, "UPDATE jobs SET status = 'failed', error_code = 'interrupted', error_message = 'the server stopped "
                             "while this job ran, ' || attempts || ' times; submit it again', updated_ms = ?2 "
                             "WHERE status = 'running' AND attempts >= ?1");
            s.bind(1, static_cast<std::int64_t>(maxAttempts)).bind(2, nowMs());
            s.step();
        }
        {
            Statement s(db_, "UPDATE jobs SET status = 'queued', stage = '', progress = 0, updated_ms = ?1 WHERE status = 'running'");
            s.bind(1, nowMs());
            s.step();
        }
        exec(db_, "COMMIT");
    } catch (...) {
        exec(db_, "ROLLBACK");
        throw;
    }
    Statement s(db_, "SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_ms, rowid");
    std::vector<std::string> ids;
    while (s.step())
        ids.push_back(s.text(0));
    return ids;
}

std::vector<std::string> SqliteJobStore::finishedBefore(std::int64_t beforeMs)
{
    std::lock_guard lock(mutex_);
    Statement s(db_, "SELECT id FROM jobs WHERE status IN ('succeeded','failed','cancelled') AND updated_ms < ?1");
    s.bind(1, beforeMs);
    std::vector<std::string> ids;
    while (s.step())
        ids.push_back(s.text(0));
    return ids;
}

std::map<std::string, int> SqliteJobStore::countByStatus()
{
    std::lock_guard lock(mutex_);
    std::map<std::string, int> counts{{status::kQueued, 0}, {status::kRunning, 0}, {status::kSucceeded, 0},
                                      {status::kFailed, 0}, {status::kCancelled, 0}};
    Statement s(db_, "SELECT status, COUNT(*) FROM jobs GROUP BY status");
    while (s.step())
        counts[s.text(0)] = static_cast<int>(s.integer(1));
    return counts;
}

} // namespace mm::service
