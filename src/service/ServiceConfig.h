#pragma once
// Everything `mixmaster serve` can be told (flags or MIXMASTER_* environment variables).
#include <cstddef>
#include <string>
#include <vector>

namespace mm::service {

struct ServiceConfig {
    std::string host = "127.0.0.1";
    int port = 8000;                 ///< 0: any free port (tests)
    std::string dataDir = "mixmaster-data"; ///< jobs.sqlite3 and jobs/<id>/
    int workers = 2;
    std::size_t queueCapacity = 64;  ///< queued jobs beyond this answer 429
    std::string apiKeysFile;         ///< SHA-256 hex per line; empty: no auth
    bool insecure = false;           ///< allow a non-loopback host without keys
    std::size_t maxStems = 12;
    double maxFileMb = 200.0;        ///< per uploaded file
    double maxJobMb = 1000.0;        ///< per job, all files
    double maxSeconds = 900.0;       ///< per stem, of audio
    double retentionHours = 72.0;    ///< finished jobs' files; 0 keeps them
    double sweepIntervalS = 60.0;    ///< how often expired jobs are looked for
    int httpThreads = 64;            ///< each SSE listener holds one
    std::string webDir;              ///< the web UI (web/dist) served at /; empty or missing: none
    // Scale-out (docs/DEPLOYMENT.md): empty db and storage are the embedded defaults.
    std::string db;                  ///< "" or sqlite:PATH: dataDir/jobs.sqlite3; postgres://…: shared queue
    std::string storage;             ///< "" or a folder: dataDir; s3://BUCKET?endpoint=URL: object storage
    double leaseSeconds = 30.0;      ///< a dead queue worker's job is taken again after this
    int presignSeconds = 0;          ///< > 0: S3 downloads redirect to URLs valid this long
    std::vector<std::string> referenceHosts; ///< hosts options.reference_track_url may name; empty: none
    double maxReferenceMb = 200.0;   ///< per fetched reference track
    int referenceTimeoutS = 60;      ///< per fetched reference track, redirects included
    std::string referenceCaFile;     ///< extra CA bundle for the fetch (tests' self-signed certificate)
};

/// True for 127.0.0.0/8, ::1 and "localhost".
bool isLoopback(const std::string& host);

} // namespace mm::service
