#pragma once
// The master's browser preview, encoded while the mastering chain renders the master.
#include "mastering/MasteringSettings.h"
#include "pipeline/Previews.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace mm {

/// The master's preview, encoded while the master is rendered: the chain's RenderTap
/// (MasteringSettings::renderTap) hands every render's output to a background thread that
/// encodes it beside the master, as the render is written — no pass over master.wav after
/// mastering. The gain is fixed before the first block: kPreviewSourcePeakDbtp minus the
/// true-peak ceiling the master is held under. finish() keeps the render the chain kept as
/// `path` and removes the others; destroyed without finish() (the job failed or was
/// cancelled), it stops and removes every file it made.
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
    enum class Kind { Begin, Block, End };
    struct Item {
        Kind kind;
        int token, rate, channels;
        AudioBuffer audio;
    };
    void run();
    std::string candidatePath(int token) const;
    void push(Item item);

    std::string path_;
    double gainDb_;
    float gain_; ///< gainDb_ as a linear factor
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Item> queue_;
    bool closed_ = false;  ///< finish() or the destructor: no more items
    bool failed_ = false;  ///< the encoder threw (error_); items are dropped
    std::exception_ptr error_;
    int renders_ = 0, kept_ = -1;
    std::thread thread_;
};

} // namespace mm
