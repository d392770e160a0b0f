#include "service/Backends.h"

#include "core/Errors.h"
#include "service/PgJobStore.h"
#include "service/S3BlobStore.h"
#include "service/SharedQueue.h"
#include "service/SqliteJobStore.h"
#include "service/WorkerPool.h"

#include <algorithm>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace mm::service {

bool isPostgresUrl(const std::string& db)
{
    return db.rfind("postgres://", 0) == 0 || db.rfind("postgresql://", 0) == 0;
}

bool isS3Url(const std::string& storage)
{
    return storage.rfind("s3://", 0) == 0;
}

std::unique_ptr<JobStore> openJobStore(const ServiceConfig& config)
{
    if (isPostgresUrl(config.db))
        return std::make_unique<PgJobStore>(config.db);
    std::string path = (fs::path(config.dataDir) / "jobs.sqlite3").string();
    if (config.db.rfind("sqlite:", 0) == 0)
        path = config.db.substr(7);
    else if (!config.db.empty())
        throw InputError("--db `" + config.db + "`: use postgres://USER@HOST:PORT/DB or sqlite:PATH");
    return std::make_unique<SqliteJobStore>(path);
}

std::unique_ptr<BlobStore> openBlobStore(const ServiceConfig& config)
{
    if (isS3Url(config.storage))
        return std::make_unique<S3BlobStore>(parseS3Url(config.storage), fs::path(config.dataDir) / "scratch");
    if (config.storage.find("://") != std::string::npos)
        throw InputError("--storage `" + config.storage + "`: use s3://BUCKET?endpoint=URL or a folder");
    return std::make_unique<LocalBlobStore>(config.storage.empty() ? config.dataDir : config.storage);
}

std::unique_ptr<JobQueue> openJobQueue(const ServiceConfig& config, JobStore& store, BlobStore& blobs, Metrics& metrics)
{
    if (auto* pg = dynamic_cast<PgJobStore*>(&store)) {
        QueueWorkerOptions o;
        o.lease = std::chrono::milliseconds(static_cast<long long>(config.leaseSeconds * 1000.0));
        o.heartbeat = std::min(std::chrono::milliseconds(500), o.lease / 4);
        o.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, config.workers));
        return std::make_unique<SharedQueue>(*pg, blobs, metrics, config.workers, config.queueCapacity, o);
    }
    if (config.workers < 1)
        throw InputError("--workers 0 needs a shared queue (--db postgres://…): nothing else would run the jobs");
    return std::make_unique<WorkerPool>(store, blobs, metrics, config.workers, config.queueCapacity);
}

} // namespace mm::service
