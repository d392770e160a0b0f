// The `mixmaster` schema's versions. A migration is appended, never edited: a database
// records the versions it has (mixmaster.schema_migrations) and gets only the newer ones.
#include "core/Errors.h"
#include "service/PgJobStore.h"

#include <pqxx/pqxx>

namespace mm::service {
namespace {

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "jobs and queue", R"sql(
CREATE TABLE mixmaster.jobs (
    id            text PRIMARY KEY,
    owner         text NOT NULL DEFAULT '',
    status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    stage         text NOT NULL DEFAULT '',
    progress      double precision NOT NULL DEFAULT 0,
    error_code    text NOT NULL DEFAULT '',
    error_message text NOT NULL DEFAULT '',
    attempts      integer NOT NULL DEFAULT 0,
    created_ms    bigint NOT NULL,
    updated_ms    bigint NOT NULL,
    spec          text NOT NULL,
    summary       text,
    -- the queue: who holds a running job and until when (the database's clock); for a
    -- queued job lease_until is "not before" (a retry's backoff)
    worker        text,
    lease_until   timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false
);
CREATE INDEX jobs_queued ON mixmaster.jobs (created_ms, id) WHERE status = 'queued';
CREATE INDEX jobs_leases ON mixmaster.jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_owner ON mixmaster.jobs (owner, created_ms DESC);
CREATE INDEX jobs_finished ON mixmaster.jobs (updated_ms) WHERE status IN ('succeeded', 'failed', 'cancelled');
)sql"},
};

// Any 64-bit constant: serialises concurrent migrations across processes.
constexpr long long kMigrationLock = 0x6d69786d61737472LL;

} // namespace

int latestSchemaVersion()
{
    return kMigrations[std::size(kMigrations) - 1].version;
}

void migrate(pqxx::connection& c)
{
    pqxx::work w(c);
    w.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    w.exec0("CREATE SCHEMA IF NOT EXISTS mixmaster");
    w.exec0("CREATE TABLE IF NOT EXISTS mixmaster.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())");
    const int current = w.exec1("SELECT coalesce(max(version), 0) FROM mixmaster.schema_migrations")[0].as<int>();
    if (current > latestSchemaVersion())
        throw InputError("the database's mixmaster schema is version " + std::to_string(current) + ", newer than this build's " +
                         std::to_string(latestSchemaVersion()) + ": upgrade mixmaster");
    for (const auto& m : kMigrations) {
        if (m.version <= current)
            continue;
        w.exec0(m.sql);
        w.exec_params0("INSERT INTO mixmaster.schema_migrations (version, name) VALUES ($1, $2)", m.version, std::string(m.name));
    }
    w.commit();
}

} // namespace mm::service
