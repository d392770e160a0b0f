#include "pipeline/RenderPreview.h"

#include "core/AtomicFile.h"
#include "core/Errors.h"
#include "core/OpusWriter.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
    if (sourceFd_ >= 0)
        ::close(sourceFd_);
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
    return path_ + ".render" + std::to_string(token) + ".f32.tmp";
}

int RenderPreview::begin(int sampleRate, int channels)
{
    auto source = std::make_shared<Source>();
    source->sampleRate = sampleRate;
    source->channels = std::min(channels, 2); // an Opus preview is mono or stereo
    if (sourceFd_ >= 0) { // a render that threw before end(): its source is not encoded
        ::close(sourceFd_);
        sourceFd_ = -1;
    }
    {
        std::lock_guard lock(mutex_);
        if (current_)
            current_->abandoned = true;
        source->token = renders_++;
    }
    changed_.notify_all();
    const std::string path = sourcePath(source->token);
    sourceFd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (sourceFd_ < 0)
        throw InternalError(path + ": cannot create the preview's source (" + std::strerror(errno) + ")");
    {
        std::lock_guard lock(mutex_);
        current_ = source;
        toEncode_.push_back(source);
    }
    changed_.notify_all();
    return source->token;
}

void RenderPreview::block(const AudioBuffer& audio)
{
    if (sourceFd_ < 0 || !current_)
        return;
    const int channels = current_->channels;
    const std::size_t n = audio.frames();
    interleaved_.resize(n * static_cast<std::size_t>(channels));
    for (int c = 0; c < channels; ++c) {
        const float* x = audio.channel(c);
        for (std::size_t i = 0; i < n; ++i)
            interleaved_[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] = x[i] * gain_;
    }
    const auto* bytes = reinterpret_cast<const char*>(interleaved_.data());
    std::size_t left = interleaved_.size() * sizeof(float);
    while (left > 0) {
        const ssize_t w = ::write(sourceFd_, bytes, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            throw InternalError(sourcePath(current_->token) + ": cannot write the preview's source (" + std::strerror(errno) + ")");
        bytes += w;
        left -= static_cast<std::size_t>(w);
    }
    {
        std::lock_guard lock(mutex_);
        current_->frames += static_cast<std::int64_t>(n);
    }
    changed_.notify_all();
}

void RenderPreview::end()
{
    if (sourceFd_ < 0 || !current_)
        return;
    ::close(sourceFd_);
    sourceFd_ = -1;
    {
        std::lock_guard lock(mutex_);
        current_->ended = true;
        current_.reset();
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
    // The renders in the order they began, each encoded as it is written.
    for (;;) {
        std::shared_ptr<Source> source;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return !toEncode_.empty() || closed_; });
            if (toEncode_.empty() || stop_.load())
                break;
            source = toEncode_.front();
            toEncode_.pop_front();
        }
        try {
            encode(source);
        } catch (...) {
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            stop_.store(true);
            break;
        }
    }
}

void RenderPreview::encode(const std::shared_ptr<Source>& source)
{
    const std::string path = sourcePath(source->token);
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw InternalError(path + ": cannot read the preview's source (" + std::strerror(errno) + ")");
        struct Closer {
            int fd;
            ~Closer() { ::close(fd); }
        } closer{fd};
        const int channels = source->channels;
        OpusWriter writer(candidatePath(source->token), source->sampleRate, channels);
        constexpr std::size_t kBlock = 4096;
        AudioBuffer block(channels, kBlock);
        std::vector<float> raw(kBlock * static_cast<std::size_t>(channels));
        std::int64_t done = 0;
        for (;;) {
            std::int64_t available = 0;
            {
                // Wait for the render to write more, end, or be abandoned.
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return source->frames > done || source->ended || source->abandoned || stop_.load(); });
                if (source->abandoned || stop_.load())
                    return; // the destructor or finish() removes the files
                available = source->frames - done;
                if (available == 0 && source->ended)
                    break;
            }
            while (available > 0) {
                const auto n = static_cast<std::size_t>(std::min<std::int64_t>(available, static_cast<std::int64_t>(kBlock)));
                const std::size_t bytes = n * static_cast<std::size_t>(channels) * sizeof(float);
                std::size_t got = 0;
                while (got < bytes) {
                    const ssize_t r = ::pread(fd, reinterpret_cast<char*>(raw.data()) + got, bytes - got,
                                              static_cast<off_t>(done * channels * static_cast<std::int64_t>(sizeof(float)) + static_cast<std::int64_t>(got)));
                    if (r < 0 && errno == EINTR)
                        continue;
                    if (r <= 0)
                        throw InternalError(path + ": the preview's source ended early");
                    got += static_cast<std::size_t>(r);
                }
                block.setFrames(n);
                for (int c = 0; c < channels; ++c) {
                    float* y = block.channel(c);
                    for (std::size_t i = 0; i < n; ++i)
                        y[i] = raw[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
                }
                if (stop_.load(std::memory_order_relaxed))
                    return;
                writer.write(block);
                done += static_cast<std::int64_t>(n);
                available -= static_cast<std::int64_t>(n);
            }
        }
        writer.commit();
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

PreviewResult RenderPreview::finish(double masterLufs, double masterPeakDbtp)
{
    {
        std::lock_guard lock(mutex_);
        if (current_) // a render that never ended (it threw): nothing more comes
            current_->abandoned = true;
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
