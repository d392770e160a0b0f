// Jobs over time: the verbatim curl submission followed live over Server-Sent Events by
// two listeners, cancel of a running job, and a server restart while a job runs.
#include "ServiceTestUtil.h"

#include <atomic>
#include <filesystem>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

namespace {

/// Reads /v1/jobs/{id}/events to its end; returns each event's data.
std::vector<json> followEvents(int port, const std::string& id)
{
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(budget(60).count(), 0);
    std::vector<json> events;
    std::string buffer;
    auto r = cli.Get("/v1/jobs/" + id + "/events", [&](const char* data, std::size_t len) {
        buffer.append(data, len);
        for (auto end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
            const std::string event = buffer.substr(0, end);
            buffer.erase(0, end + 2);
            const auto d = event.find("data: ");
            if (d != std::string::npos)
                events.push_back(json::parse(event.substr(d + 6)));
        }
        return true;
    });
    EXPECT_TRUE(r);
    if (r) {
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
    }
    return events;
}

std::string shellQuote(const std::string& s)
{
    return "'" + s + "'";
}

} // namespace

TEST(ServiceJobs, VerbatimCurlSubmissionFollowedOverSse)
{
    if (runCommand("command -v curl") != 0)
        GTEST_SKIP() << "curl missing (Debian package curl)";
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    const std::string kick = writeStem(stems, "kick.wav", "drums", 3.0);
    // The README's call, verbatim but for the port and the file's path.
    const std::string cmd = "curl -s -X POST http://localhost:" + std::to_string(server.port()) +
                            "/v1/jobs -H \"Content-Type: multipart/form-data\" -F \"project_id=my-project\" -F \"preset=Electro House\" "
                            "-F \"stems_meta=[{\\\"name\\\":\\\"kick.wav\\\",\\\"role\\\":\\\"kick\\\"}]\" -F \"kick.wav=@" +
                            kick + "\"";
    std::string out, err;
    ASSERT_EQ(runCommand(cmd, &out, &err), 0) << err;
    const auto accepted = json::parse(out);
    ASSERT_EQ(accepted.value("status", std::string()), "queued") << out;
    const std::string id = accepted["job_id"];

    // Two listeners at once, each to the end of the stream.
    std::vector<json> first, second;
    std::thread other([&] { second = followEvents(server.port(), id); });
    first = followEvents(server.port(), id);
    other.join();
    for (const auto* events : {&first, &second}) {
        ASSERT_FALSE(events->empty());
        EXPECT_EQ(events->back()["status"], "succeeded") << events->back().dump();
        for (const auto& e : *events) {
            EXPECT_EQ(e["job_id"], id);
            EXPECT_GE(e["progress"].get<double>(), 0.0);
            EXPECT_LE(e["progress"].get<double>(), 1.0);
        }
    }
    auto cli = server.client();
    const auto job = bodyJson(cli.Get("/v1/jobs/" + id));
    EXPECT_EQ(job["preset"], "Electro House");
    EXPECT_EQ(job["project_id"], "my-project");
    ASSERT_EQ(runCommand("curl -s -o " + shellQuote(stems.file("master.wav")) + " http://localhost:" + std::to_string(server.port()) +
                         "/v1/jobs/" + id + "/download/master"),
              0);
    EXPECT_GT(fs::file_size(stems.file("master.wav")), 100000u);
}

TEST(ServiceJobs, CancelStopsARunningJobWithinASecond)
{
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    const std::vector<StemFile> files{{"drums.wav", writeStem(stems, "drums.wav", "drums", 30.0)},
                                      {"pad.wav", writeStem(stems, "pad.wav", "pad", 30.0)}};
    const auto r = submitJob(cli, {}, files);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const std::string id = bodyJson(r)["job_id"];
    const auto mixing = waitForJob(cli, id, [](const json& j) { return j["stage"] == "mixing" || (j["status"] != "queued" && j["status"] != "running"); }, budget(60));
    ASSERT_EQ(mixing["stage"], "mixing") << mixing.dump();
    const auto t0 = std::chrono::steady_clock::now();
    auto c = cli.Post("/v1/jobs/" + id + "/cancel");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->status, 202);
    const auto end = waitForEnd(cli, id, budget(10));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(end["status"], "cancelled") << end.dump();
    EXPECT_LT(seconds, std::chrono::duration<double>(budget(1)).count());
    std::printf("cancel took %.3f s\n", seconds);
    // A finished job cannot be cancelled again; downloads are refused.
    EXPECT_EQ(cli.Post("/v1/jobs/" + id + "/cancel")->status, 409);
    EXPECT_EQ(cli.Get("/v1/jobs/" + id + "/download/master")->status, 409);
}

TEST(ServiceJobs, RestartQueuesTheRunningJobAgain)
{
    TempDir data, stems;
    const auto config = testConfig(data.file("data"));
    std::string id;
    {
        TestServer server(config);
        auto cli = server.client();
        const std::vector<StemFile> files{{"drums.wav", writeStem(stems, "drums.wav", "drums", 8.0)},
                                          {"pad.wav", writeStem(stems, "pad.wav", "pad", 8.0)}};
        const auto r = submitJob(cli, {{"preset", "Pop"}}, files);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 202) << r->body;
        id = bodyJson(r)["job_id"];
        const auto running = waitForJob(cli, id, [](const json& j) { return j["status"] != "queued"; }, budget(30));
        ASSERT_EQ(running["status"], "running") << running.dump();
        server.stop(); // interrupts the job: it stays 'running' in the store
    }
    TestServer again(config);
    auto cli = again.client();
    const auto job = waitForEnd(cli, id, budget(60));
    EXPECT_EQ(job["status"], "succeeded") << job.dump();
    EXPECT_EQ(job["attempts"], 2);
}

TEST(ServiceJobs, DeleteARunningJobRemovesItAndItsFiles)
{
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    const auto r = submitJob(cli, {}, {{"pad.wav", writeStem(stems, "pad.wav", "pad", 30.0)}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const std::string id = bodyJson(r)["job_id"];
    const auto running = waitForJob(cli, id, [](const json& j) { return j["status"] != "queued"; }, budget(30));
    ASSERT_EQ(running["status"], "running") << running.dump();
    auto del = cli.Delete("/v1/jobs/" + id);
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 204);
    EXPECT_EQ(cli.Get("/v1/jobs/" + id)->status, 404);
    const fs::path folder = fs::path(data.file("data")) / "jobs" / id;
    const auto end = std::chrono::steady_clock::now() + budget(5);
    while (fs::exists(folder) && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(fs::exists(folder));
}
