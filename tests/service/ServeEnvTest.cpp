// `mixmaster serve` configured by environment only, as in a container: MIXMASTER_DATA_DIR is
// the job store and job files, MIXMASTER_PRESETS_DIR the presets folder. With both set to
// different folders, each goes where its variable says (they were once one variable).
#include "ScaleTestUtil.h"
#include "ServiceTestUtil.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

TEST(ServiceEnv, PresetsAndDataDirComeFromTheirOwnVariables)
{
    TempDir tmp;
    // A presets folder of our own: the shipped ones plus one only it has.
    const fs::path presets = tmp.path() / "my-presets", dataDir = tmp.path() / "job-data";
    fs::create_directories(presets);
    std::size_t shipped = 0;
    for (const auto& e : fs::directory_iterator(fs::path(MIXMASTER_SOURCE_DIR) / "data" / "presets"))
        shipped += fs::copy_file(e.path(), presets / e.path().filename()) ? 1 : 0;
    auto own = json::parse(readText((presets / "pop.json").string()));
    own["name"] = "Env Only";
    own["targets"]["lufs"] = -16.0;
    std::ofstream(presets / "env-only.json") << own.dump(2);

    const int port = freePort();
    Child serve({MIXMASTER_BIN, "serve", "--port", std::to_string(port), "--retention-hours", "0"}, tmp.file("serve.log"),
                {{"MIXMASTER_DATA_DIR", dataDir.string()}, {"MIXMASTER_PRESETS_DIR", presets.string()}});
    ASSERT_TRUE(waitForPort(port, budget(30))) << readText(serve.log());
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);

    const auto list = json::parse(bodyOf(cli, "/v1/presets"), nullptr, false);
    ASSERT_TRUE(list.is_object()) << readText(serve.log());
    bool found = false;
    for (const auto& p : list["presets"])
        found = found || p.value("key", std::string()) == "env-only";
    EXPECT_TRUE(found) << list.dump();

    const auto r = submitJob(cli, {{"preset", "Env Only"}}, {{"kick.wav", writeStem(tmp, "kick.wav", "drums", 1.0)}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const std::string id = bodyJson(r).value("job_id", std::string());
    const auto job = waitForEnd(cli, id, budget(60));
    ASSERT_EQ(job.value("status", std::string()), "succeeded") << job.dump() << readText(serve.log());
    const auto report = json::parse(bodyOf(cli, "/v1/jobs/" + id + "/download/report"), nullptr, false);
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["preset"]["key"], "env-only");
    EXPECT_DOUBLE_EQ(report["targets"]["lufs"].get<double>(), -16.0);

    // The job store and the job's files are in the data folder; the presets folder holds
    // only what we put there.
    EXPECT_TRUE(fs::exists(dataDir / "jobs.sqlite3"));
    EXPECT_TRUE(fs::exists(dataDir / "jobs" / id));
    EXPECT_EQ(countFilesUnder(presets), shipped + 1);
}
