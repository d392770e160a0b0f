#include "pipeline/RenderPreview.h"

#include "core/AtomicFile.h"
#include "core/Errors.h"
#include "core/OpusWriter.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

namespace mm {

RenderPreview::RenderPreview(std::string path, double ceilingDbtp)
    : path_(std::move(path)), gainDb_(std::min(0.0, kPreviewSourcePeakDbtp - ceilingDbtp)),
      gain_(static_cast<float>(std::pow(10.0, gainDb_ / 20.0)))
{
    thread_ = std::thread([this] { run(); });
}

RenderPreview::~RenderPreview()
{
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        failed_ = true; // drop what is queued: nothing will be kept
    }
    changed_.notify_all();
    if (thread_.joinable())
        thread_.join();
    std::error_code ec;
    for (int t = 0; t < renders_; ++t)
        std::filesystem::remove(candidatePath(t), ec);
}

std::string RenderPreview::candidatePath(int token) const
{
    return path_ + ".render" + std::to_string(token) + ".tmp";
}

void RenderPreview::push(Item item)
{
    // At most kMaxQueued blocks (≈ 1 MB) wait: the renderer waits for the encoder
    // rather than memory growing with the song.
    constexpr std::size_t kMaxQueued = 32;
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.size() < kMaxQueued || failed_; });
    if (failed_)
        return;
    queue_.push_back(std::move(item));
    lock.unlock();
    changed_.notify_all();
}

int RenderPreview::begin(int sampleRate, int channels)
{
    int token = 0;
    {
        std::lock_guard lock(mutex_);
        token = renders_++;
    }
    push({Kind::Begin, token, sampleRate, channels, AudioBuffer()});
    return token;
}

void RenderPreview::block(const AudioBuffer& audio)
{
    AudioBuffer copy(std::min(audio.channels(), 2), audio.frames()); // an Opus preview is mono or stereo
    for (int c = 0; c < copy.channels(); ++c) {
        const float* x = audio.channel(c);
        float* y = copy.channel(c);
        for (std::size_t i = 0; i < audio.frames(); ++i)
            y[i] = x[i] * gain_;
    }
    push({Kind::Block, -1, 0, 0, std::move(copy)});
}

void RenderPreview::end()
{
    push({Kind::End, -1, 0, 0, AudioBuffer()});
}

void RenderPreview::kept(int token)
{
    std::lock_guard lock(mutex_);
    kept_ = token;
}

void RenderPreview::run()
{
    // One render at a time, in the order given; an unfinished writer (a render that threw
    // before end()) is dropped by the next begin() and removes its temporary file.
    std::unique_ptr<OpusWriter> writer;
    for (;;) {
        Item item{Kind::End, -1, 0, 0, AudioBuffer()};
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return !queue_.empty() || closed_; });
            if (queue_.empty() || failed_)
                break;
            item = std::move(queue_.front());
            queue_.pop_front();
        }
        changed_.notify_all();
        try {
            switch (item.kind) {
            case Kind::Begin:
                writer = std::make_unique<OpusWriter>(candidatePath(item.token), item.rate, std::min(item.channels, 2));
                break;
            case Kind::Block:
                if (writer)
                    writer->write(item.audio);
                break;
            case Kind::End:
                if (writer)
                    writer->commit();
                writer.reset();
                break;
            }
        } catch (...) {
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            failed_ = true;
            queue_.clear();
            changed_.notify_all();
            break;
        }
    }
}

PreviewResult RenderPreview::finish(double masterLufs, double masterPeakDbtp)
{
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable())
        thread_.join();
    if (error_)
        std::rethrow_exception(error_);
    if (kept_ < 0 || kept_ >= renders_)
        throw InternalError(path_ + ": no master render to preview");
    moveIntoPlace(candidatePath(kept_), path_);
    std::error_code ec;
    for (int t = 0; t < renders_; ++t)
        if (t != kept_)
            std::filesystem::remove(candidatePath(t), ec);
    PreviewResult r;
    r.name = "master";
    r.path = path_;
    r.gainDb = gainDb_;
    r.sourceLufs = masterLufs;
    r.lufs = masterLufs + gainDb_;
    r.truePeakDbtp = masterPeakDbtp + gainDb_;
    return r;
}

} // namespace mm
