#pragma once
// An audio file as a stream of planar blocks at a chosen rate: AudioReader, then
// Resampler when the file's rate differs from the job rate.
#include "core/AudioReader.h"
#include "core/Resampler.h"

#include <memory>

namespace mm {

class AudioSource {
public:
    /// `targetRate` 0 keeps the file's own rate.
    AudioSource(const std::string& path, int targetRate = 0, std::size_t blockSize = 4096);

    const AudioFileInfo& info() const noexcept { return reader_.info(); }
    int sampleRate() const noexcept { return rate_; }
    int channels() const noexcept { return reader_.info().channels; }
    std::size_t blockSize() const noexcept { return blockSize_; }
    /// Frames expected at the output rate, from the header (a truncated file gives fewer).
    std::int64_t expectedFrames() const noexcept;

    /// Fills `out` (channels() channels, capacity ≥ 1) with up to out.capacity() frames.
    /// Returns the frames written; fewer than capacity only at the end, 0 after it.
    std::size_t read(AudioBuffer& out);

    const AudioReader& reader() const noexcept { return reader_; }

private:
    bool refill();

    AudioReader reader_;
    std::unique_ptr<Resampler> resampler_;
    int rate_;
    std::size_t blockSize_;
    AudioBuffer raw_;
    AudioBuffer pending_;
    std::size_t pendingPos_ = 0;
    bool ended_ = false;
};

} // namespace mm
