#include "mastering/MasteringChain.h"

#include "mastering/MasteringPasses.h"

#include "analysis/Analyzer.h"
#include "analysis/LoudnessMeter.h"
#include "analysis/Spectrum.h"
#include "analysis/StereoMeter.h"
#include "core/AudioSource.h"
#include "core/AudioWriter.h"
#include "core/Errors.h"
#include "dsp/Gain.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"
#include "mastering/ToneMatch.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <future>
#include <limits>
#include <memory>

namespace mm {
namespace {

using detail::CachedStages;
using detail::RaiseOnUnwind;
using detail::RenderStages;
using detail::streamAligned;

constexpr std::size_t kBlock = MasteringChain::kBlock;

// Side factor that brings `measuredPct` to `targetPct`: at most 2 (StereoWidth's range)
// and never past kMaxWidthPct, with 1 % room for what the limiter and dither change.
double chooseWidthFactor(double measuredPct, double targetPct)
{
    if (!(measuredPct > 0.1))
        return 1.0; // (nearly) mono: nothing to scale
    const double target = std::clamp(targetPct, 0.0, MasteringChain::kMaxWidthPct);
    double f = std::min(2.0, target / measuredPct);
    f = std::min(f, 0.99 * MasteringChain::kMaxWidthPct / measuredPct);
    return std::max(0.0, f);
}

// Level change (dB) the tone-match curve makes to the band [lo, hi), from the mix's
// third-octave powers: 10·log10(Σ P_k·10^(c_k/10) / Σ P_k).
double curveShiftDb(const std::vector<double>& mixDb, const std::vector<double>& curve, double lo, double hi)
{
    const auto& fc = thirdOctaveCentres();
    double num = 0.0, den = 0.0;
    for (std::size_t k = 0; k < fc.size() && k < mixDb.size() && k < curve.size(); ++k) {
        if (fc[k] < lo || fc[k] >= hi || !std::isfinite(mixDb[k]))
            continue;
        const double p = std::pow(10.0, mixDb[k] / 10.0);
        num += p * std::pow(10.0, curve[k] / 10.0);
        den += p;
    }
    return den > 0.0 ? 10.0 * std::log10(num / den) : 0.0;
}


void validate(const MasteringSettings& s)
{
    if (!(s.widthPct >= 0.0 && s.widthPct <= MasteringChain::kMaxWidthPct))
        throw InputError("width must be between 0 and 140 %");
    if (!(s.ceilingDbtp <= 0.0 && s.ceilingDbtp >= -20.0))
        throw InputError("ceiling must be between -20 and 0 dBTP");
    if (!(s.targetLufs <= 0.0 && s.targetLufs >= -40.0))
        throw InputError("target loudness must be between -40 and 0 LUFS");
    if (!(s.toneMatch.amount >= 0.0 && s.toneMatch.amount <= 1.0))
        throw InputError("tone match amount must be between 0 and 1");
    if (!(s.limiter.lookaheadMs >= 0.5 && s.limiter.lookaheadMs <= 20.0 && s.limiter.releaseMs > 0.0))
        throw InputError("limiter lookahead must be 0.5-20 ms and release positive");
}

} // namespace

MasteringChain::MasteringChain(std::string mixPath, std::string masterPath, MasteringSettings settings)
    : mixPath_(std::move(mixPath)), masterPath_(std::move(masterPath)), stagePath_(masterPath_ + ".stages.tmp"),
      settings_(std::move(settings))
{
    validate(settings_);
}

MasteringChain::~MasteringChain()
{
    std::error_code ec;
    std::filesystem::remove(stagePath_, ec);
}

const MixAnalysis& MasteringChain::analysis()
{
    if (analysed_)
        return analysis_;
    int channels = 0;
    if (settings_.mixAnalysis && settings_.mixAnalysis->crossoversHz == settings_.multiband.crossoversHz) {
        // Measured while the mix was written: no pass over the mix file.
        analysis_ = *settings_.mixAnalysis;
        analysis_.metrics.path = mixPath_;
        channels = analysis_.metrics.channels;
    } else {
        AudioSource source(mixPath_, 0, kBlock);
        const ProcessSpec spec{static_cast<double>(source.sampleRate()), source.channels(), kBlock};
        AnalyzerOptions options;
        options.truePeak = false;
        Analyzer analyzer(spec.sampleRate, spec.channels, options);
        BandLevelMeter bands;
        bands.prepare(spec, settings_.multiband.crossoversHz);
        AudioBuffer block(spec.channels, kBlock);
        const std::int64_t total = source.expectedFrames();
        while (source.read(block) > 0) {
            analyzer.process(block);
            bands.process(block);
            analysis_.frames += static_cast<std::int64_t>(block.frames());
            tick(analysis_.frames, total);
            block.setFrames(kBlock);
        }
        analysis_.metrics = analyzer.finish();
        analysis_.metrics.path = mixPath_;
        analysis_.bandLevelsDb = bands.levelsDb();
        analysis_.crossoversHz = settings_.multiband.crossoversHz;
        channels = spec.channels;
    }
    curve_ = computeToneMatchCurve(analysis_.metrics.thirdOctaveDb, settings_.toneMatch);

    // Band levels after the tone match: the thresholds refer to what the compressors see.
    const auto& x = settings_.multiband.crossoversHz;
    for (std::size_t b = 0; b < analysis_.bandLevelsDb.size(); ++b) {
        const double lo = b == 0 ? 0.0 : x[b - 1];
        const double hi = b < x.size() ? x[b] : 1e9;
        analysis_.bandLevelsDb[b] += curveShiftDb(analysis_.metrics.thirdOctaveDb, curve_, lo, hi);
    }
    widthFactor_ = channels >= 2 ? chooseWidthFactor(analysis_.metrics.widthPct, settings_.widthPct) : 1.0;
    analysed_ = true;
    return analysis_;
}

double MasteringChain::preLimiterLoudness()
{
    if (measured_)
        return preLimiterLufs_;
    analysis();
    // Blocks of 3 × kBlock: the tone match's FIR (4097 taps) then transforms 16384 points
    // per 12288 frames instead of 8192 per 4096, 28 % less FFT work per frame.
    constexpr std::size_t kStageBlock = 3 * kBlock;
    AudioSource source(mixPath_, 0, kStageBlock);
    const ProcessSpec spec{static_cast<double>(source.sampleRate()), source.channels(), kStageBlock};
    CachedStages st(settings_, spec, curve_, analysis_.bandLevelsDb);
    StereoWidth width; // its crossover only (toMidSide); the factor is applied per render
    width.prepare(spec);
    width.setParams({widthFactor_, settings_.monoBelowHz});
    LoudnessMeter loudness(spec.sampleRate, spec.channels, false, true); // integrated only
    StereoMeter stereo;
    AudioWriter stage(stagePath_, source.sampleRate(), source.channels(), OutputFormat::Wav32f);
    AudioBuffer work(spec.channels, kStageBlock);
    streamAligned(
        source, st.tone.latency(), 0, [&](AudioBuffer& b) { st.tone.process(b); }, [&](AudioBuffer& b) { st.multiband.process(b); },
        0, [](std::size_t, AudioBuffer&) {}, [](AudioBuffer&) {},
        [&, total = source.expectedFrames(), done = std::int64_t{0}](const AudioBuffer& b) mutable {
            tick(done += static_cast<std::int64_t>(b.frames()), total);
            stereo.process(b); // before StereoWidth: this is what its factor scales
            work.setFrames(b.frames());
            for (int c = 0; c < b.channels(); ++c)
                std::copy(b.channel(c), b.channel(c) + b.frames(), work.channel(c));
            // The stage file holds mid and side after the width's crossover, which does
            // not depend on the factor: each render only scales the side and sums.
            width.toMidSide(work);
            stage.write(work);
            StereoWidth::fromMidSide(work, widthFactor_);
            loudness.process(work);
        },
        &pool(), kStageBlock);
    stage.commit();
    ++passesDone_;
    multibandReport_ = st.multiband.report();
    preLimiterLufs_ = loudness.result().integratedLufs;
    if (spec.channels >= 2) {
        // The stages before StereoWidth are the cached ones every render reads, so this
        // width is exact for them. The loudness above used the analysis pass's factor; the two
        // differ by the little the tone match and multiband change the width.
        widthInPct_ = stereo.result().widthPct;
        widthFactor_ = chooseWidthFactor(widthInPct_, settings_.widthPct);
    }
    measured_ = true;
    return preLimiterLufs_;
}

void MasteringChain::tick(std::int64_t done, std::int64_t total) const
{
    if (!settings_.progress)
        return;
    const double f = total > 0 ? std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0) : 0.0;
    settings_.progress(std::min(0.99, (static_cast<double>(passesDone_) + f) / kExpectedPasses));
}


MasterResult MasteringChain::renderWithGain(double gainDb) { return render(gainDb, masterPath_); }

MasterResult MasteringChain::render(double gainDb, const std::string& path)
{
    MasterResult r = renderOnce(gainDb, path);
    for (int retry = 0; retry < kMaxCeilingRetries && r.output.truePeakDbtp > settings_.ceilingDbtp; ++retry) {
        extraMarginDb_ += r.output.truePeakDbtp - settings_.ceilingDbtp + 0.05;
        r = renderOnce(gainDb, path);
    }
    if (settings_.renderTap)
        settings_.renderTap->kept(r.tapToken);
    return r;
}

MasterResult MasteringChain::renderOnce(double gainDb, const std::string& path, bool measure)
{
    preLimiterLoudness();
    MasterResult r;
    r.limiterCeilingDbtp = settings_.ceilingDbtp - kCeilingMarginDb - extraMarginDb_;
    {
        AudioSource source(stagePath_, 0, kBlock);
        const ProcessSpec spec{static_cast<double>(source.sampleRate()), source.channels(), kBlock};
        RenderStages st(settings_, spec, gainDb, r.limiterCeilingDbtp);
        AudioWriter writer(path, source.sampleRate(), source.channels(), settings_.format, settings_.ditherSeed);
        std::unique_ptr<LoudnessMeter> loudness;
        if (!measure)
            loudness = std::make_unique<LoudnessMeter>(spec.sampleRate, spec.channels, false, true);
        RenderTap* tap = settings_.renderTap;
        if (tap)
            r.tapToken = tap->begin(source.sampleRate(), source.channels());
        r.frames = streamAligned(
            source, 0, st.limiter.latency(),
            [&](AudioBuffer& b) {
                StereoWidth::fromMidSide(b, widthFactor_); // the stage file holds mid and side
                st.gain.process(b);
            },
            [](AudioBuffer&) {}, static_cast<std::size_t>(source.channels()),
            [&](std::size_t c, AudioBuffer& b) { st.limiter.detect(static_cast<int>(c), b.channel(static_cast<int>(c)), b.frames()); },
            [&](AudioBuffer& b) { st.limiter.apply(b); },
            [&, total = source.expectedFrames(), done = std::int64_t{0}](const AudioBuffer& b) mutable {
                tick(done += static_cast<std::int64_t>(b.frames()), total);
                writer.write(b);
                if (loudness)
                    loudness->process(b);
                if (tap)
                    tap->block(b);
            },
            &pool());
        writer.commit();
        if (tap)
            tap->end();
        ++passesDone_;
        r.multiband = multibandReport_;
        r.limiterMaxGrDb = st.limiter.maxGainReductionDb();
        r.limiterAvgGrDb = st.limiter.averageGainReductionDb();
        if (loudness)
            r.output.integratedLufs = loudness->result().integratedLufs;
    }
    r.path = path;
    r.gainDb = gainDb;
    r.targetLufs = settings_.targetLufs;
    r.preLimiterLufs = preLimiterLufs_;
    r.toneMatchCurveDb = curve_;
    r.widthInPct = widthInPct_;
    r.widthFactor = widthFactor_;
    if (measure)
        measureWritten(r, path);
    r.loudnessErrorLu = r.output.integratedLufs - settings_.targetLufs;
    return r;
}

MasterResult MasteringChain::master()
{
    const double pre = preLimiterLoudness();
    const double target = settings_.targetLufs;
    if (!std::isfinite(pre))
        return renderWithGain(0.0); // silence: nothing to aim

    // Candidates are written beside the master and the best is renamed onto it (same
    // folder, so the rename is atomic); the others are removed, also on an exception.
    struct Candidates {
        std::vector<std::string> paths;
        ~Candidates()
        {
            std::error_code ec;
            for (const auto& p : paths)
                std::filesystem::remove(p, ec);
        }
    } candidates;

    // The gain search starts on two probes side by side, one per core: the output
    // loudness at the gain the pre-limiter loudness asks for and kProbeStepDb higher (the
    // limiter only takes loudness away, so the answer lies above the first gain), both
    // through the limiter's cheap sample-peak detector (TruePeakLimiterParams::
    // samplePeakDetector), nothing written. Their secant gives the first render's gain,
    // which lands within the tolerance in most songs.
    const auto plausible = [](double slope) { return slope > 0.2 && slope < 1.5; };
    double gain = target - pre;
    double slope = 0.0;
    {
        const double g0 = gain, g1 = gain + kProbeStepDb;
        std::future<double> other = std::async(std::launch::async, [this, g1] { return probeLoudness(g1, false); });
        const RaiseOnUnwind stopProbe(abort_); // a cancel must not wait for the other probe's whole pass
        const double out0 = probeLoudness(g0, true);
        const double out1 = other.get();
        ++passesDone_;
        if (std::isfinite(out0) && std::isfinite(out1)) {
            slope = (out1 - out0) / kProbeStepDb;
            const bool nearer1 = std::fabs(out1 - target) < std::fabs(out0 - target); // step from the nearer point
            const double fromGain = nearer1 ? g1 : g0, fromOut = nearer1 ? out1 : out0;
            // The probes read the output kProbeBiasLu louder than the render will be (their
            // detector reduces a little less): aim above the target by that much.
            const double aim = target + kProbeBiasLu;
            gain = fromGain + std::clamp(plausible(slope) ? (aim - fromOut) / slope : aim - fromOut, -12.0, 12.0);
        }
    }

    MasterResult best;
    std::size_t bestIndex = 0;
    double prevGain = 0.0, prevOut = 0.0;
    for (int k = 0; k < kMaxRenders; ++k) {
        candidates.paths.push_back(masterPath_ + ".render" + std::to_string(k) + ".tmp");
        // Candidates are measured in-stream (integrated loudness only); the kept one is
        // read back and measured fully below.
        MasterResult r = renderOnce(gain, candidates.paths.back(), false);
        const double out = r.output.integratedLufs;
        if (k == 0 || std::fabs(r.loudnessErrorLu) < std::fabs(best.loudnessErrorLu)) {
            best = std::move(r);
            bestIndex = static_cast<std::size_t>(k);
        }
        if (!std::isfinite(out) || std::fabs(out - target) <= kLoudnessToleranceLu)
            break;
        // A correction uses the measured slope (the probes' secant, then the last two
        // renders') when it is plausible, else gain += target − measured.
        if (k > 0 && std::fabs(gain - prevGain) > 1e-3)
            slope = (out - prevOut) / (gain - prevGain);
        prevGain = gain;
        prevOut = out;
        gain += std::clamp(plausible(slope) ? (target - out) / slope : target - out, -12.0, 12.0);
    }

    // The full measurement of the written file (libebur128 loudness, LRA, true peak; 8×
    // meter), and the ceiling guarantee: a file reading over the ceiling is rendered again
    // at the same gain with the margin raised by the excess + 0.05 dB.
    {
        measureWritten(best, candidates.paths[bestIndex]);
        best.loudnessErrorLu = best.output.integratedLufs - target;
        for (int retry = 0; retry < kMaxCeilingRetries && best.output.truePeakDbtp > settings_.ceilingDbtp; ++retry) {
            extraMarginDb_ += best.output.truePeakDbtp - settings_.ceilingDbtp + 0.05;
            best = renderOnce(best.gainDb, candidates.paths[bestIndex], true);
        }
    }
    std::error_code ec;
    std::filesystem::rename(candidates.paths[bestIndex], masterPath_, ec);
    if (ec)
        throw InternalError(masterPath_ + ": cannot move master into place (" + ec.message() + ")");
    best.path = masterPath_;
    best.output.path = masterPath_;
    best.renders = static_cast<int>(candidates.paths.size());
    if (settings_.renderTap)
        settings_.renderTap->kept(best.tapToken);
    // Only the master is left beside it: the stage file goes (a later render makes it again).
    std::filesystem::remove(stagePath_, ec);
    measured_ = false;
    return best;
}

MasterResult masterFile(const std::string& mixPath, const std::string& masterPath, const MasteringSettings& settings)
{
    MasteringChain chain(mixPath, masterPath, settings);
    return chain.master();
}

} // namespace mm
