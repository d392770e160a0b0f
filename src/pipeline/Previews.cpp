#include "pipeline/Previews.h"

#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"
#include "core/AudioWriter.h"
#include "core/OpusWriter.h"
#include "dsp/TruePeakMeter.h"
#include "pipeline/MetricsJson.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <future>
#include <limits>
#include <memory>

namespace mm {

/// Frames done across all previews, and the stop flag; shared with the preview threads.
struct PreviewWriter::Shared {
    std::atomic<std::int64_t> framesDone{0};
    std::atomic<bool> stop{false};
};

namespace {

using Shared = PreviewWriter::Shared;

constexpr std::size_t kBlock = 4096;

/// Thrown inside a preview thread when the caller asked to stop.
struct PreviewStopped {};

/// One file, or several summed sample by sample at unity gain (mono on both channels of
/// a stereo sum; a shorter file counts as silence after its end).
class SummedSource {
public:
    SummedSource(const std::vector<std::string>& paths, int rate)
    {
        for (const auto& p : paths) {
            sources_.push_back(std::make_unique<AudioSource>(p, rate, kBlock));
            scratch_.emplace_back(sources_.back()->channels(), kBlock);
            channels_ = std::max(channels_, sources_.back()->channels());
            frames_ = std::max(frames_, sources_.back()->expectedFrames());
        }
        channels_ = std::min(channels_, 2);
    }
    int channels() const { return channels_; }
    std::int64_t expectedFrames() const { return frames_; }

    /// Fills `out` (channels() × kBlock); returns the frames, 0 at the end of every source.
    std::size_t read(AudioBuffer& out)
    {
        out.setFrames(kBlock);
        out.clear();
        std::size_t longest = 0;
        for (std::size_t k = 0; k < sources_.size(); ++k) {
            AudioBuffer& in = scratch_[k];
            in.setFrames(kBlock);
            const std::size_t n = sources_[k]->read(in);
            longest = std::max(longest, n);
            for (int c = 0; c < channels_; ++c) {
                const float* x = in.channel(std::min(c, in.channels() - 1));
                float* o = out.channel(c);
                for (std::size_t i = 0; i < n; ++i)
                    o[i] += x[i];
            }
        }
        out.setFrames(longest);
        return longest;
    }

private:
    std::vector<std::unique_ptr<AudioSource>> sources_;
    int channels_ = 1;
    std::int64_t frames_ = 0;
    std::vector<AudioBuffer> scratch_; ///< one per source, its own channel count
};

void checkStop(const Shared& shared)
{
    if (shared.stop.load(std::memory_order_relaxed))
        throw PreviewStopped{};
}

struct Measured {
    double lufs, truePeakDbtp;
};

/// Integrated loudness (BS.1770 gating, I mode) and true peak (the block-wise 4× meter of
/// the analysis) of a source whose figures the caller does not know (the stem sum). With
/// `copy`, what was read is also written there (the sum, so the encode reads one file
/// instead of every stem).
Measured measure(SummedSource& src, int rate, Shared& shared, AudioWriter* copy = nullptr)
{
    LoudnessMeter meter(rate, src.channels(), false, true);
    Ebur128TruePeak peak;
    peak.prepare(src.channels(), rate);
    AudioBuffer block(src.channels(), kBlock);
    while (std::size_t n = src.read(block)) {
        checkStop(shared);
        meter.process(block);
        peak.process(block);
        if (copy)
            copy->write(block);
        shared.framesDone += static_cast<std::int64_t>(n);
    }
    return {meter.result().integratedLufs, linearToDb(peak.truePeak())};
}

/// Removes a file when it goes out of scope.
struct TempFile {
    std::string path;
    ~TempFile()
    {
        std::error_code ec;
        if (!path.empty())
            std::filesystem::remove(path, ec);
    }
};

PreviewResult writeOne(const PreviewSpec& spec, int rate, Shared& shared)
{
    PreviewResult r;
    r.name = spec.name;
    r.path = spec.path;
    r.sourceLufs = spec.sourceLufs;
    double peak = spec.sourcePeakDbtp;
    std::vector<std::string> sources = spec.sources;
    TempFile sum;
    if (std::isnan(peak) || std::isnan(r.sourceLufs)) {
        SummedSource src(spec.sources, rate);
        std::unique_ptr<AudioWriter> copy;
        if (spec.sources.size() > 1) { // the sum, kept for the encode: one decode of each stem
            sum.path = spec.path + ".sum.tmp";
            copy = std::make_unique<AudioWriter>(sum.path, rate, src.channels(), OutputFormat::Wav32f);
        }
        const Measured m = measure(src, rate, shared, copy.get());
        if (copy) {
            copy->commit();
            sources = {sum.path};
        }
        peak = m.truePeakDbtp;
        r.sourceLufs = m.lufs;
    }
    r.gainDb = std::isfinite(peak) ? std::min(0.0, kPreviewSourcePeakDbtp - peak) : 0.0;
    const auto gain = static_cast<float>(std::pow(10.0, r.gainDb / 20.0));
    {
        SummedSource src(sources, rate);
        OpusWriter w(spec.path, rate, src.channels());
        AudioBuffer block(src.channels(), kBlock);
        while (std::size_t n = src.read(block)) {
            checkStop(shared);
            for (int c = 0; c < block.channels(); ++c) {
                float* x = block.channel(c);
                for (std::size_t i = 0; i < n; ++i)
                    x[i] *= gain;
            }
            w.write(block);
            shared.framesDone += static_cast<std::int64_t>(n);
        }
        w.commit();
    }
    // What the preview plays at: its source's figures after the gain. Decoding the file to
    // measure it cost more than a third of the previews' time; Opus at 128 kb/s keeps the
    // loudness within 0.2 LU (above 20 kHz it cuts) and adds at most about 1 dB of true peak (PreviewsTest).
    r.lufs = r.sourceLufs + r.gainDb;
    r.truePeakDbtp = peak + r.gainDb;
    return r;
}

} // namespace

std::vector<std::string> rawSumSources(const std::vector<StemInput>& stems)
{
    std::vector<std::string> out;
    for (const auto& s : stems)
        if (!s.mute)
            out.push_back(s.path);
    return out;
}

PreviewWriter::PreviewWriter(std::vector<PreviewSpec> specs, int sampleRate, bool parallel)
    : specs_(std::move(specs)), shared_(std::make_shared<Shared>())
{
    // The work in frames: a measuring pass when the source's figures are unknown, the encode.
    for (const auto& s : specs_) {
        std::int64_t frames = 0;
        for (const auto& p : s.sources)
            frames = std::max(frames, AudioSource(p, sampleRate, kBlock).expectedFrames());
        total_ += frames * (std::isnan(s.sourcePeakDbtp) || std::isnan(s.sourceLufs) ? 2 : 1);
    }
    const auto runAll = [shared = shared_, sampleRate](std::vector<PreviewSpec> list) {
        std::vector<PreviewResult> out;
        for (const auto& s : list)
            out.push_back(writeOne(s, sampleRate, *shared));
        return out;
    };
    if (parallel) {
        for (const auto& s : specs_)
            futures_.push_back(std::async(std::launch::async, runAll, std::vector<PreviewSpec>{s}));
    } else {
        futures_.push_back(std::async(std::launch::async, runAll, specs_));
    }
}

PreviewWriter::~PreviewWriter()
{
    if (done_)
        return;
    // Abandoned (the job failed or was cancelled): stop the threads, drop their files.
    shared_->stop = true;
    for (auto& f : futures_)
        if (f.valid())
            f.wait();
    removeFiles();
}

void PreviewWriter::removeFiles() const
{
    for (const auto& s : specs_) {
        std::error_code ec;
        std::filesystem::remove(s.path, ec);
    }
}

double PreviewWriter::progress() const
{
    return total_ > 0 ? std::min(1.0, static_cast<double>(shared_->framesDone.load()) / static_cast<double>(total_)) : 0.0;
}

std::vector<PreviewResult> PreviewWriter::wait(const ProgressFn& progress)
{
    // The calling thread reports progress (the callback may throw to cancel) while the
    // previews are written; on any exception the others are stopped before it propagates.
    done_ = true;
    std::exception_ptr failure;
    for (auto& f : futures_) {
        while (!failure) {
            try {
                if (progress)
                    progress("preview", this->progress());
            } catch (...) {
                failure = std::current_exception();
                shared_->stop = true;
            }
            if (f.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready)
                break;
        }
    }
    std::vector<PreviewResult> results;
    for (auto& f : futures_) {
        try {
            for (auto& r : f.get())
                results.push_back(std::move(r));
        } catch (const PreviewStopped&) {
        } catch (...) {
            if (!failure)
                failure = std::current_exception();
            shared_->stop = true;
        }
    }
    if (failure) {
        removeFiles();
        std::rethrow_exception(failure);
    }
    return results;
}

std::vector<PreviewResult> writePreviews(const std::vector<PreviewSpec>& specs, int sampleRate, bool parallel,
                                         const ProgressFn& progress)
{
    return PreviewWriter(specs, sampleRate, parallel).wait(progress);
}

nlohmann::json previewsToJson(const std::vector<PreviewResult>& previews)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& p : previews)
        j[p.name] = {{"file", std::filesystem::path(p.path).filename().string()},
                     {"gain_db", jsonNumber(p.gainDb)},
                     {"source_lufs", jsonNumber(p.sourceLufs)},
                     {"lufs", jsonNumber(p.lufs)},
                     {"true_peak_dbtp", jsonNumber(p.truePeakDbtp)}};
    return j;
}

} // namespace mm
