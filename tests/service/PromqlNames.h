#pragma once
// The metric names a PromQL expression reads, for tests that hold dashboards and alerts to
// what the server exports. Deliberately strict: every bare identifier that is not a
// function call, an aggregation, a keyword or a label list counts as a metric name, so a
// misspelt metric is found rather than passed over.
#include <set>
#include <string>

namespace mm::test {

/// Metric names in `expr`: bare selectors (`foo_total`, `foo_bucket{le="1"}`) and
/// `{__name__="foo"}` matchers. Label names and values, durations, numbers, string
/// literals, functions (`rate(`), aggregations with `by`/`without`, and vector-matching
/// keywords (`on`, `ignoring`, `group_left`) are skipped.
std::set<std::string> metricNamesIn(const std::string& expr);

} // namespace mm::test
