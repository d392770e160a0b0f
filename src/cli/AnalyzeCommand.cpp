// mixmaster analyze FILE... [--json]
#include "analysis/Analyzer.h"
#include "cli/Commands.h"
#include "cli/Table.h"
#include "core/ThreadPool.h"
#include "pipeline/MetricsJson.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>

namespace mm::cli {
namespace {

struct AnalyzeArgs {
    std::vector<std::string> files;
    bool json = false;
    int threads = 0;
};

void runAnalyze(const AnalyzeArgs& args)
{
    // Files are measured in parallel (one per thread); the output keeps their order, and
    // the first bad file in that order is the error reported (exit 2).
    std::vector<AudioMetrics> results(args.files.size());
    std::vector<std::exception_ptr> errors(args.files.size());
    ThreadPool pool(std::min<int>(args.threads > 0 ? args.threads : ThreadPool::defaultThreads(), static_cast<int>(args.files.size())));
    pool.parallelFor(args.files.size(), [&](std::size_t i) {
        try {
            results[i] = analyzeFile(args.files[i]);
        } catch (...) {
            errors[i] = std::current_exception();
        }
    });
    for (const auto& e : errors)
        if (e)
            std::rethrow_exception(e);
    for (const auto& m : results)
        for (const auto& w : m.warnings)
            std::fprintf(stderr, "mixmaster: warning: %s\n", w.c_str());
    if (args.json) {
        nlohmann::json out;
        if (results.size() == 1) {
            out = metricsToJson(results[0]);
        } else {
            out = nlohmann::json::array();
            for (const auto& m : results)
                out.push_back(metricsToJson(m));
        }
        std::cout << out.dump(2) << '\n';
        return;
    }
    Table table({"file", "rate", "ch", "dur s", "LUFS-I", "LRA", "dBTP", "peak", "M max", "S max", "crest", "corr", "width%"});
    for (const auto& m : results)
        table.add({std::filesystem::path(m.path).filename().string(), std::to_string(m.sampleRate),
                   std::to_string(m.channels), fmt(m.durationS, 2), fmt(m.integratedLufs), fmt(m.lraLu),
                   fmt(m.truePeakDbtp), fmt(m.samplePeakDbfs), fmt(m.maxMomentaryLufs), fmt(m.maxShortTermLufs),
                   fmt(m.crestDb), fmt(m.correlation, 2), fmt(m.widthPct, 0)});
    std::cout << table.render();
}

} // namespace

void addAnalyzeCommand(CLI::App& app)
{
    auto args = std::make_shared<AnalyzeArgs>();
    auto* cmd = app.add_subcommand("analyze", "Measure loudness (EBU R128), true peak, stereo image and spectrum of audio files");
    cmd->add_option("FILE", args->files, "WAV, AIFF or FLAC files")->required();
    cmd->add_flag("--json", args->json, "One JSON object per file (an array for several)");
    cmd->add_option("--threads", args->threads, "Files measured at once (0 = one per core)")->check(CLI::Range(0, 64));
    cmd->callback([args] {
        runAnalyze(*args);
        setExitCode(0);
    });
}

} // namespace mm::cli
