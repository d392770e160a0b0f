#pragma once
// Where jobs live between the HTTP handlers and the workers. One small interface, so the
// scale-out backends (PostgreSQL) can replace the embedded one (SqliteJobStore) without
// touching handlers or workers.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm::service {

namespace status {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kSucceeded = "succeeded";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kCancelled = "cancelled";
} // namespace status

/// True for succeeded, failed and cancelled: nothing will change any more.
bool isTerminal(const std::string& status);

struct JobRecord {
    std::string id;
    std::string owner;          ///< SHA-256 hex of the API key that made it; "" without keys
    std::string status = status::kQueued;
    std::string stage;
    double progress = 0.0;      ///< 0..1 over the whole job
    std::string errorCode, errorMessage;
    int attempts = 0;           ///< times a worker started it
    std::int64_t createdMs = 0, updatedMs = 0; ///< Unix time, milliseconds
    nlohmann::json spec = nlohmann::json::object();
    nlohmann::json summary = nullptr;
};

/// Milliseconds since the Unix epoch.
std::int64_t nowMs();

class JobStore {
public:
    virtual ~JobStore() = default;
    virtual void create(const JobRecord& job) = 0;
    virtual std::optional<JobRecord> get(const std::string& id) = 0;
    /// Newest first; `owner` filters when keys are in use (nullopt: every job).
    virtual std::vector<JobRecord> list(const std::optional<std::string>& owner, int limit) = 0;
    /// queued → running, attempts + 1. False when the job is no longer queued (cancelled, deleted).
    virtual bool markRunning(const std::string& id) = 0;
    virtual void setProgress(const std::string& id, const std::string& stage, double progress) = 0;
    /// Final state: succeeded (summary), failed (error) or cancelled.
    virtual void finish(const std::string& id, const std::string& status, const std::string& errorCode,
                        const std::string& errorMessage, const nlohmann::json& summary) = 0;
    /// queued → cancelled. False when the job was not queued.
    virtual bool cancelQueued(const std::string& id) = 0;
    virtual bool remove(const std::string& id) = 0;
    /// After a restart: jobs left running are queued again, unless they already had
    /// `maxAttempts` starts (then failed). Returns the queued jobs' ids, oldest first.
    virtual std::vector<std::string> recover(int maxAttempts) = 0;
    /// Ids of finished jobs last updated before `beforeMs`.
    virtual std::vector<std::string> finishedBefore(std::int64_t beforeMs) = 0;
    virtual std::map<std::string, int> countByStatus() = 0;
};

} // namespace mm::service
