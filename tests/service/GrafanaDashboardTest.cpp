// deploy/grafana/ against the real thing: every metric each panel of the dashboard queries is
// one a `mixmaster serve` process exports after it ran a job (histograms by their _bucket,
// _sum and _count series), every metric family it exports has a panel, every panel reads the
// provisioned Prometheus data source, the provisioning files agree with the compose file;
// with promtool every query parses as PromQL and deploy/prometheus.yml is valid, and with
// prometheus (same Debian package) every panel shows data from a real Prometheus scraping a
// real server through a job.
#include "GrafanaDashboard.h"
#include "PromqlNames.h"
#include "ScaleTestUtil.h"
#include "ServiceTestUtil.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace mm::test;
using nlohmann::json;

namespace {

const fs::path kDeploy = fs::path(MIXMASTER_SOURCE_DIR) / "deploy";
const fs::path kDashboard = kDeploy / "grafana" / "dashboards" / "mixmaster.json";

json loadDashboard()
{
    return json::parse(readText(kDashboard.string()));
}

/// The value after `key:` on the first line of a YAML file that has it ("" if none):
/// enough for the flat provisioning files, without a YAML library.
std::string yamlValue(const fs::path& file, const std::string& key)
{
    std::istringstream in(readText(file.string()));
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find(key + ":");
        if (at == std::string::npos || line.find_first_not_of(" -") != at)
            continue;
        std::string v = line.substr(at + key.size() + 1);
        v = v.substr(0, v.find(" #"));
        const auto b = v.find_first_not_of(' '), e = v.find_last_not_of(' ');
        return b == std::string::npos ? "" : v.substr(b, e - b + 1);
    }
    return "";
}

/// Sample names (`name` of `name{…} value` lines) and family names with their TYPE.
struct Exposition {
    std::set<std::string> samples;
    std::map<std::string, std::string> families;
};

Exposition parseExposition(const std::string& text)
{
    Exposition e;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            e.families[name] = type;
        } else if (!line.empty() && line[0] != '#') {
            e.samples.insert(line.substr(0, line.find_first_of("{ ")));
        }
    }
    return e;
}

/// Whether `names` reads the family `family` (a histogram through its series).
bool readsFamily(const std::set<std::string>& names, const std::string& family, const std::string& type)
{
    if (names.count(family))
        return true;
    if (type == "histogram" || type == "summary")
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (names.count(family + suffix))
                return true;
    return false;
}

/// A real `mixmaster serve` on an ephemeral 127.0.0.1 port with one worker.
void startServe(const TempDir& tmp, Child& serve, int& port)
{
    port = freePort();
    serve = Child({MIXMASTER_BIN, "serve", "--host", "127.0.0.1", "--port", std::to_string(port), "--data-dir", tmp.file("data"),
                   "--workers", "1", "--retention-hours", "0"},
                  tmp.file("serve.log"));
    ASSERT_TRUE(waitForPort(port, budget(30))) << readText(serve.log());
}

/// One job run to success and one 404 answered, so that every metric family has samples.
void runOneJob(const TempDir& tmp, const Child& serve, int port)
{
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    const auto r = submitJob(cli, {{"preset", "Pop"}},
                             {{"drums.wav", writeStem(tmp, "drums.wav", "drums", 1.5)}, {"bass.wav", writeStem(tmp, "bass.wav", "bass", 1.5)}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const auto job = waitForEnd(cli, bodyJson(r).value("job_id", std::string()), budget(60));
    ASSERT_EQ(job.value("status", std::string()), "succeeded") << job.dump() << readText(serve.log());
    EXPECT_EQ(errorCode(cli.Get("/v1/jobs/0123456789abcdef0123456789abcdef")), "not_found");
}

/// The `data` of an instant query's answer; null (and the reason in `why`) on an error.
json promQuery(httplib::Client& prom, const std::string& expr, std::string& why)
{
    const auto r = prom.Post("/api/v1/query", httplib::Params{{"query", expr}});
    if (!r) {
        why = "no answer from Prometheus";
        return nullptr;
    }
    const auto body = json::parse(r->body, nullptr, false);
    if (r->status != 200 || !body.is_object() || body.value("status", std::string()) != "success") {
        why = "HTTP " + std::to_string(r->status) + ": " + r->body;
        return nullptr;
    }
    return body["data"];
}

bool havePromtool()
{
    return runCommand("command -v promtool") == 0;
}

} // namespace

TEST(GrafanaDashboard, PromqlNamesFindsMetricsOnly)
{
    using Names = std::set<std::string>;
    EXPECT_EQ(metricNamesIn("histogram_quantile(0.95, sum by (le, stage) (rate(a_seconds_bucket{stage!=\"total\"}[5m])))"),
              (Names{"a_seconds_bucket"}));
    EXPECT_EQ(metricNamesIn("sum by (state) (rate(a_total{state=~\"f.*\"}[1m])) / ignoring(state) group_left sum(rate(b_total[1m]))"),
              (Names{"a_total", "b_total"}));
    EXPECT_EQ(metricNamesIn("SUM(rate(typo_metric[1m])) BY (code) > bool 0.5"), (Names{"typo_metric"}));
    EXPECT_EQ(metricNamesIn("up offset 5m and on(job) c:recorded unless d"), (Names{"up", "c:recorded", "d"}));
    EXPECT_EQ(metricNamesIn("{__name__=\"e_total\", job=\"x\"} + count_values(\"v\", f)"), (Names{"e_total", "f"}));
    EXPECT_EQ(metricNamesIn("vector(-14) * 1e3 + rate(g[5m:30s])"), (Names{"g"}));
    EXPECT_TRUE(metricNamesIn("vector(1)").empty());
}

TEST(GrafanaDashboard, EveryPanelQueriesMetricsTheServerExports)
{
    const json dashboard = loadDashboard();
    const auto panels = panelsOf(dashboard);
    ASSERT_GE(panels.size(), 10u) << kDashboard;

    TempDir tmp;
    Child serve;
    int port = 0;
    ASSERT_NO_FATAL_FAILURE(startServe(tmp, serve, port));
    ASSERT_NO_FATAL_FAILURE(runOneJob(tmp, serve, port));
    httplib::Client cli("127.0.0.1", port);
    const std::string text = bodyOf(cli, "/metrics");
    const auto exported = parseExposition(text);
    ASSERT_FALSE(exported.families.empty()) << text;

    const std::string uid = yamlValue(kDeploy / "grafana" / "provisioning" / "datasources" / "prometheus.yml", "uid");
    ASSERT_FALSE(uid.empty());
    std::set<std::string> used, ids;
    for (const auto& p : panels) {
        const std::string title = p.value("title", std::string());
        EXPECT_FALSE(title.empty()) << p.dump();
        EXPECT_TRUE(ids.insert(p["id"].dump()).second) << title << ": panel id " << p["id"] << " twice";
        EXPECT_EQ(p.value("datasource", json::object()).value("uid", std::string()), uid) << title;
        const auto targets = p.value("targets", json::array());
        ASSERT_FALSE(targets.empty()) << title << " has no query";
        std::set<std::string> panelNames;
        for (const auto& t : targets) {
            const std::string expr = substituteVariables(t.value("expr", std::string()), dashboard);
            EXPECT_FALSE(expr.empty()) << title;
            EXPECT_EQ(expr.find('$'), std::string::npos) << title << ": unknown variable in " << expr;
            EXPECT_EQ(t.value("datasource", json::object()).value("uid", std::string()), uid) << title << ": " << expr;
            for (const auto& name : metricNamesIn(expr)) {
                EXPECT_TRUE(exported.samples.count(name)) << title << ": `" << name << "` is not exported by mixmaster serve\n  in " << expr;
                panelNames.insert(name);
            }
        }
        EXPECT_FALSE(panelNames.empty()) << title << " reads no metric";
        used.insert(panelNames.begin(), panelNames.end());
    }
    // And the other way round: a family the server exports but no panel shows is a panel lost.
    for (const auto& [family, type] : exported.families)
        EXPECT_TRUE(readsFamily(used, family, type)) << family << " (" << type << ") is exported but no panel reads it";
}

TEST(GrafanaDashboard, ProvisioningMatchesComposeAndScrapeJobs)
{
    const json dashboard = loadDashboard();
    const std::string compose = readText((kDeploy / "docker-compose.yml").string());
    const auto provisioning = kDeploy / "grafana" / "provisioning";
    // The data source is the compose file's Prometheus; the provider reads the folder the
    // compose file mounts the dashboards at.
    EXPECT_EQ(yamlValue(provisioning / "datasources" / "prometheus.yml", "url"), "http://prometheus:9090");
    EXPECT_NE(compose.find("\n  prometheus:\n"), std::string::npos);
    EXPECT_NE(compose.find("\n  grafana:"), std::string::npos);
    EXPECT_NE(compose.find("./grafana/provisioning:/etc/grafana/provisioning:ro"), std::string::npos);
    const std::string path = yamlValue(provisioning / "dashboards" / "mixmaster.yml", "path");
    ASSERT_FALSE(path.empty());
    EXPECT_NE(compose.find("./grafana/dashboards:" + path + ":ro"), std::string::npos) << path;
    EXPECT_NE(compose.find("\"127.0.0.1:3000:3000\""), std::string::npos) << "Grafana listens on this host only";

    // Every job="…" a query selects is a scrape job of deploy/prometheus.yml.
    std::set<std::string> jobs;
    {
        std::istringstream in(readText((kDeploy / "prometheus.yml").string()));
        for (std::string line; std::getline(in, line);)
            if (const auto at = line.find("job_name:"); at != std::string::npos) {
                std::istringstream rest(line.substr(at + 9));
                std::string name;
                rest >> name;
                jobs.insert(name);
            }
    }
    ASSERT_FALSE(jobs.empty());
    for (const auto& q : queriesOf(dashboard))
        for (std::size_t at = q.expr.find("job=\""); at != std::string::npos; at = q.expr.find("job=\"", at + 1)) {
            const std::string job = q.expr.substr(at + 5, q.expr.find('"', at + 5) - at - 5);
            EXPECT_TRUE(jobs.count(job)) << q.panel << ": job \"" << job << "\" is not scraped by deploy/prometheus.yml";
        }
}

TEST(GrafanaDashboard, QueriesParseAndPrometheusConfigPassesPromtool)
{
    if (!havePromtool())
        GTEST_SKIP() << "promtool missing (Debian package prometheus; scripts/setup.sh installs it)";
    std::string out, err;
    EXPECT_EQ(runCommand("promtool check config '" + (kDeploy / "prometheus.yml").string() + "'", &out, &err), 0) << out << err;

    // Each query as a recording rule: promtool parses it with Prometheus's own parser.
    TempDir tmp;
    const auto queries = queriesOf(loadDashboard());
    {
        std::ofstream rules(tmp.file("dashboard-rules.yml"));
        rules << "groups:\n  - name: dashboard\n    rules:\n";
        for (std::size_t i = 0; i < queries.size(); ++i)
            rules << "      - record: dashboard:query_" << i << "\n        expr: " << json(queries[i].expr).dump() << "\n";
    }
    EXPECT_EQ(runCommand("promtool check rules '" + tmp.file("dashboard-rules.yml") + "'", &out, &err), 0)
        << out << err << readText(tmp.file("dashboard-rules.yml"));
    EXPECT_NE(out.find("SUCCESS: " + std::to_string(queries.size()) + " rules found"), std::string::npos) << out;
}

TEST(GrafanaDashboard, EveryPanelShowsDataOnARealPrometheus)
{
    std::string promBin;
    if (runCommand("command -v prometheus", &promBin) != 0)
        GTEST_SKIP() << "prometheus missing (Debian package prometheus; scripts/setup.sh installs it)";
    promBin.erase(promBin.find_last_not_of('\n') + 1);
    const json dashboard = loadDashboard();
    const std::string apiJob = variablesOf(dashboard)["api_job"];
    ASSERT_FALSE(apiJob.empty()) << "the dashboard has no variable api_job";

    TempDir tmp;
    Child serve;
    int port = 0;
    ASSERT_NO_FATAL_FAILURE(startServe(tmp, serve, port));
    // Prometheus scraping it every 0.5 s as the API servers' job the dashboard selects.
    std::ofstream(tmp.file("prometheus.yml")) << "global:\n  scrape_interval: 500ms\nscrape_configs:\n  - job_name: " << apiJob
                                              << "\n    static_configs:\n      - targets: [\"127.0.0.1:" << port << "\"]\n";
    const int promPort = freePort();
    Child prometheus({promBin, "--config.file=" + tmp.file("prometheus.yml"), "--storage.tsdb.path=" + tmp.file("tsdb"),
                      "--web.listen-address=127.0.0.1:" + std::to_string(promPort)},
                     tmp.file("prometheus.log"));
    ASSERT_TRUE(waitForPort(promPort, budget(30))) << readText(prometheus.log());
    httplib::Client prom("127.0.0.1", promPort);
    prom.set_read_timeout(10, 0);
    // Polls until the first sample of `expr` is at least `atLeast`.
    const auto waitFor = [&](const std::string& expr, double atLeast) {
        const auto end = std::chrono::steady_clock::now() + budget(30);
        while (std::chrono::steady_clock::now() < end) {
            std::string why;
            const json data = promQuery(prom, expr, why);
            if (data.is_object() && !data["result"].empty() && std::stod(data["result"][0]["value"][1].get<std::string>()) >= atLeast)
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        return false;
    };
    // Scrapes before the job and after it, so that rates and increases see it happen.
    ASSERT_TRUE(waitFor("sum_over_time(up{job=\"" + apiJob + "\"}[1m])", 3)) << readText(prometheus.log());
    ASSERT_NO_FATAL_FAILURE(runOneJob(tmp, serve, port));
    // Series with labels appear at their first count: rates need two samples of each.
    ASSERT_TRUE(waitFor("sum(mixmaster_audio_true_peak_count)", 1));
    for (const char* series : {"mixmaster_jobs_finished_total{state=\"succeeded\"}", "mixmaster_job_duration_seconds_count",
                               "mixmaster_http_requests_total{code=\"404\"}"})
        ASSERT_TRUE(waitFor(std::string("min(count_over_time(") + series + "[1m]))", 2)) << series;

    // Grafana's intervals for a 0.5-s scrape and a 1-min range.
    const std::map<std::string, std::string> intervals{{"__rate_interval", "30s"}, {"__interval", "1s"}, {"__range", "1m"}};
    // Panels of failures only: nothing to show after one successful job.
    const std::set<std::string> emptyWhenAllSucceed{"Failed and cancelled jobs (share of finished)"};
    bool sawCeiling = false;
    for (const auto& p : panelsOf(dashboard)) {
        const std::string title = p.value("title", std::string());
        std::size_t series = 0;
        for (const auto& t : p.value("targets", json::array())) {
            const std::string expr = substituteVariables(t.value("expr", std::string()), dashboard, intervals);
            std::string why;
            const json data = promQuery(prom, expr, why);
            ASSERT_TRUE(data.is_object()) << title << ": " << expr << "\n" << why;
            series += data["result"].size();
            if (title == "Masters over the ceiling (time range)") {
                // The guardrails keep the master at or under -1 dBTP: 0, which also proves
                // the le="…" matcher meets the bucket (else 1 - 0/1 = 100 %).
                ASSERT_EQ(data["result"].size(), 1u) << data.dump();
                EXPECT_EQ(data["result"][0]["value"][1].get<std::string>(), "0") << "share of masters over the ceiling\n  " << expr;
                sawCeiling = true;
            }
        }
        if (!emptyWhenAllSucceed.count(title)) {
            EXPECT_GT(series, 0u) << title << " shows no data after a job";
        }
    }
    EXPECT_TRUE(sawCeiling) << "panel \"Masters over the ceiling (time range)\" missing";
}
