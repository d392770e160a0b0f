#pragma once
// Planar float audio: one contiguous array per channel.
// Capacity is set by resize() (allocates); setFrames() changes the valid length
// within that capacity without allocating, so processing code can reuse a buffer.
// Buffer argument order across the project: destination first, then source.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace mm {

class AudioBuffer {
public:
    AudioBuffer() = default;
    AudioBuffer(int channels, std::size_t frames) { resize(channels, frames); }

    /// Allocates `channels` × `frames` zeroed samples; frames() becomes `frames`.
    void resize(int channels, std::size_t frames)
    {
        data_.assign(static_cast<std::size_t>(channels), std::vector<float>(frames, 0.0f));
        capacity_ = frames;
        frames_ = frames;
    }

    /// Sets the valid length; must not exceed capacity(). Never allocates.
    void setFrames(std::size_t frames) noexcept { frames_ = std::min(frames, capacity_); }

    int channels() const noexcept { return static_cast<int>(data_.size()); }
    std::size_t frames() const noexcept { return frames_; }
    std::size_t capacity() const noexcept { return capacity_; }

    float* channel(int c) noexcept { return data_[static_cast<std::size_t>(c)].data(); }
    const float* channel(int c) const noexcept { return data_[static_cast<std::size_t>(c)].data(); }

    /// Zeroes the valid frames of every channel.
    void clear() noexcept
    {
        for (auto& ch : data_)
            std::fill(ch.begin(), ch.begin() + static_cast<std::ptrdiff_t>(frames_), 0.0f);
    }

    /// Zeroes frames [from, frames()) of every channel.
    void clearFrom(std::size_t from) noexcept
    {
        if (from >= frames_)
            return;
        for (auto& ch : data_)
            std::fill(ch.begin() + static_cast<std::ptrdiff_t>(from), ch.begin() + static_cast<std::ptrdiff_t>(frames_), 0.0f);
    }

private:
    std::vector<std::vector<float>> data_;
    std::size_t capacity_ = 0;
    std::size_t frames_ = 0;
};

} // namespace mm
