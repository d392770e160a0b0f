// The v1 API end to end on a real server and a real HTTP client: submit → poll →
// download (the master meets its preset), validation errors with their JSON codes and no
// stray files, 404s, API keys and isolation, the queue bound, delete, metrics (promtool).
#include "ServiceTestUtil.h"
#include "analysis/Analyzer.h"
#include "core/Errors.h"
#include "service/ApiKeys.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

namespace {

bool havePromtool()
{
    return runCommand("command -v promtool") == 0;
}

} // namespace

TEST(ServiceApi, SubmitPollDownloadMeetsPreset)
{
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    const std::vector<StemFile> files{{"drums.wav", writeStem(stems, "drums.wav", "drums", 3.0)},
                                      {"bass.wav", writeStem(stems, "bass.wav", "bass", 3.0)},
                                      {"pad.wav", writeStem(stems, "pad.wav", "pad", 3.0)}};
    const auto r = submitJob(cli,
                             {{"project_id", "song-1"},
                              {"preset", "Pop"},
                              {"stems_meta", R"([{"name":"drums.wav","role":"drums"},{"name":"bass.wav","role":"bass"},{"name":"pad.wav","role":"pad"}])"},
                              {"options", R"({"respect_user_gains":false,"bypass_parallel_comp":true})"}},
                             files);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const auto accepted = bodyJson(r);
    EXPECT_EQ(accepted["status"], "queued");
    const std::string id = accepted["job_id"];
    EXPECT_EQ(id.size(), 32u);

    const auto job = waitForEnd(cli, id, budget(60));
    ASSERT_EQ(job.value("status", std::string()), "succeeded") << job.dump();
    EXPECT_DOUBLE_EQ(job["progress"].get<double>(), 1.0);
    EXPECT_EQ(job["project_id"], "song-1");
    EXPECT_TRUE(job["error"].is_null());
    ASSERT_TRUE(job["summary"].is_object());

    auto rep = cli.Get("/v1/jobs/" + id + "/download/report");
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->status, 200);
    EXPECT_EQ(rep->get_header_value("Content-Type"), "application/json");
    const auto report = json::parse(rep->body);
    const double target = report["targets"]["lufs"].get<double>();
    const double reported = report["master"]["integrated_lufs"].get<double>();
    EXPECT_NEAR(reported, target, 0.5);
    EXPECT_DOUBLE_EQ(job["summary"]["integrated_lufs"].get<double>(), reported);
    EXPECT_EQ(job["summary"]["qc_passed"], report["qc"]["passed"]);
    EXPECT_EQ(report["options"]["bypass_parallel_comp"], true);

    auto master = cli.Get("/v1/jobs/" + id + "/download/master");
    ASSERT_TRUE(master);
    EXPECT_EQ(master->status, 200);
    EXPECT_EQ(master->get_header_value("Content-Type"), "audio/wav");
    {
        std::ofstream(stems.file("master.wav"), std::ios::binary) << master->body;
    }
    // The analyser measures the downloaded master at the preset's loudness.
    EXPECT_NEAR(mm::analyzeFile(stems.file("master.wav")).integratedLufs, target, 0.5);
    for (const auto& [kind, type] : {std::pair{"mix", "audio/wav"}, std::pair{"preview", "audio/ogg"}, std::pair{"mix_preview", "audio/ogg"},
                                     std::pair{"stems_preview", "audio/ogg"}}) {
        auto d = cli.Get("/v1/jobs/" + id + "/download/" + kind);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->status, 200) << kind;
        EXPECT_EQ(d->get_header_value("Content-Type"), type) << kind;
        EXPECT_GT(d->body.size(), 1000u) << kind;
    }
    EXPECT_EQ(errorCode(cli.Get("/v1/jobs/" + id + "/download/stems")), "not_found");
    // The A/B/C player's loudness: every preview measured, with headroom.
    for (const char* p : {"stems", "mix", "master"}) {
        ASSERT_TRUE(report["previews"][p].is_object()) << p;
        EXPECT_TRUE(report["previews"][p]["lufs"].is_number()) << p;
        EXPECT_LE(report["previews"][p]["true_peak_dbtp"].get<double>(), -1.0) << p;
    }

    const auto list = bodyJson(cli.Get("/v1/jobs"));
    ASSERT_EQ(list["jobs"].size(), 1u);
    EXPECT_EQ(list["jobs"][0]["job_id"], id);

    // Metrics: a valid exposition with the master's loudness observed.
    auto m = cli.Get("/metrics");
    ASSERT_TRUE(m);
    EXPECT_NE(m->body.find("mixmaster_audio_lufs_count 1\n"), std::string::npos);
    EXPECT_NE(m->body.find("mixmaster_jobs_finished_total{state=\"succeeded\"} 1"), std::string::npos);
    EXPECT_NE(m->body.find("mixmaster_job_duration_seconds_bucket{stage=\"mixing\""), std::string::npos);
    EXPECT_NE(m->body.find("mixmaster_http_requests_total{route=\"POST /v1/jobs\",code=\"202\"} 1"), std::string::npos);
    if (havePromtool()) {
        std::ofstream(stems.file("metrics.txt")) << m->body;
        std::string out, err;
        EXPECT_EQ(runCommand("promtool check metrics < '" + stems.file("metrics.txt") + "'", &out, &err), 0) << out << err;
    }

    // Delete: the job and its files go.
    auto del = cli.Delete("/v1/jobs/" + id);
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 204);
    EXPECT_EQ(cli.Get("/v1/jobs/" + id)->status, 404);
    EXPECT_EQ(countFilesUnder(fs::path(data.file("data")) / "jobs"), 0u);
}

TEST(ServiceApi, MetricsPassPromtool)
{
    if (!havePromtool())
        GTEST_SKIP() << "promtool missing (Debian package prometheus; scripts/setup.sh installs it)";
    TempDir data;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    cli.Get("/healthz");
    cli.Get("/v1/jobs/0123456789abcdef0123456789abcdef");
    auto m = cli.Get("/metrics");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
    for (const char* name : {"mixmaster_job_duration_seconds", "mixmaster_jobs", "mixmaster_queue_length", "mixmaster_worker_busy",
                             "mixmaster_audio_lufs", "mixmaster_audio_true_peak", "mixmaster_http_requests_total"})
        EXPECT_NE(m->body.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
    // Before any job, every stage's histogram and every final state's counter is there at
    // zero (rate() needs a sample before the first event).
    for (const char* stage : {"analysis", "mixing", "writing mix", "mastering", "preview", "total"})
        EXPECT_NE(m->body.find(std::string("mixmaster_job_duration_seconds_count{stage=\"") + stage + "\"} 0\n"), std::string::npos)
            << stage;
    for (const char* state : {"succeeded", "failed", "cancelled"})
        EXPECT_NE(m->body.find(std::string("mixmaster_jobs_finished_total{state=\"") + state + "\"} 0\n"), std::string::npos)
            << state;
    std::ofstream(data.file("metrics.txt")) << m->body;
    std::string out, err;
    EXPECT_EQ(runCommand("promtool check metrics < '" + data.file("metrics.txt") + "'", &out, &err), 0) << out << err << m->body;
}

TEST(ServiceApi, BadSubmissionsAnswer4xxAndLeaveNothing)
{
    TempDir data, stems;
    auto config = testConfig(data.file("data"));
    config.maxFileMb = 0.5;
    config.maxSeconds = 2.0;
    TestServer server(config);
    auto cli = server.client();
    const std::string kick = writeStem(stems, "kick.wav", "drums", 0.5);
    const std::string big = writeStem(stems, "big.wav", "drums", 5.0); // ~660 kB > 0.5 MB
    const std::string longer = writeStem(stems, "long.wav", "drums", 2.5); // > 2 s, < 0.5 MB
    {
        std::ofstream(stems.file("corrupt.wav"), std::ios::binary) << "RIFF\x10\0\0\0WAVEjunkjunkjunk";
    }
    const std::string meta = R"([{"name":"kick.wav","role":"kick"}])";
    std::vector<StemFile> thirteen;
    json thirteenNames = json::array();
    for (int i = 0; i < 13; ++i) {
        std::string name = std::to_string(100 + i); // (GCC 12 warns falsely on "s" + std::to_string(i))
        name.append(".wav");
        thirteen.push_back({name, kick});
        thirteenNames.push_back({{"name", name}});
    }
    const std::string thirteenMeta = thirteenNames.dump();

    struct Case {
        const char* what;
        std::vector<std::pair<std::string, std::string>> fields;
        std::vector<StemFile> files;
        int status;
        const char* code;
    };
    const std::vector<Case> cases{
        {"no stems", {{"preset", "Pop"}}, {}, 422, "no_stems"},
        {"13 stems", {{"stems_meta", thirteenMeta}}, thirteen, 422, "too_many_stems"},
        {"malformed stems_meta", {{"stems_meta", "[{\"name\":"}}, {{"kick.wav", kick}}, 422, "bad_stems_meta"},
        {"unknown role", {{"stems_meta", R"([{"name":"kick.wav","role":"tuba"}])"}}, {{"kick.wav", kick}}, 422, "bad_stems_meta"},
        {"listed stem without file", {{"stems_meta", R"([{"name":"kick.wav"},{"name":"bass.wav"}])"}}, {{"kick.wav", kick}}, 422, "missing_stem_file"},
        {"file part not listed", {{"stems_meta", meta}}, {{"kick.wav", kick}, {"snare.wav", kick}}, 422, "unlisted_stem"},
        {"unknown preset", {{"preset", "Polka"}, {"stems_meta", meta}}, {{"kick.wav", kick}}, 422, "unknown_preset"},
        {"targets out of range", {{"stems_meta", meta}, {"targets", R"({"lufs":3})"}}, {{"kick.wav", kick}}, 422, "bad_targets"},
        {"unknown option", {{"stems_meta", meta}, {"options", R"({"loudness_war":true})"}}, {{"kick.wav", kick}}, 422, "bad_options"},
        {"reference URL", {{"stems_meta", meta}, {"options", R"({"reference_track_url":"https://x"})"}}, {{"kick.wav", kick}}, 422, "reference_url_not_allowed"},
        {"corrupt WAV", {{"stems_meta", R"([{"name":"corrupt.wav"}])"}}, {{"corrupt.wav", stems.file("corrupt.wav")}}, 422, "bad_audio"},
        {"oversize file", {}, {{"big.wav", big}}, 413, "file_too_large"},
        {"too long", {}, {{"long.wav", longer}}, 422, "too_long"},
        {"../ in a name", {}, {{"../kick.wav", kick}}, 422, "bad_stem_name"},
        {"text part as stem", {{"kick.wav", "not a file"}}, {}, 422, "unknown_field"},
    };
    for (const auto& c : cases) {
        const auto r = submitJob(cli, c.fields, c.files);
        ASSERT_TRUE(r) << c.what;
        EXPECT_EQ(r->status, c.status) << c.what << ": " << r->body;
        EXPECT_EQ(errorCode(r), c.code) << c.what << ": " << r->body;
        EXPECT_FALSE(bodyJson(r)["error"].value("message", std::string()).empty()) << c.what;
    }
    // Not multipart at all.
    auto plain = cli.Post("/v1/jobs", "{}", "application/json");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 415);
    // No half-created job, no stray file.
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs"))["jobs"].size(), 0u);
    EXPECT_EQ(countFilesUnder(fs::path(data.file("data")) / "jobs"), 0u);
    EXPECT_FALSE(fs::exists(data.path() / "kick.wav"));
}

TEST(ServiceApi, UnknownJobsAndRoutesAre404WithJson)
{
    TempDir data;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    for (const char* path : {"/v1/jobs/0123456789abcdef0123456789abcdef", "/v1/jobs/0123456789abcdef0123456789abcdef/events",
                                   "/v1/jobs/0123456789abcdef0123456789abcdef/download/master", "/v1/nothing"}) {
        auto r = cli.Get(path);
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 404) << path;
        EXPECT_EQ(errorCode(r), "not_found") << path;
    }
    auto cancel = cli.Post("/v1/jobs/0123456789abcdef0123456789abcdef/cancel");
    EXPECT_EQ(cancel->status, 404);
    EXPECT_EQ(cli.Get("/healthz")->status, 200);
    EXPECT_EQ(cli.Get("/readyz")->status, 200);
    auto presets = bodyJson(cli.Get("/v1/presets"));
    EXPECT_GE(presets["presets"].size(), 5u);
    auto openapi = bodyJson(cli.Get("/openapi.json"));
    EXPECT_EQ(openapi["openapi"], "3.0.3");
    EXPECT_TRUE(openapi["paths"].contains("/v1/jobs/{id}/events"));
    EXPECT_NE(cli.Get("/docs")->body.find("/openapi.json"), std::string::npos);
}

TEST(ServiceApi, ApiKeysIsolateJobs)
{
    TempDir data, stems;
    {
        std::ofstream keys(data.file("keys"));
        keys << "# alice\n" << mm::service::sha256Hex("key-alice") << "\n\n" << mm::service::sha256Hex("key-bob") << "\n";
    }
    auto config = testConfig(data.file("data"));
    config.apiKeysFile = data.file("keys");
    TestServer server(config);
    auto cli = server.client();
    const httplib::Headers alice{{"Authorization", "Bearer key-alice"}}, bob{{"Authorization", "Bearer key-bob"}},
        mallory{{"Authorization", "Bearer key-mallory"}};
    const std::vector<StemFile> files{{"kick.wav", writeStem(stems, "kick.wav", "drums", 0.5)}};

    auto noKey = submitJob(cli, {}, files);
    ASSERT_TRUE(noKey);
    EXPECT_EQ(noKey->status, 401);
    EXPECT_EQ(errorCode(noKey), "unauthorized");
    EXPECT_EQ(cli.Get("/v1/jobs")->status, 401);
    EXPECT_EQ(cli.Get("/v1/presets", mallory)->status, 401);
    EXPECT_EQ(cli.Get("/healthz")->status, 200); // probes need no key

    auto r = submitJob(cli, {{"stems_meta", R"([{"name":"kick.wav","role":"kick"}])"}}, files, alice);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const std::string id = bodyJson(r)["job_id"];
    EXPECT_EQ(cli.Get("/v1/jobs/" + id, alice)->status, 200);
    EXPECT_EQ(cli.Get("/v1/jobs/" + id)->status, 401);
    for (const std::string& path : {"/v1/jobs/" + id, "/v1/jobs/" + id + "/download/report", "/v1/jobs/" + id + "/events"})
        EXPECT_EQ(cli.Get(path, bob)->status, 404) << path;
    EXPECT_EQ(cli.Post("/v1/jobs/" + id + "/cancel", bob, "", "text/plain")->status, 404);
    EXPECT_EQ(cli.Delete("/v1/jobs/" + id, bob)->status, 404);
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs", bob))["jobs"].size(), 0u);
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs", alice))["jobs"].size(), 1u);
    EXPECT_EQ(cli.Delete("/v1/jobs/" + id, alice)->status, 204);
}

TEST(ServiceApi, PublicHostNeedsKeysOrInsecure)
{
    TempDir data;
    auto config = testConfig(data.file("data"));
    config.host = "0.0.0.0";
    EXPECT_THROW(mm::service::ApiServer{config}, mm::InputError);
    config.insecure = true;
    EXPECT_NO_THROW(mm::service::ApiServer{config});
}

TEST(ServiceApi, FullQueueAnswers429WithRetryAfter)
{
    TempDir data, stems;
    auto config = testConfig(data.file("data"));
    config.queueCapacity = 0;
    TestServer server(config);
    auto cli = server.client();
    auto r = submitJob(cli, {}, {{"kick.wav", writeStem(stems, "kick.wav", "drums", 0.5)}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(errorCode(r), "queue_full");
    EXPECT_FALSE(r->get_header_value("Retry-After").empty());
    EXPECT_EQ(countFilesUnder(fs::path(data.file("data")) / "jobs"), 0u);
}
