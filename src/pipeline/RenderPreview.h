#pragma once
// The master's browser preview, made from the mastering chain's renders.
#include "core/AudioBuffer.h"
#include "mastering/MasteringSettings.h"
#include "pipeline/Previews.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mm {

/// The master's preview, made from the renders themselves — no pass over master.wav after
/// mastering. The chain's RenderTap (MasteringSettings::renderTap) hands every render's
/// output to this object, which appends it (at the preview's gain, interleaved float) to a
/// raw source file beside the master: the render never waits for the encoder. A
/// background thread encodes that file to Ogg Opus while it grows, a block behind the
/// render, so the encoding overlaps the render and the read-back instead of following
/// them (≈ 1 s of CPU for a 4-minute song: run last, it was a one-core tail). Memory stays
/// flat: what the encoder has not read yet waits in the file (the page cache), not in
/// memory. The gain is fixed before the first block: kPreviewSourcePeakDbtp minus the
/// true-peak ceiling the master is held under. finish() waits for the encoder, keeps the
/// render the chain kept as `path` and removes the others; destroyed without finish() (the
/// job failed or was cancelled), it stops and removes every file it made.
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
    /// One render's source as the encoder sees it.
    struct Source {
        int token = -1;
        int sampleRate = 0;
        int channels = 0;
        std::int64_t frames = 0; ///< frames in the file so far (guarded by mutex_)
        bool ended = false;      ///< end() came: `frames` is final
        bool abandoned = false;  ///< the render threw (a new begin() came first): not encoded
    };

    void run();
    void encode(const std::shared_ptr<Source>& source);
    std::string candidatePath(int token) const; ///< a render's Opus file
    std::string sourcePath(int token) const;    ///< a render's raw float source, removed once encoded

    std::string path_;
    double gainDb_;
    float gain_; ///< gainDb_ as a linear factor
    // The render's side: begin(), block(), end() come one at a time from the chain.
    int sourceFd_ = -1;
    std::shared_ptr<Source> current_;
    std::vector<float> interleaved_;
    // Shared with the encoder thread.
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::shared_ptr<Source>> toEncode_; ///< renders begun and not yet taken by the encoder
    bool closed_ = false;              ///< finish() or the destructor: no more renders
    std::atomic<bool> stop_{false};    ///< the destructor or a failed encode: stop at the next block
    std::exception_ptr error_;
    int renders_ = 0, kept_ = -1;
    std::thread thread_;
};

} // namespace mm
