// options.reference_track_url against a real local HTTPS server (cpp-httplib's SSLServer
// with a self-signed certificate made here by the openssl CLI, trusted through the
// server's CA-file option): allow-list, https only, size limit, redirects.
#include "ServiceTestUtil.h"

#include <filesystem>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

namespace {

/// An HTTPS file server on 127.0.0.1 with a certificate for localhost and 127.0.0.1.
class HttpsServer {
public:
    HttpsServer(const TempDir& dir, const std::string& referenceWav)
    {
        cert_ = dir.file("cert.pem");
        const std::string key = dir.file("key.pem");
        const int rc = runCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost "
                                  "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" + key + "' -out '" + cert_ + "' 2>/dev/null");
        if (rc != 0)
            throw std::runtime_error("openssl could not make a certificate");
        server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key.c_str());
        if (!server_->is_valid())
            throw std::runtime_error("SSLServer rejected the certificate");
        const std::string wav = readText(referenceWav);
        const std::string big(512 * 1024, 'x'); // 0.5 MB
        server_->Get("/ref.wav", [wav](const httplib::Request&, httplib::Response& res) { res.set_content(wav, "audio/wav"); });
        server_->Get("/big.wav", [big](const httplib::Request&, httplib::Response& res) { res.set_content(big, "audio/wav"); });
        server_->Get("/chunked.wav", [big](const httplib::Request&, httplib::Response& res) {
            // No Content-Length: the limit must hold while the body arrives.
            res.set_chunked_content_provider("audio/wav", [big](std::size_t offset, httplib::DataSink& sink) {
                if (offset >= big.size()) {
                    sink.done();
                    return true;
                }
                return sink.write(big.data() + offset, std::min<std::size_t>(64 * 1024, big.size() - offset));
            });
        });
        server_->Get("/same", [this](const httplib::Request&, httplib::Response& res) {
            res.set_redirect("https://localhost:" + std::to_string(port_) + "/ref.wav");
        });
        server_->Get("/other", [this](const httplib::Request&, httplib::Response& res) {
            res.set_redirect("https://127.0.0.1:" + std::to_string(port_) + "/ref.wav");
        });
        port_ = server_->bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        for (int i = 0; i < 500 && !server_->is_running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ~HttpsServer()
    {
        server_->stop();
        thread_.join();
    }
    HttpsServer(const HttpsServer&) = delete;
    HttpsServer& operator=(const HttpsServer&) = delete;

    std::string url(const std::string& host, const std::string& path) const { return "https://" + host + ":" + std::to_string(port_) + path; }
    const std::string& caFile() const { return cert_; }

private:
    std::string cert_;
    std::unique_ptr<httplib::SSLServer> server_;
    std::thread thread_;
    int port_ = 0;
};

std::string optionsWith(const std::string& url)
{
    return json{{"reference_track_url", url}}.dump();
}

} // namespace

TEST(ServiceReferenceUrl, FetchedOnlyFromAllowedHostsOverHttpsWithinLimits)
{
    if (runCommand("command -v openssl") != 0)
        GTEST_SKIP() << "openssl missing (Debian package openssl)";
    TempDir data, files;
    const std::string ref = writeStem(files, "ref.wav", "pad", 1.0);
    HttpsServer https(files, ref);
    auto config = testConfig(data.file("data"));
    config.referenceHosts = {"localhost"};
    config.referenceCaFile = https.caFile();
    config.maxReferenceMb = 0.4; // the 1 s reference (~265 kB) fits, 0.5 MB does not
    config.referenceTimeoutS = 20;
    TestServer server(config);
    auto cli = server.client();
    const std::vector<StemFile> stems{{"drums.wav", writeStem(files, "drums.wav", "drums", 1.0)}};

    struct Case {
        const char* what;
        std::string url;
        int status;
        const char* code;
        const char* inMessage;
    };
    const std::vector<Case> cases{
        {"plain http", "http://localhost:1/ref.wav", 422, "reference_url_not_https", "https"},
        {"host not on the list", https.url("127.0.0.1", "/ref.wav"), 422, "reference_host_not_allowed", "`reference` part"},
        {"too large (Content-Length)", https.url("localhost", "/big.wav"), 413, "reference_too_large", "0.4 MB"},
        {"too large (chunked)", https.url("localhost", "/chunked.wav"), 413, "reference_too_large", "0.4 MB"},
        {"redirect to another host", https.url("localhost", "/other"), 422, "reference_redirect_refused", "127.0.0.1"},
        {"missing file", https.url("localhost", "/missing.wav"), 422, "reference_fetch_failed", "404"},
        {"not a URL", "::", 422, "bad_reference_url", "URL"},
    };
    for (const auto& c : cases) {
        const auto r = submitJob(cli, {{"options", optionsWith(c.url)}}, stems);
        ASSERT_TRUE(r) << c.what;
        EXPECT_EQ(r->status, c.status) << c.what << ": " << r->body;
        EXPECT_EQ(errorCode(r), c.code) << c.what << ": " << r->body;
        EXPECT_NE(bodyJson(r)["error"].value("message", std::string()).find(c.inMessage), std::string::npos) << c.what << ": " << r->body;
    }
    // Both a file and a URL.
    auto both = submitJob(cli, {{"options", optionsWith(https.url("localhost", "/ref.wav"))}},
                          {stems[0], {"reference", ref}});
    ASSERT_TRUE(both);
    EXPECT_EQ(errorCode(both), "two_references");
    EXPECT_EQ(bodyJson(cli.Get("/v1/jobs"))["jobs"].size(), 0u);
    EXPECT_EQ(countFilesUnder(fs::path(data.file("data")) / "jobs"), 0u);

    // Allowed host, redirected within it: fetched, and the master is tone-matched to it.
    const auto r = submitJob(cli, {{"options", optionsWith(https.url("localhost", "/same"))}}, stems);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const std::string id = bodyJson(r)["job_id"];
    const auto job = waitForEnd(cli, id, budget(60));
    ASSERT_EQ(job.value("status", std::string()), "succeeded") << job.dump();
    const auto report = bodyJson(cli.Get("/v1/jobs/" + id + "/download/report"));
    // Named after the URL's extension (none here: /same), else "reference".
    ASSERT_EQ(report["options"]["reference"], "reference");
    EXPECT_EQ(report["target_spectrum"]["source"], "reference");
    const std::string fetched = readText((fs::path(data.file("data")) / "jobs" / id / "inputs" / "reference").string());
    EXPECT_TRUE(fetched == readText(ref)) << "the fetched reference differs from the served file (" << fetched.size() << " bytes)";
}

TEST(ServiceReferenceUrl, WithoutAllowListAnswers422AskingForAnUpload)
{
    TempDir data, files;
    TestServer server(testConfig(data.file("data")));
    auto cli = server.client();
    const auto r = submitJob(cli, {{"options", optionsWith("https://example.com/ref.wav")}},
                             {{"drums.wav", writeStem(files, "drums.wav", "drums", 0.5)}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 422);
    EXPECT_EQ(errorCode(r), "reference_url_not_allowed");
    EXPECT_NE(bodyJson(r)["error"]["message"].get<std::string>().find("`reference` file part"), std::string::npos);
}
