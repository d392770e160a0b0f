#pragma once
// The job store, blob store and job queue a ServiceConfig names: SQLite + a local folder
// + the in-process WorkerPool by default; PostgreSQL (shared queue) and S3 for scale-out.
#include "service/BlobStore.h"
#include "service/JobQueue.h"
#include "service/JobStore.h"
#include "service/Metrics.h"
#include "service/ServiceConfig.h"

#include <memory>

namespace mm::service {

bool isPostgresUrl(const std::string& db);
bool isS3Url(const std::string& storage);

/// InputError for an unknown URL; StoreUnavailable when PostgreSQL cannot be reached.
std::unique_ptr<JobStore> openJobStore(const ServiceConfig& config);
/// Local scratch for S3 is dataDir/scratch.
std::unique_ptr<BlobStore> openBlobStore(const ServiceConfig& config);
/// WorkerPool over SQLite; SharedQueue (with config.workers in-process queue workers) over PostgreSQL.
std::unique_ptr<JobQueue> openJobQueue(const ServiceConfig& config, JobStore& store, BlobStore& blobs, Metrics& metrics);

} // namespace mm::service
