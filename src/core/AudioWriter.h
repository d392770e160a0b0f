#pragma once
// Block writer over libsndfile. Written to a temporary file beside the target and renamed
// onto it by commit(), so a reader never sees a half-written result. Integer formats are
// quantised here: 16-bit with TPDF dither (seeded, per channel), 24-bit by rounding
// (its quantisation noise, −144 dBFS, is below any DAC's own), both clipped, never wrapped.
#include "core/AudioBuffer.h"
#include "core/TpdfDither.h"

#include <cstdint>
#include <string>
#include <vector>

struct sf_private_tag;

namespace mm {

enum class OutputFormat { Wav24, Wav16, Wav32f, Flac24 };

/// "wav24", "wav16", "wav32f", "flac24"; throws InputError naming the allowed values.
OutputFormat parseOutputFormat(const std::string& name);
std::string toString(OutputFormat format);
/// File extension for the format, with the dot (".wav", ".flac").
std::string extensionFor(OutputFormat format);

class AudioWriter {
public:
    AudioWriter(const std::string& path, int sampleRate, int channels, OutputFormat format,
                std::uint64_t ditherSeed = 1);
    ~AudioWriter();
    AudioWriter(const AudioWriter&) = delete;
    AudioWriter& operator=(const AudioWriter&) = delete;

    /// Appends block.frames() frames; block.channels() must equal channels().
    void write(const AudioBuffer& block);

    /// Closes the file and renames it onto the target path.
    void commit();

    int channels() const noexcept { return channels_; }
    std::int64_t framesWritten() const noexcept { return framesWritten_; }
    /// Samples beyond full scale that were clipped by an integer format.
    std::int64_t clippedSamples() const noexcept { return clipped_; }

private:
    std::string path_;
    std::string tempPath_;
    sf_private_tag* file_ = nullptr;
    int channels_;
    OutputFormat format_;
    std::vector<TpdfDither> dither_;
    std::vector<int> ints_;
    std::vector<short> shorts_;
    std::vector<float> floats_;
    std::int64_t framesWritten_ = 0;
    std::int64_t clipped_ = 0;
};

} // namespace mm
