// Scale-out on real servers: PostgreSQL (job store and queue), s3rver (object storage),
// one `mixmaster serve --workers 0` and three `mixmaster worker` processes. One worker is
// SIGKILLed mid-job and PostgreSQL is restarted while jobs run: every job still succeeds
// exactly once, with outputs byte-identical to the embedded mode's (SQLite, local folder,
// in-process workers). Then the bucket goes away: the job is retried and fails with the
// reason, and no worker leaves files behind. The replacement worker serves /metrics
// (--metrics-port): its counts match what its log says it did.
#include "ScaleTestUtil.h"
#include "ServiceTestUtil.h"
#include "service/PgJobStore.h"

#include <pqxx/pqxx>

#include <signal.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace mm::test;

namespace {

const std::vector<std::string> kPresets = {"pop", "rock", "club"};
constexpr int kJobs = 12;

/// Jobs by id whose worker logged "job ID: succeeded", over every worker's log (no
/// std::regex: g++ 12 flags it maybe-uninitialized under ASan).
std::map<std::string, int> successesInLogs(const std::vector<std::string>& logs)
{
    std::map<std::string, int> n;
    for (const auto& log : logs) {
        const std::string text = readText(log);
        for (auto at = text.find(": succeeded"); at != std::string::npos; at = text.find(": succeeded", at + 1)) {
            const auto start = text.rfind("job ", at);
            if (start != std::string::npos && at - start == 4 + 32)
                ++n[text.substr(start + 4, 32)];
        }
    }
    return n;
}

/// "scratch" + 1 → "scratch1" (no `"lit" + std::to_string`: g++ 12 -Wrestrict false positive).
std::string numbered(const char* prefix, int i)
{
    std::string s = prefix;
    s += std::to_string(i);
    return s;
}

/// The files left under a folder, one per line ("" when none).
std::string filesUnder(const fs::path& dir)
{
    std::string out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file())
            out += fs::relative(it->path(), dir).string() + "\n";
    return out;
}

} // namespace

TEST(ScaleOut, WorkersSurviveKillAndDatabaseRestartWithEmbeddedIdenticalOutputs)
{
    TempDir tmp;
    const std::vector<StemFile> stems = {{"drums.wav", writeStem(tmp, "drums.wav", "drums", 2.0)},
                                         {"bass.wav", writeStem(tmp, "bass.wav", "bass", 2.0)}};

    // The embedded mode's outputs, one job per preset.
    std::map<std::string, std::pair<std::string, std::string>> expected; // preset → (mix, master)
    {
        TestServer embedded(testConfig(tmp.file("embedded")));
        auto cli = embedded.client();
        for (const auto& preset : kPresets) {
            const auto id = bodyJson(submitJob(cli, {{"preset", preset}}, stems)).value("job_id", std::string());
            ASSERT_FALSE(id.empty());
            ASSERT_EQ(waitForEnd(cli, id, budget(60)).value("status", std::string()), "succeeded");
            expected[preset] = {bodyOf(cli, "/v1/jobs/" + id + "/download/mix"), bodyOf(cli, "/v1/jobs/" + id + "/download/master")};
        }
    }

    PostgresServer pg(tmp);  // fails loudly when postgresql is not installed
    S3Server s3(tmp, "mm-test"); // … or s3rver is not in web/node_modules
    const auto env = s3Env();

    // Migrations: the schema is made once, and a second store (another process) changes nothing.
    {
        mm::service::PgJobStore a(pg.url()), b(pg.url());
        pqxx::connection c(pg.url());
        pqxx::work w(c);
        EXPECT_EQ(w.exec1("SELECT max(version) FROM mixmaster.schema_migrations")[0].as<int>(), mm::service::latestSchemaVersion());
        EXPECT_EQ(w.exec1("SELECT count(*) FROM mixmaster.schema_migrations")[0].as<int>(), mm::service::latestSchemaVersion());
    }

    const int port = freePort();
    Child api({MIXMASTER_BIN, "serve", "--port", std::to_string(port), "--data-dir", tmp.file("api"), "--db", pg.url(), "--storage",
               s3.storageUrl(), "--workers", "0", "--retention-hours", "0"},
              tmp.file("api.log"), env);
    ASSERT_TRUE(waitForPort(port, std::chrono::seconds(30))) << readText(api.log());
    std::vector<Child> workers;
    std::vector<std::string> logs;
    const auto startWorker = [&](int i) {
        logs.push_back(tmp.file(numbered("worker", i) + ".log"));
        workers.emplace_back(std::vector<std::string>{MIXMASTER_BIN, "worker", "--db", pg.url(), "--storage", s3.storageUrl(),
                                                      "--scratch-dir", tmp.file(numbered("scratch", i)), "--lease-seconds", "3"},
                             logs.back(), env);
    };
    for (int i = 0; i < 3; ++i)
        startWorker(i);
    const auto dumpLogs = [&] {
        std::string all = "--- api\n" + readText(api.log());
        for (const auto& l : logs)
            all += "--- " + l + "\n" + readText(l);
        return all;
    };

    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    std::vector<std::pair<std::string, std::string>> jobs; // id, preset
    for (int i = 0; i < kJobs; ++i) {
        const auto& preset = kPresets[static_cast<std::size_t>(i) % kPresets.size()];
        const auto r = submitJob(cli, {{"preset", preset}}, stems);
        ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no answer") << dumpLogs();
        jobs.emplace_back(bodyJson(r)["job_id"].get<std::string>(), preset);
    }

    // SIGKILL the worker of the first job seen running past its start and before its
    // middle: a job of these 2 s stems takes ~0.2 s, and one seen near its end could finish
    // (and commit "succeeded") between the query and the kill, so it would not run again.
    std::string killedJob;
    int killedWorker = -1;
    {
        pqxx::connection c(pg.url());
        const auto end = std::chrono::steady_clock::now() + budget(30);
        while (killedJob.empty() && std::chrono::steady_clock::now() < end) {
            pqxx::work w(c);
            const auto r = w.exec("SELECT id, worker FROM mixmaster.jobs WHERE status = 'running' AND progress > 0 AND progress < 0.5 LIMIT 1");
            w.commit();
            if (!r.empty()) {
                const std::string worker = r[0][1].as<std::string>();
                for (std::size_t i = 0; i < workers.size(); ++i)
                    if (worker.find(numbered(":", workers[i].pid()) + ":") != std::string::npos) {
                        workers[i].stop(SIGKILL, std::chrono::milliseconds(5000));
                        killedJob = r[0][0].as<std::string>();
                        killedWorker = static_cast<int>(i);
                    }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ASSERT_FALSE(killedJob.empty()) << "no job was seen running\n" << dumpLogs();
    // Its replacement starts on the same scratch folder (and clears what the dead one left).
    const int metricsPort = freePort();
    const auto startReplacement = [&] {
        logs.push_back(tmp.file("worker3.log"));
        workers.emplace_back(std::vector<std::string>{MIXMASTER_BIN, "worker", "--db", pg.url(), "--storage", s3.storageUrl(),
                                                      "--scratch-dir", tmp.file(numbered("scratch", killedWorker)), "--lease-seconds", "3",
                                                      "--metrics-port", std::to_string(metricsPort)},
                             logs.back(), env);
    };

    // Restart PostgreSQL while the others work.
    pg.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    pg.start();
    startReplacement();

    for (const auto& [id, preset] : jobs) {
        const auto j = waitForEnd(cli, id, budget(60));
        ASSERT_EQ(j.value("status", std::string()), "succeeded") << id << ": " << j.dump() << "\n" << dumpLogs();
        EXPECT_EQ(bodyOf(cli, "/v1/jobs/" + id + "/download/mix"), expected[preset].first) << id << " mix differs from the embedded mode's";
        EXPECT_EQ(bodyOf(cli, "/v1/jobs/" + id + "/download/master"), expected[preset].second) << id << " master differs";
        if (id == killedJob) {
            // Run again after its lease expired (a third start is possible if the database
            // restart outlasted a lease under load; exactly one success is checked below).
            EXPECT_GE(j.value("attempts", 0), 2) << "the killed worker's job is run again";
        }
    }
    const auto successes = successesInLogs(logs);
    for (const auto& [id, preset] : jobs)
        EXPECT_EQ(successes.count(id) ? successes.at(id) : 0, 1) << id << " must succeed exactly once";

    // A cancel reaches the worker running the job (through the row its heartbeat reads).
    {
        const std::vector<StemFile> longStems = {{"pad.wav", writeStem(tmp, "pad.wav", "pad", 30.0)}};
        const auto r = submitJob(cli, {{"preset", "pop"}}, longStems);
        ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
        const std::string id = bodyJson(r)["job_id"].get<std::string>();
        const auto running = waitForJob(
            cli, id, [](const nlohmann::json& j) { return j.value("status", std::string()) != "queued"; }, budget(30));
        ASSERT_EQ(running.value("status", std::string()), "running") << running.dump();
        const auto c = cli.Post("/v1/jobs/" + id + "/cancel");
        ASSERT_TRUE(c);
        EXPECT_EQ(c->status, 202) << c->body;
        EXPECT_EQ(waitForEnd(cli, id, budget(30)).value("status", std::string()), "cancelled") << dumpLogs();
    }

    // The bucket goes away after a job's upload: the job is retried, then fails with the reason.
    for (auto& w : workers)
        w.signal(SIGSTOP);
    const auto r = submitJob(cli, {{"preset", "pop"}}, stems);
    ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
    const std::string lostId = bodyJson(r)["job_id"].get<std::string>();
    s3.kill();
    for (auto& w : workers)
        w.signal(SIGCONT);
    const auto failed = waitForEnd(cli, lostId, budget(60));
    EXPECT_EQ(failed.value("status", std::string()), "failed") << failed.dump() << dumpLogs();
    EXPECT_EQ(failed.value("attempts", 0), 3);
    const std::string reason = failed.value("error", nlohmann::json::object()).dump();
    EXPECT_NE(reason.find("storage_unavailable"), std::string::npos) << reason;
    EXPECT_NE(reason.find("object storage unavailable after 3 attempts"), std::string::npos) << reason;
    // Downloads say what is wrong instead of hanging.
    const auto dl = cli.Get("/v1/jobs/" + jobs[0].first + "/download/master");
    ASSERT_TRUE(dl);
    EXPECT_EQ(dl->status, 503) << dl->body;

    // The replacement's /metrics: idle now, and its counters are what its log says it did.
    {
        httplib::Client m("127.0.0.1", metricsPort);
        std::string text;
        const auto end = std::chrono::steady_clock::now() + budget(10);
        do {
            text = bodyOf(m, "/metrics");
            if (text.find("\nmixmaster_worker_busy 0\n") != std::string::npos)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } while (std::chrono::steady_clock::now() < end);
        EXPECT_NE(text.find("\nmixmaster_worker_busy 0\n"), std::string::npos) << text;
        EXPECT_NE(text.find("\nmixmaster_workers 1\n"), std::string::npos) << text;
        EXPECT_EQ(text.find("mixmaster_queue_length"), std::string::npos) << "a worker reads no queue length";
        const std::string log = readText(logs.back());
        int started = 0;
        for (auto at = log.find(": started (attempt"); at != std::string::npos; at = log.find(": started (attempt", at + 1))
            ++started;
        int succeeded = 0;
        for (const auto& [id, n] : successesInLogs({logs.back()}))
            succeeded += n;
        EXPECT_GT(started, 0) << "the replacement ran no job\n" << log;
        EXPECT_NE(text.find("\nmixmaster_jobs_claimed_total " + std::to_string(started) + "\n"), std::string::npos) << text << log;
        if (succeeded > 0) {
            EXPECT_NE(text.find("mixmaster_jobs_finished_total{state=\"succeeded\"} " + std::to_string(succeeded) + "\n"), std::string::npos)
                << text;
        }
        EXPECT_EQ(errorCode(m.Get("/v1/jobs")), "not_found");
        if (runCommand("command -v promtool") == 0) {
            std::ofstream(tmp.file("worker-metrics.txt")) << text;
            std::string out, err;
            EXPECT_EQ(runCommand("promtool check metrics < '" + tmp.file("worker-metrics.txt") + "'", &out, &err), 0) << out << err << text;
        }
    }

    // Nothing half-written: no worker keeps job files, the server no upload copies.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(filesUnder(tmp.file(numbered("scratch", i))), "") << "worker " << i;
    EXPECT_EQ(filesUnder(tmp.file("api") + "/scratch"), "");
    for (auto& w : workers)
        w.stop(SIGTERM, std::chrono::milliseconds(10000));
    api.stop(SIGTERM, std::chrono::milliseconds(10000));
}
