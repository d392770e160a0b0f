#pragma once
// The browser previews of a job (Ogg Opus, core/OpusWriter.h): the raw stem sum, the mix and the master,
// each lowered so that the encoded file keeps headroom below 0 dBTP, with the loudness it
// plays at, so a player can loudness-match them from the report alone.
#include "mixing/MixEngine.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <future>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace mm {

/// The true peak a preview's source is brought down to before encoding. Lossy codecs
/// overshoot the source's true peak on dense, limited material (a −1.05 dBTP master
/// measured −0.40 dBTP as Opus, +0.85 dBTP as Vorbis; −3 dBTP sources read −2.2 … −3.0
/// as Opus), so −3 dBTP leaves the file about 2 dB of headroom.
inline constexpr double kPreviewSourcePeakDbtp = -3.0;

struct PreviewSpec {
    std::string name;                 ///< "stems", "mix", "master"
    std::string path;                 ///< the .ogg written
    std::vector<std::string> sources; ///< one file, or several summed at unity gain
    double sourcePeakDbtp = 0.0;      ///< the sources' (sum's) true peak when known; NaN: measured here
    /// The sources' integrated loudness when known; NaN (or a NaN peak): both measured here.
    double sourceLufs = std::numeric_limits<double>::quiet_NaN();
};

struct PreviewResult {
    std::string name, path;
    double gainDb = 0.0;         ///< applied before encoding (≤ 0)
    double sourceLufs = 0.0;     ///< of the source (the sum), before the gain
    double lufs = 0.0;           ///< what the preview plays at: sourceLufs + gainDb (Opus: within 0.2 LU)
    double truePeakDbtp = 0.0;   ///< the source's after gainDb, before encoding (Opus adds up to ~1 dB)
};

/// The stems a raw sum is made of: every stem not muted, as uploaded.
std::vector<std::string> rawSumSources(const std::vector<StemInput>& stems);

/// Writes previews on background threads from construction on, so a caller can go on
/// (e.g. master the mix while the stem and mix previews encode). wait() collects them;
/// a writer destroyed without wait() (the job failed or was cancelled) stops its threads
/// and removes its files.
class PreviewWriter {
public:
    struct Shared;

    /// Starts writing every preview at `sampleRate` (as writePreviews()).
    PreviewWriter(std::vector<PreviewSpec> specs, int sampleRate, bool parallel);
    ~PreviewWriter();
    PreviewWriter(const PreviewWriter&) = delete;
    PreviewWriter& operator=(const PreviewWriter&) = delete;

    /// Fraction of the work done, 0..1.
    double progress() const;
    /// Waits for the previews; `progress` ("preview", 0..1) is called on the calling
    /// thread about every 100 ms and may throw to cancel (the files are then removed).
    /// Call once.
    std::vector<PreviewResult> wait(const ProgressFn& progress);

private:
    void removeFiles() const;

    std::vector<PreviewSpec> specs_;
    std::shared_ptr<Shared> shared_;
    std::vector<std::future<std::vector<PreviewResult>>> futures_;
    std::int64_t total_ = 0;
    bool done_ = false;
};

/// Writes every preview at `sampleRate` (stems resampled to it, mono stems on both
/// channels, shorter stems padded). Runs them in parallel when `parallel`; `progress`
/// ("preview", 0..1) is called on the calling thread only, and may throw to cancel.
std::vector<PreviewResult> writePreviews(const std::vector<PreviewSpec>& specs, int sampleRate, bool parallel,
                                         const ProgressFn& progress);

/// The report's `previews` object: {name: {file, gain_db, source_lufs, lufs, true_peak_dbtp}}.
nlohmann::json previewsToJson(const std::vector<PreviewResult>& previews);

} // namespace mm
