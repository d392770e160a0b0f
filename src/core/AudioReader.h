#pragma once
// Streaming block reader over libsndfile: WAV, AIFF, FLAC (and whatever else libsndfile
// reads); 8/16/24/32-bit int, 32/64-bit float; mono or stereo. Samples come out as
// planar float, NaN/Inf replaced by 0 and counted. Memory does not depend on file length.
#include "core/AudioBuffer.h"

#include <cstdint>
#include <string>
#include <vector>

struct sf_private_tag;

namespace mm {

struct AudioFileInfo {
    std::string path;
    int sampleRate = 0;
    int channels = 0;
    std::int64_t frames = 0;   ///< as the header claims
    std::string format;        ///< e.g. "WAV PCM 24-bit"
};

class AudioReader {
public:
    /// Opens `path`; throws InputError naming the file and the cause when it cannot be read.
    explicit AudioReader(const std::string& path, std::size_t maxBlock = 4096);
    ~AudioReader();
    AudioReader(const AudioReader&) = delete;
    AudioReader& operator=(const AudioReader&) = delete;

    const AudioFileInfo& info() const noexcept { return info_; }

    /// Reads up to min(out.capacity(), maxBlock) frames into `out` (resized to the file's
    /// channel count on first use). Returns the frames read; 0 at the end.
    std::size_t read(AudioBuffer& out);

    std::int64_t framesRead() const noexcept { return framesRead_; }
    std::int64_t nonFiniteSamples() const noexcept { return nonFinite_; }

    /// Problems met so far that were handled (truncation, NaN/Inf): one line each.
    std::vector<std::string> warnings() const;

private:
    std::size_t readRaw(AudioBuffer& out, std::size_t want);

    AudioFileInfo info_;
    sf_private_tag* file_ = nullptr;
    std::vector<float> interleaved_;
    std::vector<unsigned char> raw_; ///< raw PCM bytes (16/24-bit little-endian WAV)
    int rawBytesPerSample_ = 0;      ///< 2 or 3 when read() converts raw bytes itself, else 0
    std::size_t maxBlock_;
    std::int64_t framesRead_ = 0;
    std::int64_t nonFinite_ = 0;
    bool ended_ = false;
    std::string headerProblem_;
};

} // namespace mm
