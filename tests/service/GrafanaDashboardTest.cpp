// deploy/grafana/ against the real thing: every metric each panel of the dashboard queries is
// one a `mixmaster serve` process exports after it ran a job (histograms by their _bucket,
// _sum and _count series), every metric family it exports has a panel, every panel reads the
// provisioned Prometheus data source, the provisioning files agree with the compose file,
// and (with promtool) every query parses as PromQL and deploy/prometheus.yml is valid.
#include "PromqlNames.h"
#include "ScaleTestUtil.h"
#include "ServiceTestUtil.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

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

/// Every panel but rows, including the panels of collapsed rows.
void collectPanels(const json& list, std::vector<json>& out)
{
    for (const auto& p : list) {
        if (p.value("type", std::string()) == "row")
            collectPanels(p.value("panels", json::array()), out);
        else
            out.push_back(p);
    }
}

std::vector<json> panelsOf(const json& dashboard)
{
    std::vector<json> out;
    collectPanels(dashboard.value("panels", json::array()), out);
    return out;
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

/// An expression as Prometheus receives it: the dashboard's variables replaced by their
/// current values, Grafana's interval variables by typical ones. An unknown variable is
/// left as it is (and the callers fail on the remaining '$').
std::string substituteVariables(const std::string& expr, const json& dashboard)
{
    std::map<std::string, std::string> vars{{"__rate_interval", "1m"}, {"__interval", "15s"}, {"__range", "6h"}};
    for (const auto& v : dashboard.at("templating").value("list", json::array()))
        vars[v.value("name", std::string())] = v.at("current").at("value").get<std::string>();
    std::string out;
    for (std::size_t i = 0; i < expr.size();) {
        if (expr[i] != '$') {
            out += expr[i++];
            continue;
        }
        const bool braced = i + 1 < expr.size() && expr[i + 1] == '{';
        std::size_t j = i + (braced ? 2 : 1);
        while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_'))
            ++j;
        const std::string name = expr.substr(i + (braced ? 2 : 1), j - i - (braced ? 2 : 1));
        const bool closed = !braced || (j < expr.size() && expr[j] == '}');
        if (vars.count(name) && closed) {
            out += vars[name];
            i = j + (braced ? 1 : 0);
        } else {
            out += expr[i++];
        }
    }
    return out;
}

struct Query {
    std::string panel, expr; ///< expr with the variables substituted
};

std::vector<Query> queriesOf(const json& dashboard)
{
    std::vector<Query> out;
    for (const auto& p : panelsOf(dashboard))
        for (const auto& t : p.value("targets", json::array()))
            out.push_back({p.value("title", std::string()), substituteVariables(t.value("expr", std::string()), dashboard)});
    return out;
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

    // A real `mixmaster serve` that has run a job and answered a 404, so every family has samples.
    TempDir tmp;
    const int port = freePort();
    Child serve({MIXMASTER_BIN, "serve", "--host", "127.0.0.1", "--port", std::to_string(port), "--data-dir", tmp.file("data"),
                 "--workers", "1", "--retention-hours", "0"},
                tmp.file("serve.log"));
    ASSERT_TRUE(waitForPort(port, budget(30))) << readText(serve.log());
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    const auto r = submitJob(cli, {{"preset", "Pop"}},
                             {{"drums.wav", writeStem(tmp, "drums.wav", "drums", 1.5)}, {"bass.wav", writeStem(tmp, "bass.wav", "bass", 1.5)}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const auto job = waitForEnd(cli, bodyJson(r).value("job_id", std::string()), budget(60));
    ASSERT_EQ(job.value("status", std::string()), "succeeded") << job.dump() << readText(serve.log());
    EXPECT_EQ(errorCode(cli.Get("/v1/jobs/0123456789abcdef0123456789abcdef")), "not_found");
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
