// Service limits over time and load: the bytes-per-job limit, 20 submissions at once, and
// the retention sweep that removes a finished job and its files.
#include "ServiceTestUtil.h"

#include <filesystem>
#include <set>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

TEST(ServiceLimits, BytesPerJobAnswer413NamingTheLimit)
{
    TempDir data, stems;
    auto config = testConfig(data.file("data"));
    config.maxFileMb = 0.5;
    config.maxJobMb = 0.7;
    TestServer server(config);
    auto cli = server.client();
    // Each ~400 kB (3 s mono 24-bit): under the file limit, together over the job limit.
    const std::string a = writeStem(stems, "a.wav", "drums", 3.0), b = writeStem(stems, "b.wav", "bass", 3.0);
    ASSERT_LT(fs::file_size(a), 512u * 1024u);
    ASSERT_GT(fs::file_size(a) + fs::file_size(b), 0.7 * 1024 * 1024);
    const auto r = submitJob(cli, {}, {{"a.wav", a}, {"b.wav", b}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413) << r->body;
    EXPECT_EQ(errorCode(r), "job_too_large");
    EXPECT_NE(bodyJson(r)["error"]["message"].get<std::string>().find("0.7 MB per job"), std::string::npos) << r->body;
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs"))["jobs"].size(), 0u);
    EXPECT_EQ(countFilesUnder(fs::path(data.file("data")) / "jobs"), 0u);
    // One of them alone is accepted.
    const auto ok = submitJob(cli, {}, {{"a.wav", a}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 202) << ok->body;
}

TEST(ServiceLimits, TwentyConcurrentSubmissionsAllSucceed)
{
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    const std::string kick = writeStem(stems, "kick.wav", "drums", 0.3);
    constexpr int kJobs = 20;
    std::vector<std::string> ids(kJobs);
    std::vector<int> codes(kJobs, 0);
    std::vector<std::string> errors(kJobs);
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < kJobs; ++i)
            threads.emplace_back([&, i] {
                auto cli = server.client();
                const auto r = submitJob(cli, {{"project_id", std::string("p").append(std::to_string(i))}, {"stems_meta", R"([{"name":"kick.wav","role":"kick"}])"}},
                                         {{"kick.wav", kick}});
                codes[static_cast<std::size_t>(i)] = r ? r->status : -1;
                if (!r)
                    errors[static_cast<std::size_t>(i)] = httplib::to_string(r.error());
                if (r && r->status == 202)
                    ids[static_cast<std::size_t>(i)] = bodyJson(r)["job_id"];
            });
        for (auto& t : threads)
            t.join();
    }
    for (int i = 0; i < kJobs; ++i)
        EXPECT_EQ(codes[static_cast<std::size_t>(i)], 202) << "submission " << i << " " << errors[static_cast<std::size_t>(i)];
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), static_cast<std::size_t>(kJobs)); // distinct ids
    auto cli = server.client();
    for (const auto& id : ids) {
        if (id.empty())
            continue;
        const auto job = waitForEnd(cli, id, budget(120));
        EXPECT_EQ(job.value("status", std::string()), "succeeded") << job.dump();
    }
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs"))["jobs"].size(), static_cast<std::size_t>(kJobs));
}

TEST(ServiceLimits, RetentionSweepRemovesAFinishedJobAndItsFiles)
{
    TempDir data, stems;
    auto config = testConfig(data.file("data"));
    config.retentionHours = 1.0 / 3600.0; // a finished job expires after 1 s
    config.sweepIntervalS = 0.2;
    TestServer server(config);
    auto cli = server.client();
    const auto r = submitJob(cli, {}, {{"kick.wav", writeStem(stems, "kick.wav", "drums", 0.3)}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const std::string id = bodyJson(r)["job_id"];
    const fs::path jobDir = fs::path(data.file("data")) / "jobs" / id;
    const auto job = waitForEnd(cli, id, budget(60));
    ASSERT_EQ(job.value("status", std::string()), "succeeded") << job.dump();
    // Bounded wait: the job expires 1 s after it finished, the sweep looks every 0.2 s.
    int status = 200;
    for (int i = 0; i < 100 && status != 404; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        status = cli.Get("/v1/jobs/" + id)->status;
    }
    EXPECT_EQ(status, 404);
    EXPECT_FALSE(fs::exists(jobDir));
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs"))["jobs"].size(), 0u);
}
