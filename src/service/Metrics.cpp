#include "service/Metrics.h"

#include "pipeline/Job.h"
#include "service/JobStore.h"

#include <cmath>
#include <cstdio>

namespace mm::service {
namespace {

std::string number(double v)
{
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v))
        return "NaN";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string withLabel(const std::string& labels, const std::string& extra)
{
    if (labels.empty())
        return "{" + extra + "}";
    return "{" + labels + "," + extra + "}";
}

void header(std::string& out, const char* name, const char* type, const char* help)
{
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::vector<double> range(double from, double to, double step)
{
    std::vector<double> v;
    for (double x = from; x <= to + 1e-9; x += step)
        v.push_back(std::round(x * 100.0) / 100.0);
    return v;
}

// Job stages take from a fraction of a second (short stems) to minutes (long songs).
const std::vector<double> kSecondsBuckets{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

} // namespace

std::string escapeLabel(const std::string& v)
{
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v)
{
    if (!std::isfinite(v))
        return;
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i])
        ++i;
    ++counts_[i];
    sum_ += v;
    ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const
{
    unsigned long long cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += counts_[i];
        const std::string le = i < bounds_.size() ? number(bounds_[i]) : "+Inf";
        out += name + "_bucket" + withLabel(labels, "le=\"" + le + "\"") + " " + std::to_string(cumulative) + "\n";
    }
    const std::string l = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + l + " " + number(sum_) + "\n";
    out += name + "_count" + l + " " + std::to_string(count_) + "\n";
}

// Loudness buckets every 2 LU over the range streaming and club masters span; true peak
// every 0.5 dB around the usual −1 dBTP ceiling.
Metrics::Metrics() : lufs_(range(-30.0, -4.0, 2.0)), truePeak_(range(-6.0, 1.0, 0.5))
{
    // Every known series from the start, at zero: Prometheus's rate() and increase() need
    // a sample before the first event, or a process's first job of a stage, or first
    // failure, never shows on a dashboard.
    for (const char* stage : kJobStages)
        stageSeconds_.try_emplace(stage, kSecondsBuckets);
    stageSeconds_.try_emplace("total", kSecondsBuckets);
    for (const char* state : {status::kSucceeded, status::kFailed, status::kCancelled})
        finished_.try_emplace(state, 0);
}

void Metrics::observeStage(const std::string& stage, double seconds)
{
    std::lock_guard lock(mutex_);
    stageSeconds_.try_emplace(stage, kSecondsBuckets).first->second.observe(seconds);
}

void Metrics::observeMaster(double integratedLufs, double truePeakDbtp)
{
    std::lock_guard lock(mutex_);
    lufs_.observe(integratedLufs);
    truePeak_.observe(truePeakDbtp);
}

void Metrics::countClaimedJob()
{
    std::lock_guard lock(mutex_);
    ++claimed_;
}

void Metrics::countFinishedJob(const std::string& state)
{
    std::lock_guard lock(mutex_);
    ++finished_[state];
}

void Metrics::countRequest(const std::string& route, int code)
{
    std::lock_guard lock(mutex_);
    ++requests_[{route, code}];
}

std::string Metrics::render(const MetricsSnapshot& now) const
{
    std::lock_guard lock(mutex_);
    std::string out;
    header(out, "mixmaster_job_duration_seconds", "histogram",
           "Time spent in each stage of a job (stage=\"total\" for the whole job), seconds.");
    for (const auto& [stage, h] : stageSeconds_)
        h.render(out, "mixmaster_job_duration_seconds", "stage=\"" + escapeLabel(stage) + "\"");
    header(out, "mixmaster_jobs", "gauge", "Jobs in the store by state.");
    for (const auto& [state, n] : now.jobsByState)
        out += "mixmaster_jobs{state=\"" + escapeLabel(state) + "\"} " + std::to_string(n) + "\n";
    header(out, "mixmaster_jobs_claimed_total", "counter", "Jobs this process started running (each start of a retried job).");
    out += "mixmaster_jobs_claimed_total " + std::to_string(claimed_) + "\n";
    header(out, "mixmaster_jobs_finished_total", "counter", "Jobs finished by this process, by final state.");
    for (const auto& [state, n] : finished_)
        out += "mixmaster_jobs_finished_total{state=\"" + escapeLabel(state) + "\"} " + std::to_string(n) + "\n";
    if (now.queueLength) {
        header(out, "mixmaster_queue_length", "gauge", "Jobs waiting for a worker.");
        out += "mixmaster_queue_length " + std::to_string(*now.queueLength) + "\n";
    }
    header(out, "mixmaster_worker_busy", "gauge", "Workers of this process running a job.");
    out += "mixmaster_worker_busy " + std::to_string(now.busyWorkers) + "\n";
    header(out, "mixmaster_workers", "gauge", "Workers in the pool.");
    out += "mixmaster_workers " + std::to_string(now.workers) + "\n";
    header(out, "mixmaster_audio_lufs", "histogram", "Integrated loudness of the masters, LUFS.");
    lufs_.render(out, "mixmaster_audio_lufs", "");
    header(out, "mixmaster_audio_true_peak", "histogram", "True peak of the masters, dBTP.");
    truePeak_.render(out, "mixmaster_audio_true_peak", "");
    header(out, "mixmaster_http_requests_total", "counter", "HTTP requests by route and status code.");
    for (const auto& [key, n] : requests_)
        out += "mixmaster_http_requests_total{route=\"" + escapeLabel(key.first) + "\",code=\"" + std::to_string(key.second) +
               "\"} " + std::to_string(n) + "\n";
    return out;
}

} // namespace mm::service
