// mixmaster serve [--host 127.0.0.1] [--port 8000] [--data-dir DIR] [--workers N] …
// Every flag can also come from its MIXMASTER_* environment variable (containers).
// SIGINT/SIGTERM stop it gracefully: running jobs are interrupted and resume at the next start.
#include "cli/Commands.h"
#include "service/ApiServer.h"
#include "service/ReferenceFetch.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>
#include <thread>

namespace mm::cli {

void addServeCommand(CLI::App& app)
{
    auto c = std::make_shared<service::ServiceConfig>();
#ifdef MIXMASTER_WEB_DIR
    c->webDir = MIXMASTER_WEB_DIR; // the build's web/dist; --web-dir for an installed copy
#endif
    auto* cmd = app.add_subcommand("serve", "Run the HTTP service (embedded: SQLite job store, local data folder, in-process workers)");
    cmd->add_option("--host", c->host, "Address to listen on")->envname("MIXMASTER_HOST")->capture_default_str();
    cmd->add_option("--port", c->port, "Port (0: any free port)")->envname("MIXMASTER_PORT")->capture_default_str();
    cmd->add_option("--data-dir", c->dataDir, "Folder for the job store and job files")->envname("MIXMASTER_DATA_DIR")->capture_default_str();
    cmd->add_option("--workers", c->workers, "Jobs run at once in this process (0 with --db postgres://…: only `mixmaster worker` processes run them)")
        ->envname("MIXMASTER_WORKERS")->check(CLI::Range(0, 256))->capture_default_str();
    cmd->add_option("--db", c->db, "Job store: sqlite:PATH (default DATA_DIR/jobs.sqlite3) or postgres://USER@HOST:PORT/DB (shared queue)")
        ->envname("MIXMASTER_DB");
    cmd->add_option("--storage", c->storage, "Job files: a folder (default DATA_DIR) or s3://BUCKET[/PREFIX]?endpoint=URL (keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
        ->envname("MIXMASTER_STORAGE");
    cmd->add_option("--lease-seconds", c->leaseSeconds, "With postgres: a job whose worker stopped answering is taken again after this")
        ->envname("MIXMASTER_LEASE_SECONDS")->check(CLI::Range(1.0, 3600.0))->capture_default_str();
    cmd->add_option("--presign-seconds", c->presignSeconds, "With s3: downloads redirect to presigned URLs valid this long (0: streamed by the server)")
        ->envname("MIXMASTER_PRESIGN_SECONDS")->check(CLI::Range(0, 7 * 24 * 3600))->capture_default_str();
    cmd->add_option("--queue-size", c->queueCapacity, "Jobs waiting beyond this answer 429")->envname("MIXMASTER_QUEUE_SIZE")->capture_default_str();
    cmd->add_option("--api-keys-file", c->apiKeysFile, "File of SHA-256 hex digests of the API keys, one per line")->envname("MIXMASTER_API_KEYS_FILE");
    cmd->add_flag("--insecure", c->insecure, "Allow a non-loopback host without API keys")->envname("MIXMASTER_INSECURE");
    cmd->add_option("--max-stems", c->maxStems, "Stems per job")->envname("MIXMASTER_MAX_STEMS")->check(CLI::Range(1, 12))->capture_default_str();
    cmd->add_option("--max-file-mb", c->maxFileMb, "MB per uploaded file")->envname("MIXMASTER_MAX_FILE_MB")->capture_default_str();
    cmd->add_option("--max-job-mb", c->maxJobMb, "MB per job (all files)")->envname("MIXMASTER_MAX_JOB_MB")->capture_default_str();
    cmd->add_option("--max-seconds", c->maxSeconds, "Seconds of audio per stem")->envname("MIXMASTER_MAX_SECONDS")->capture_default_str();
    cmd->add_option("--web-dir", c->webDir, "The web UI's built files (web/dist), served at /")->envname("MIXMASTER_WEB_DIR")->capture_default_str();
    cmd->add_option("--retention-hours", c->retentionHours, "Hours finished jobs' files are kept (0: forever)")->envname("MIXMASTER_RETENTION_HOURS")->capture_default_str();
    auto referenceHosts = std::make_shared<std::string>();
    cmd->add_option("--reference-hosts", *referenceHosts,
                    "Hosts options.reference_track_url may fetch from (comma-separated; https only); none: upload the reference instead")
        ->envname("MIXMASTER_REFERENCE_HOSTS");
    cmd->add_option("--reference-max-mb", c->maxReferenceMb, "MB per fetched reference track")->envname("MIXMASTER_REFERENCE_MAX_MB")->capture_default_str();
    cmd->add_option("--reference-timeout", c->referenceTimeoutS, "Seconds per fetched reference track")
        ->envname("MIXMASTER_REFERENCE_TIMEOUT")->check(CLI::Range(1, 3600))->capture_default_str();
    cmd->callback([c, referenceHosts] {
        c->referenceHosts = service::parseHostList(*referenceHosts);
        // Signals go to one thread that waits for them; every other thread (httplib's,
        // the workers) inherits the blocked mask, so none is interrupted mid-job.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        service::ApiServer server(*c);
        const int port = server.bind();
        std::thread waiter([&] {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig != 0)
                spdlog::info("signal {}: stopping (running jobs resume at the next start)", sig);
            server.stop();
        });
        spdlog::info("mixmaster serving on http://{}:{}/ (API docs: /docs; data: {}; {} workers{})", c->host, port, c->dataDir,
                     c->workers, c->apiKeysFile.empty() ? "; no API keys" : "");
        server.listen();
        // listen() returned: if not by a signal, wake the waiter with one.
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
        setExitCode(0);
    });
}

} // namespace mm::cli
