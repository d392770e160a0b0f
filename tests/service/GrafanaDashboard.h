#pragma once
// Reading a Grafana dashboard's queries as Prometheus receives them, for the tests that
// hold deploy/grafana/ to the metrics the server exports.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace mm::test {

/// Every panel but rows, including the panels of collapsed rows.
std::vector<nlohmann::json> panelsOf(const nlohmann::json& dashboard);

/// The dashboard's template variables by name, at their current values.
std::map<std::string, std::string> variablesOf(const nlohmann::json& dashboard);

/// Grafana's interval variables as a 15-s scrape interval and the default 6-h range give them.
extern const std::map<std::string, std::string> kGrafanaIntervals;

/// An expression as Prometheus receives it: `$name` and `${name}` replaced by the
/// dashboard's variables, Grafana's interval variables by `intervals`. An unknown variable
/// is left as it is (callers fail on the remaining '$').
std::string substituteVariables(const std::string& expr, const nlohmann::json& dashboard,
                                const std::map<std::string, std::string>& intervals = kGrafanaIntervals);

struct PanelQuery {
    std::string panel, expr; ///< the panel's title; the expr with the variables substituted
};
/// Every query of every panel, in panel order.
std::vector<PanelQuery> queriesOf(const nlohmann::json& dashboard);

} // namespace mm::test
