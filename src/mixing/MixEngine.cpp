#include "mixing/MixEngine.h"

#include "analysis/Analyzer.h"
#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"
#include "core/Errors.h"
#include "core/ThreadPool.h"
#include "mixing/Guardrails.h"
#include "mixing/MixRender.h"
#include "mixing/StemAnalysis.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

namespace mm {
namespace {

// The write pass hands each block to parallel parts: larger blocks, fewer hand-overs.
constexpr std::size_t kWriteBlock = 4 * kMixBlock;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string fmt(const char* f, double a, double b = 0.0)
{
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b);
    return buf;
}

void report(const MixOptions& o, const char* stage, double fraction)
{
    if (o.progress)
        o.progress(stage, std::clamp(fraction, 0.0, 1.0));
}

void validate(const std::vector<StemInput>& stems)
{
    if (stems.empty())
        throw InputError("no stems given");
    if (stems.size() > kMaxStems)
        throw InputError(std::to_string(stems.size()) + " stems given; at most " + std::to_string(kMaxStems) + " are allowed");
    std::set<std::string> names;
    for (const auto& s : stems)
        if (!names.insert(s.name).second)
            throw InputError("two stems are named '" + s.name + "'; stem names must be unique");
}

} // namespace

int chooseJobRate(const std::vector<int>& stemRates)
{
    std::map<int, int> count;
    for (int r : stemRates)
        ++count[r % 11025 == 0 ? 44100 : 48000];
    int best = 48000, bestCount = -1;
    for (const auto& [rate, n] : count)
        if (n > bestCount || (n == bestCount && rate == 48000)) {
            best = rate;
            bestCount = n;
        }
    return best;
}

MixResult mixStems(const std::vector<StemInput>& inputs, const MixSettings& settings, const MixPolicy& policy,
                   const MixOptions& options)
{
    const auto tStart = Clock::now();
    validate(inputs);
    MixResult result;
    result.policy = policy.name();
    ThreadPool pool(options.threads > 0 ? options.threads : ThreadPool::defaultThreads());
    const std::size_t n = inputs.size();

    // Open everything first: a bad file fails the job before any work.
    std::vector<int> rates;
    std::vector<double> seconds; // each stem's length
    std::int64_t framesExpected = 0; // for progress
    for (const auto& s : inputs) {
        const AudioFileInfo info = AudioReader(s.path).info();
        rates.push_back(info.sampleRate);
        seconds.push_back(static_cast<double>(info.frames) / std::max(1, info.sampleRate));
        framesExpected += std::max<std::int64_t>(1, info.frames);
    }
    const int rate = options.sampleRate > 0 ? options.sampleRate : chooseJobRate(rates);
    result.sampleRate = rate;

    // Pass 1: analysis (StemAnalysis.h).
    report(options, "analysis", 0.0);
    result.stems.resize(n);
    const std::vector<std::int64_t> lengths = analyseStems(inputs, seconds, rate, framesExpected, options, pool, result.stems);
    const std::int64_t total = *std::max_element(lengths.begin(), lengths.end());
    result.frames = total;
    for (std::size_t i = 0; i < n; ++i)
        if (lengths[i] > 0 && lengths[i] < total)
            result.stems[i].warnings.push_back(inputs[i].name + fmt(": %.2f s shorter than the longest stem; padded with silence",
                                                                    static_cast<double>(total - lengths[i]) / rate));
    result.analysisSeconds = secondsSince(tStart);

    // Decisions, then guardrails.
    std::vector<StemInfo> infos;
    for (const auto& st : result.stems)
        infos.push_back(st.info);
    auto decisions = policy.decide(infos, settings);
    GuardrailLimits limits;
    limits.eqMaxDb = settings.eqMaxDb;
    applyGuardrails(decisions, limits);

    // Bus settings from the expected levels (stem loudness after its fader, as powers).
    double drumPower = 0.0, mixPower = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (decisions[i].muted)
            continue;
        const double p = std::pow(10.0, (infos[i].metrics.integratedLufs + decisions[i].gainDb) / 10.0);
        mixPower += p;
        if (decisions[i].drumBus)
            drumPower += p;
    }
    BusResult drumBus{"drum bus", drumPower > 0.0 && !settings.bypassParallelComp, "", settings.drumParallel};
    drumBus.comp.thresholdDb = (drumPower > 0 ? 10.0 * std::log10(drumPower) : -60.0) - settings.drumParallelGrDb / 2.0;
    drumBus.description = drumPower <= 0.0 ? "no drum stems"
                          : settings.bypassParallelComp ? "parallel compression bypassed (bypass_parallel_comp)"
                                                        : fmt("parallel compression blended at %.0f %% under the dry drums", 100.0 * settings.drumParallelMix);
    BusResult mixBus{"mix bus", mixPower > 0.0, "glue compressor", settings.glue};
    // RMS detector at ratio r: GR = excess·(1 − 1/r); sit the threshold so the mix's typical
    // level exceeds it by the excess that gives the target GR.
    const double excess = settings.glueTargetGrDb / std::max(0.01, 1.0 - 1.0 / settings.glue.ratio);
    mixBus.comp.thresholdDb = (mixPower > 0 ? 10.0 * std::log10(mixPower) : -60.0) - excess;

    // Pass 2: the mix, all stems in step. The faders were set from predictions (filter and
    // compressor losses, uncorrelated stems); if a stem lands more than 0.5 LU away from
    // its place relative to the mix, the faders are corrected from the measurement and the
    // mix is rendered once more.
    const auto tMix = Clock::now();
    std::filesystem::create_directories(options.outDir);
    if (options.exportStems)
        std::filesystem::create_directories(std::filesystem::path(options.outDir) / "stems");
    const std::string tempPath = (std::filesystem::path(options.outDir) / ".mix-float.wav").string();
    RenderOutcome outcome;
    std::vector<double> samplePeaks; // linear, for the stems' true peak in the first render
    if (options.stemTruePeak)
        for (const auto& st : result.stems)
            samplePeaks.push_back(std::pow(10.0, st.info.metrics.samplePeakDbfs / 20.0)); // 0 for −inf
    for (int pass = 1; pass <= 2; ++pass) {
        outcome = renderMix(inputs, decisions, settings, drumBus, mixBus, rate, total, tempPath, options, pool, pass,
                            pass == 1 ? samplePeaks : std::vector<double>{});
        for (std::size_t i = 0; i < outcome.inputTruePeakDbtp.size(); ++i)
            result.stems[i].info.metrics.truePeakDbtp = outcome.inputTruePeakDbtp[i];
        result.balancePasses = pass;
        std::vector<double> errors;
        for (std::size_t i = 0; i < n; ++i)
            if (!decisions[i].muted && std::isfinite(outcome.postLufs[i]))
                errors.push_back(decisions[i].expectedRelativeLu - (outcome.postLufs[i] - outcome.mixLufs));
        if (errors.empty() || pass == 2 || !std::isfinite(outcome.mixLufs))
            break;
        // Compressors that ran over the guardrail: the policy's prediction can under-read
        // (peak detectors on steady or noise-like material, CompressionPrediction.h).
        // GR ≈ (level − threshold)·(1 − 1/ratio), so raise the threshold by the excess over
        // the aim, and take back as much fader.
        bool changed = false;
        const double aimGr = settings.maxAverageGrDb - 1.0;
        for (std::size_t i = 0; i < n; ++i) {
            auto& d = decisions[i];
            if (d.muted || !d.compress || outcome.averageGr[i] < settings.maxAverageGrDb - 0.5)
                continue;
            const double over = outcome.averageGr[i] - aimGr;
            d.comp.thresholdDb += over / std::max(0.05, 1.0 - 1.0 / d.comp.ratio);
            d.gainDb -= over;
            d.compReason += fmt("; threshold raised %.1f dB after the first render measured %.1f dB average gain reduction",
                                over / std::max(0.05, 1.0 - 1.0 / d.comp.ratio), outcome.averageGr[i]);
            changed = true;
        }
        std::vector<double> sorted = errors;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
        const double median = sorted[sorted.size() / 2];
        double worst = 0.0;
        for (double e : errors)
            worst = std::max(worst, std::fabs(e - median));
        if (worst <= 0.5 && !changed)
            break;
        for (std::size_t i = 0; i < n; ++i) {
            auto& d = decisions[i];
            if (d.muted || !std::isfinite(outcome.postLufs[i]) || (settings.respectUserGains && inputs[i].gainDb))
                continue;
            const double fix = d.expectedRelativeLu - (outcome.postLufs[i] - outcome.mixLufs) - median;
            if (std::fabs(fix) >= 0.05) {
                d.gainDb += fix;
                d.gainReason += fmt("; %+.1f dB after measuring the first render", fix);
            }
        }
        applyGuardrails(decisions, limits);
        report(options, "balancing", 1.0);
    }
    for (std::size_t i = 0; i < n; ++i)
        result.stems[i].decision = decisions[i];
    drumBus = outcome.drumBus;
    mixBus = outcome.mixBus;
    const double peak = outcome.peak;
    result.mixingSeconds = secondsSince(tMix);

    // Pass 3: headroom. Gain only, so that the sample peak sits at the preset's headroom.
    const auto tWrite = Clock::now();
    if (options.onWriteStart)
        options.onWriteStart(rate);
    report(options, "writing mix", 0.0);
    const double peakDb = peak > 0.0 ? 20.0 * std::log10(peak) : -200.0;
    result.headroomGainDb = peak > 0.0 ? settings.headroomPeakDbfs - peakDb : 0.0;
    result.mixPath = (std::filesystem::path(options.outDir) / ("mix" + extensionFor(options.format))).string();
    {
        AudioSource src(tempPath, 0, kWriteBlock);
        AnalyzerOptions ao;
        ao.expectedFrames = total;
        ao.truePeak = false;
        ao.fastTruePeak = true;
        Analyzer analyzer(rate, 2, ao);
        AudioWriter writer(result.mixPath, rate, 2, options.format, options.ditherSeed);
        const auto g = static_cast<float>(std::pow(10.0, result.headroomGainDb / 20.0));
        const auto readScaled = [&](AudioBuffer& b) {
            const std::size_t got = src.read(b);
            for (int c = 0; c < 2; ++c)
                for (std::size_t k = 0; k < b.frames(); ++k)
                    b.channel(c)[k] *= g;
            return got;
        };
        // Independent parts run side by side, block by block: the analysis of a block, and
        // its write followed by the read of the next block into the other buffer.
        AudioBuffer blocks[2] = {AudioBuffer(2, kWriteBlock), AudioBuffer(2, kWriteBlock)};
        int cur = 0;
        std::size_t have = readScaled(blocks[cur]);
        std::int64_t written = 0;
        while (have > 0) {
            const AudioBuffer& block = blocks[cur];
            std::size_t nextHave = 0;
            pool.parallelFor(2, [&](std::size_t task) {
                if (task == 0) {
                    analyzer.process(block);
                } else {
                    writer.write(block);
                    nextHave = readScaled(blocks[1 - cur]);
                }
            });
            written += static_cast<std::int64_t>(block.frames());
            report(options, "writing mix", static_cast<double>(written) / static_cast<double>(std::max<std::int64_t>(1, total)));
            have = nextHave;
            cur = 1 - cur;
        }
        writer.commit();
        result.mix = analyzer.finish();
        result.mix.path = result.mixPath;
    }
    std::error_code ec;
    std::filesystem::remove(tempPath, ec);

    // Per-stem results and output checks.
    for (std::size_t i = 0; i < n; ++i) {
        auto& st = result.stems[i];
        st.postLufs = outcome.postLufs[i] + result.headroomGainDb;
        st.postRelativeLu = st.postLufs - result.mix.integratedLufs;
        st.averageGrDb = outcome.averageGr[i];
        st.maxGrDb = outcome.maxGr[i];
        if (st.decision.compress) {
            const bool ok = st.averageGrDb < settings.maxAverageGrDb;
            result.checks.push_back({"average_gr_" + st.info.name, fmt("< %.1f dB", settings.maxAverageGrDb), st.averageGrDb, ok,
                                     ok ? "none" : "warning: compression heavier than the guardrail"});
        }
        for (const auto& w : st.warnings)
            result.warnings.push_back(w);
    }
    {
        const bool ok = mixBus.averageGrDb < settings.maxAverageGrDb;
        result.checks.push_back({"average_gr_mix_bus", fmt("< %.1f dB", settings.maxAverageGrDb), mixBus.averageGrDb, ok,
                                 ok ? "none" : "warning: glue compression heavier than the guardrail"});
    }
    result.buses = {drumBus, mixBus};
    {
        const bool ok = result.mix.samplePeakDbfs <= settings.headroomPeakDbfs + 0.01;
        result.checks.push_back({"mix_sample_peak", fmt("<= %.1f dBFS", settings.headroomPeakDbfs), result.mix.samplePeakDbfs, ok, "none"});
    }
    result.writeSeconds = secondsSince(tWrite);
    report(options, "writing mix", 1.0);
    return result;
}

} // namespace mm
