// options.policy over HTTP on a real server: a value other than auto, neural or rules is
// refused before anything is stored, with the allowed values in the message; "rules" and
// "neural" jobs run with that policy, as their reports say.
#include "ServiceTestUtil.h"

#include <filesystem>
#include <map>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

TEST(ServicePolicyOption, UnknownPolicyAnswers422NamingTheAllowedValues)
{
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    const std::vector<StemFile> files{{"kick.wav", writeStem(stems, "kick.wav", "drums", 0.5)}};
    for (const char* options : {R"({"policy":"genetic"})", R"({"policy":"Rules"})", R"({"policy":1})", R"({"policy":null})"}) {
        const auto r = submitJob(cli, {{"options", options}}, files);
        ASSERT_TRUE(r) << options;
        EXPECT_EQ(r->status, 422) << options << ": " << r->body;
        EXPECT_EQ(errorCode(r), "bad_options") << options;
        const std::string message = bodyJson(r)["error"].value("message", std::string());
        for (const char* allowed : {"auto", "neural", "rules"})
            EXPECT_NE(message.find(allowed), std::string::npos) << options << ": " << message;
    }
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs"))["jobs"].size(), 0u);
    EXPECT_EQ(countFilesUnder(fs::path(data.file("data")) / "jobs"), 0u);
}

TEST(ServicePolicyOption, RulesAndNeuralJobsReportThePolicyThatRan)
{
    TempDir data, stems;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    const std::vector<StemFile> files{{"drums.wav", writeStem(stems, "drums.wav", "drums", 1.5)},
                                      {"bass.wav", writeStem(stems, "bass.wav", "bass", 1.5)}};
    std::map<std::string, std::string> ids;
    for (const char* policy : {"rules", "neural"}) {
        const auto r = submitJob(cli, {{"options", json{{"policy", policy}}.dump()}}, files);
        ASSERT_TRUE(r) << policy;
        ASSERT_EQ(r->status, 202) << policy << ": " << r->body;
        ids[policy] = bodyJson(r).value("job_id", std::string());
    }
    for (const auto& [policy, id] : ids) {
        const auto job = waitForEnd(cli, id, budget(60));
        ASSERT_EQ(job.value("status", std::string()), "succeeded") << policy << ": " << job.dump();
        const auto report = json::parse(bodyOf(cli, "/v1/jobs/" + id + "/download/report"), nullptr, false);
        ASSERT_TRUE(report.is_object()) << policy;
        EXPECT_EQ(report["options"]["policy"], policy);
        EXPECT_EQ(report["mix"]["policy"], policy);
        // Only the neural policy names its model (the source tree's models/mix_policy.json).
        EXPECT_EQ(report["mix"].contains("policy_model"), policy == "neural") << report["mix"].dump();
        for (const auto& stem : report["stems"])
            EXPECT_EQ(stem.dump().find("neural model") != std::string::npos, policy == "neural") << policy << ": " << stem.dump();
    }
}
