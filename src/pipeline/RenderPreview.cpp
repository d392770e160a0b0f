#include "pipeline/RenderPreview.h"

#include "core/AtomicFile.h"
#include "core/AudioSource.h"
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
    stop_.store(true);
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable())
        thread_.join();
    source_.reset(); // an unfinished source removes its temporary file
    std::error_code ec;
    for (int t = 0; t < renders_; ++t) {
        std::filesystem::remove(candidatePath(t), ec);
        std::filesystem::remove(sourcePath(t), ec);
    }
}

std::string RenderPreview::candidatePath(int token) const
{
    return path_ + ".render" + std::to_string(token) + ".tmp";
}

std::string RenderPreview::sourcePath(int token) const
{
    return path_ + ".render" + std::to_string(token) + ".wav.tmp";
}

int RenderPreview::begin(int sampleRate, int channels)
{
    int token = 0;
    {
        std::lock_guard lock(mutex_);
        token = renders_++;
    }
    source_.reset(); // a render that threw before end(): its source goes
    // An Opus preview is mono or stereo.
    source_ = std::make_unique<AudioWriter>(sourcePath(token), sampleRate, std::min(channels, 2), OutputFormat::Wav32f);
    sourceToken_ = token;
    return token;
}

void RenderPreview::block(const AudioBuffer& audio)
{
    if (!source_)
        return;
    const int channels = source_->channels();
    if (scaled_.channels() != channels || scaled_.capacity() < audio.frames())
        scaled_.resize(channels, audio.frames());
    scaled_.setFrames(audio.frames());
    for (int c = 0; c < channels; ++c) {
        const float* x = audio.channel(c);
        float* y = scaled_.channel(c);
        for (std::size_t i = 0; i < audio.frames(); ++i)
            y[i] = x[i] * gain_;
    }
    source_->write(scaled_);
}

void RenderPreview::end()
{
    if (!source_)
        return;
    source_->commit();
    source_.reset();
    {
        std::lock_guard lock(mutex_);
        toEncode_.push_back(sourceToken_);
    }
    changed_.notify_all();
}

void RenderPreview::kept(int token)
{
    std::lock_guard lock(mutex_);
    kept_ = token;
}

void RenderPreview::run()
{
    // The renders in the order they ended, each encoded whole.
    for (;;) {
        int token = -1;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return !toEncode_.empty() || closed_; });
            if (toEncode_.empty() || stop_.load())
                break;
            token = toEncode_.front();
            toEncode_.pop_front();
        }
        try {
            encode(token);
        } catch (...) {
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            stop_.store(true);
            break;
        }
    }
}

void RenderPreview::encode(int token)
{
    {
        AudioSource source(sourcePath(token), 0, 4096);
        OpusWriter writer(candidatePath(token), source.sampleRate(), source.channels());
        AudioBuffer block(source.channels(), source.blockSize());
        while (source.read(block) > 0) {
            if (stop_.load(std::memory_order_relaxed))
                return; // the destructor removes the files
            writer.write(block);
            block.setFrames(source.blockSize());
        }
        writer.commit();
    }
    std::error_code ec;
    std::filesystem::remove(sourcePath(token), ec);
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
    if (kept_ < 0 || kept_ >= renders_ || !std::filesystem::exists(candidatePath(kept_)))
        throw InternalError(path_ + ": no master render to preview");
    moveIntoPlace(candidatePath(kept_), path_);
    std::error_code ec;
    for (int t = 0; t < renders_; ++t) {
        if (t != kept_)
            std::filesystem::remove(candidatePath(t), ec);
        std::filesystem::remove(sourcePath(t), ec);
    }
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
