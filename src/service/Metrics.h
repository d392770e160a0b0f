#pragma once
// The service's Prometheus metrics, kept in memory and rendered as text exposition
// format 0.0.4 (every family with HELP and TYPE; counters end in _total). The names are
// the contract of DESIGN.md: dashboards in deploy/ read them.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mm::service {

/// A cumulative histogram with fixed upper bounds.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double v);
    /// `name_bucket{labels,le="…"} …`, `name_sum{labels}`, `name_count{labels}` lines.
    void render(std::string& out, const std::string& name, const std::string& labels) const;

private:
    std::vector<double> bounds_;
    std::vector<unsigned long long> counts_; ///< per bucket, not cumulative; last = +Inf
    double sum_ = 0.0;
    unsigned long long count_ = 0;
};

/// Values read at scrape time from the store and the worker pool. A `mixmaster worker`
/// process reads no store: it leaves jobsByState empty and queueLength unset (the API
/// server's /metrics has them for the whole fleet).
struct MetricsSnapshot {
    std::map<std::string, int> jobsByState;
    std::optional<std::size_t> queueLength;
    int busyWorkers = 0, workers = 0;
};

class Metrics {
public:
    Metrics();
    void observeStage(const std::string& stage, double seconds);
    void observeMaster(double integratedLufs, double truePeakDbtp);
    /// A job this process started running (a retried job counts at each start).
    void countClaimedJob();
    void countFinishedJob(const std::string& state);
    void countRequest(const std::string& route, int code);
    std::string render(const MetricsSnapshot& now) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, Histogram> stageSeconds_;
    Histogram lufs_, truePeak_;
    unsigned long long claimed_ = 0;
    std::map<std::string, unsigned long long> finished_;
    std::map<std::pair<std::string, int>, unsigned long long> requests_;
};

/// A label value escaped for the exposition format (backslash, quote, newline).
std::string escapeLabel(const std::string& v);

} // namespace mm::service
