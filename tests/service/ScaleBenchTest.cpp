// Throughput of the scale-out mode (docs/BENCHMARKS.md), not part of the test run:
//   build/tests/test_service --gtest_also_run_disabled_tests --gtest_filter='ScaleBench.*'
// Jobs per minute with 1, 2 and 4 `mixmaster worker` processes on PostgreSQL + s3rver, and
// the queue's claim latency (one claim among many queued rows; NOTIFY → idle worker awake).
#include "ScaleTestUtil.h"
#include "ServiceTestUtil.h"
#include "service/ApiKeys.h"
#include "service/PgJobStore.h"

#include <algorithm>
#include <cstdio>
#include <signal.h>
#include <thread>

#include <pqxx/pqxx>

using namespace mm::test;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

} // namespace

TEST(ScaleBench, DISABLED_JobsPerMinuteAndClaimLatency)
{
    TempDir tmp;
    PostgresServer pg(tmp);
    S3Server s3(tmp, "mm-bench");
    const auto env = s3Env();

    // Claim latency: 500 queued rows, 200 claims; then 50 wake-ups of an idle listener.
    {
        mm::service::PgJobStore store(pg.url());
        for (int i = 0; i < 500; ++i) {
            mm::service::JobRecord j;
            j.id = mm::service::randomId();
            j.createdMs = j.updatedMs = mm::service::nowMs() + i;
            j.spec = {{"bench", true}};
            store.create(j);
        }
        std::vector<double> claims;
        for (int i = 0; i < 200; ++i) {
            const auto t0 = Clock::now();
            ASSERT_TRUE(store.claim("bench", std::chrono::seconds(30)));
            claims.push_back(ms(Clock::now() - t0));
        }
        std::vector<double> wakes;
        mm::service::PgListener listener(store.url());
        listener.wait(std::chrono::milliseconds(10)); // connects and listens
        for (int i = 0; i < 50; ++i) {
            Clock::time_point sent;
            std::thread notifier([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                mm::service::JobRecord j;
                j.id = mm::service::randomId();
                j.createdMs = j.updatedMs = mm::service::nowMs();
                j.spec = {{"bench", true}};
                sent = Clock::now();
                store.create(j);
            });
            const bool woken = listener.wait(std::chrono::seconds(5));
            const auto at = Clock::now();
            notifier.join();
            ASSERT_TRUE(woken);
            wakes.push_back(ms(at - sent));
        }
        std::printf("claim among 500 queued: median %.2f ms, p95 %.2f ms; NOTIFY to idle worker awake (insert+commit incl.): "
                    "median %.2f ms, p95 %.2f ms\n",
                    percentile(claims, 0.5), percentile(claims, 0.95), percentile(wakes, 0.5), percentile(wakes, 0.95));
        pqxx::connection c(pg.url());
        pqxx::work w(c);
        w.exec0("DELETE FROM mixmaster.jobs");
        w.commit();
    }

    const std::vector<StemFile> stems = {{"drums.wav", writeStem(tmp, "drums.wav", "drums", 10.0)},
                                         {"bass.wav", writeStem(tmp, "bass.wav", "bass", 10.0)},
                                         {"pad.wav", writeStem(tmp, "pad.wav", "pad", 10.0)}};
    const int port = freePort();
    Child api({MIXMASTER_BIN, "serve", "--port", std::to_string(port), "--data-dir", tmp.file("api"), "--db", pg.url(), "--storage",
               s3.storageUrl(), "--workers", "0", "--queue-size", "1000"},
              tmp.file("api.log"), env);
    ASSERT_TRUE(waitForPort(port, std::chrono::seconds(30)));
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    constexpr int kJobs = 8;
    for (const int n : {1, 2, 4}) {
        std::vector<Child> workers;
        for (int i = 0; i < n; ++i) {
            std::string dir = "w";
            dir += std::to_string(n * 10 + i);
            workers.emplace_back(std::vector<std::string>{MIXMASTER_BIN, "worker", "--db", pg.url(), "--storage", s3.storageUrl(),
                                                          "--scratch-dir", tmp.file(dir)},
                                 tmp.file(dir + ".log"), env);
        }
        std::this_thread::sleep_for(std::chrono::seconds(1)); // connected and listening
        const auto t0 = Clock::now();
        std::vector<std::string> ids;
        for (int i = 0; i < kJobs; ++i)
            ids.push_back(bodyJson(submitJob(cli, {{"preset", "pop"}}, stems))["job_id"].get<std::string>());
        for (const auto& id : ids)
            ASSERT_EQ(waitForEnd(cli, id, std::chrono::seconds(600)).value("status", std::string()), "succeeded");
        const double minutes = std::chrono::duration<double>(Clock::now() - t0).count() / 60.0;
        std::printf("%d worker process(es): %d jobs (3 stems x 10 s) in %.1f s = %.1f jobs/min\n", n, kJobs, minutes * 60.0,
                    kJobs / minutes);
        for (auto& w : workers)
            w.stop(SIGTERM, std::chrono::seconds(10));
    }
}
