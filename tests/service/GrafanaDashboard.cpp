#include "GrafanaDashboard.h"

#include <cctype>

using nlohmann::json;

namespace mm::test {
namespace {

void collectPanels(const json& list, std::vector<json>& out)
{
    for (const auto& p : list) {
        if (p.value("type", std::string()) == "row")
            collectPanels(p.value("panels", json::array()), out);
        else
            out.push_back(p);
    }
}

} // namespace

const std::map<std::string, std::string> kGrafanaIntervals{{"__rate_interval", "1m"}, {"__interval", "15s"}, {"__range", "6h"}};

std::vector<json> panelsOf(const json& dashboard)
{
    std::vector<json> out;
    collectPanels(dashboard.value("panels", json::array()), out);
    return out;
}

std::map<std::string, std::string> variablesOf(const json& dashboard)
{
    std::map<std::string, std::string> vars;
    for (const auto& v : dashboard.at("templating").value("list", json::array()))
        vars[v.value("name", std::string())] = v.at("current").at("value").get<std::string>();
    return vars;
}

std::string substituteVariables(const std::string& expr, const json& dashboard, const std::map<std::string, std::string>& intervals)
{
    std::map<std::string, std::string> vars = variablesOf(dashboard);
    vars.insert(intervals.begin(), intervals.end());
    std::string out;
    for (std::size_t i = 0; i < expr.size();) {
        if (expr[i] != '$') {
            out += expr[i++];
            continue;
        }
        const bool braced = i + 1 < expr.size() && expr[i + 1] == '{';
        const std::size_t start = i + (braced ? 2 : 1);
        std::size_t j = start;
        while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_'))
            ++j;
        const std::string name = expr.substr(start, j - start);
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

std::vector<PanelQuery> queriesOf(const json& dashboard)
{
    std::vector<PanelQuery> out;
    for (const auto& p : panelsOf(dashboard))
        for (const auto& t : p.value("targets", json::array()))
            out.push_back({p.value("title", std::string()), substituteVariables(t.value("expr", std::string()), dashboard)});
    return out;
}

} // namespace mm::test
