#pragma once
// The master's browser preview, made from the mastering chain's renders.
#include "core/AudioWriter.h"
#include "mastering/MasteringSettings.h"
#include "pipeline/Previews.h"

#include <atomic>

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mm {

/// The master's preview, made from the renders themselves — no pass over master.wav after
/// mastering. The chain's RenderTap (MasteringSettings::renderTap) hands every render's
/// output to this object, which writes it (at the preview's gain, float) to a source file
/// beside the master as it comes: the render never waits for the encoder. When a render
/// ends, a background thread encodes its source file to Ogg Opus, beside the read-back
/// and whatever follows. The gain is fixed before the first block: kPreviewSourcePeakDbtp
/// minus the true-peak ceiling the master is held under. finish() waits for the encoder,
/// keeps the render the chain kept as `path` and removes the others; destroyed without
/// finish() (the job failed or was cancelled), it stops and removes every file it made.
class RenderPreview final : public RenderTap {
public:
    RenderPreview(std::string path, double ceilingDbtp);
    ~RenderPreview() override;
    RenderPreview(const RenderPreview&) = delete;
    RenderPreview& operator=(const RenderPreview&) = delete;

    int begin(int sampleRate, int channels) override;
    void block(const AudioBuffer& audio) override;
    void end() override;
    void kept(int token) override;

    /// Waits for the encoder and moves the kept render's preview into place. The master's
    /// measured loudness and true peak give the figures of the result. Throws what the
    /// encoder threw, or InternalError when no render was kept. Call once.
    PreviewResult finish(double masterLufs, double masterPeakDbtp);

private:
    void run();
    void encode(int token);
    std::string candidatePath(int token) const; ///< a render's Opus file
    std::string sourcePath(int token) const;    ///< a render's float source, removed once encoded

    std::string path_;
    double gainDb_;
    float gain_; ///< gainDb_ as a linear factor
    // The render's side: begin(), block(), end() come one at a time from the chain.
    std::unique_ptr<AudioWriter> source_;
    int sourceToken_ = -1;
    AudioBuffer scaled_;
    // Shared with the encoder thread.
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<int> toEncode_;         ///< renders whose source is complete
    bool closed_ = false;              ///< finish() or the destructor: no more renders
    std::atomic<bool> stop_{false};    ///< the destructor or a failed encode: stop at the next block
    std::exception_ptr error_;
    int renders_ = 0, kept_ = -1;
    std::thread thread_;
};

} // namespace mm
