#pragma once
// The embedded job store: one SQLite file in WAL mode with a STRICT table. One connection
// behind a mutex: the service's writes are small and few (progress is throttled by the
// workers), so serialising them costs nothing measurable.
#include "service/JobStore.h"

#include <mutex>

struct sqlite3;

namespace mm::service {

class SqliteJobStore final : public JobStore {
public:
    explicit SqliteJobStore(const std::string& path);
    ~SqliteJobStore() override;
    SqliteJobStore(const SqliteJobStore&) = delete;
    SqliteJobStore& operator=(const SqliteJobStore&) = delete;

    void create(const JobRecord& job) override;
    std::optional<JobRecord> get(const std::string& id) override;
    std::vector<JobRecord> list(const std::optional<std::string>& owner, int limit) override;
    bool markRunning(const std::string& id) override;
    void setProgress(const std::string& id, const std::string& stage, double progress) override;
    void finish(const std::string& id, const std::string& status, const std::string& errorCode,
                const std::string& errorMessage, const nlohmann::json& summary) override;
    bool cancelQueued(const std::string& id) override;
    bool remove(const std::string& id) override;
    std::vector<std::string> recover(int maxAttempts) override;
    std::vector<std::string> finishedBefore(std::int64_t beforeMs) override;
    std::map<std::string, int> countByStatus() override;

private:
    std::mutex mutex_;
    sqlite3* db_ = nullptr;
};

} // namespace mm::service
