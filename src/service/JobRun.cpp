#include "service/JobRun.h"

#include "core/Errors.h"
#include "service/JobSpecJson.h"

#include <algorithm>
#include <chrono>

namespace mm::service {
namespace {

using Clock = std::chrono::steady_clock;

/// Thrown from the progress callback to unwind the pipeline.
struct JobInterrupted {};

/// The share of the whole job before each stage starts and its weight, measured on
/// typical 4-minute jobs: analysis and mastering dominate, the preview is short.
struct StageSpan {
    const char* stage;
    double start, weight;
};
constexpr StageSpan kStages[] = {{"analysis", 0.0, 0.15}, {"mixing", 0.15, 0.35}, {"balancing", 0.5, 0.05},
                                 {"writing mix", 0.55, 0.05}, {"mastering", 0.6, 0.35}, {"preview", 0.95, 0.05}};

double overallProgress(const std::string& stage, double fraction, double previous)
{
    for (const auto& s : kStages)
        if (stage == s.stage)
            return std::max(previous, std::clamp(s.start + s.weight * fraction, 0.0, 1.0));
    return previous;
}

// Progress goes to the store at most this often (plus every stage change).
constexpr auto kProgressInterval = std::chrono::milliseconds(250);

} // namespace

std::vector<std::string> inputNames(const nlohmann::json& spec)
{
    std::vector<std::string> names = spec.value("stems", std::vector<std::string>{});
    const auto& ref = spec.value("reference", nlohmann::json());
    if (ref.is_string())
        names.push_back(ref.get<std::string>());
    return names;
}

JobOutcome runStoredJob(const JobRecord& job, const BlobStore& blobs, Metrics& metrics, int threads, const JobRunHooks& hooks)
{
    const auto t0 = Clock::now();
    std::string stage;
    auto stageStart = t0, lastWrite = t0;
    double progress = 0.0;
    JobOutcome out;
    try {
        JobSpec spec = jobSpecFromJson(job.spec, job.id, blobs);
        spec.threads = std::max(1, threads);
        spec.progress = [&](const std::string& s, double f) {
            if (hooks.stop && hooks.stop())
                throw JobInterrupted{};
            const auto now = Clock::now();
            progress = overallProgress(s, f, progress);
            if (s != stage) {
                if (!stage.empty())
                    metrics.observeStage(stage, std::chrono::duration<double>(now - stageStart).count());
                stage = s;
                stageStart = now;
            } else if (now - lastWrite < kProgressInterval) {
                return;
            }
            lastWrite = now;
            if (hooks.progress)
                hooks.progress(stage, progress);
        };
        const JobResult r = runJob(spec);
        const auto now = Clock::now();
        if (!stage.empty())
            metrics.observeStage(stage, std::chrono::duration<double>(now - stageStart).count());
        metrics.observeStage("total", std::chrono::duration<double>(now - t0).count());
        out.summary = summaryFromReport(r.report);
        if (out.summary["integrated_lufs"].is_number() && out.summary["true_peak_dbtp"].is_number())
            metrics.observeMaster(out.summary["integrated_lufs"].get<double>(), out.summary["true_peak_dbtp"].get<double>());
        out.status = status::kSucceeded;
    } catch (const JobInterrupted&) {
        out.status = hooks.cancelled && hooks.cancelled() ? status::kCancelled : "";
    } catch (const InputError& e) {
        out.status = status::kFailed;
        out.errorCode = "bad_input";
        out.errorMessage = e.what();
    } catch (const std::exception& e) {
        out.status = status::kFailed;
        out.errorCode = "internal_error";
        out.errorMessage = std::string("the job failed inside MixMaster: ") + e.what() + "; try again or report it with the job id";
    }
    out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return out;
}

} // namespace mm::service
