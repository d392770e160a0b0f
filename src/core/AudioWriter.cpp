#include "core/AudioWriter.h"

#include "core/AtomicFile.h"
#include "core/Errors.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

namespace mm {

OutputFormat parseOutputFormat(const std::string& name)
{
    if (name == "wav24") return OutputFormat::Wav24;
    if (name == "wav16") return OutputFormat::Wav16;
    if (name == "wav32f") return OutputFormat::Wav32f;
    if (name == "flac24") return OutputFormat::Flac24;
    throw InputError("unknown output format '" + name + "': use wav24, wav16, wav32f or flac24");
}

std::string toString(OutputFormat format)
{
    switch (format) {
    case OutputFormat::Wav24: return "wav24";
    case OutputFormat::Wav16: return "wav16";
    case OutputFormat::Wav32f: return "wav32f";
    case OutputFormat::Flac24: return "flac24";
    }
    return "wav24";
}

std::string extensionFor(OutputFormat format)
{
    switch (format) {
    case OutputFormat::Flac24: return ".flac";
    default: return ".wav";
    }
}

namespace {

int sndfileFormat(OutputFormat f)
{
    switch (f) {
    case OutputFormat::Wav24: return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    case OutputFormat::Wav16: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case OutputFormat::Wav32f: return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    case OutputFormat::Flac24: return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
    }
    return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
}

} // namespace

AudioWriter::AudioWriter(const std::string& path, int sampleRate, int channels, OutputFormat format,
                         std::uint64_t ditherSeed)
    : path_(path), tempPath_(temporaryPathBeside(path)), channels_(channels), format_(format)
{
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = channels;
    info.format = sndfileFormat(format);
    file_ = sf_open(tempPath_.c_str(), SFM_WRITE, &info);
    if (!file_)
        throw InternalError(path + ": cannot create output (" + sf_strerror(nullptr) + ")");
    for (int c = 0; c < channels; ++c)
        dither_.emplace_back(ditherSeed * 0x100000001B3ull + static_cast<std::uint64_t>(c) + 1);
}

AudioWriter::~AudioWriter()
{
    if (file_) {
        sf_close(file_);
        std::error_code ec;
        std::filesystem::remove(tempPath_, ec);
    }
}

void AudioWriter::write(const AudioBuffer& block)
{
    if (!file_)
        throw InternalError(path_ + ": write after commit");
    if (block.channels() != channels_)
        throw InternalError(path_ + ": channel count mismatch");
    const std::size_t n = block.frames();
    const auto chs = static_cast<std::size_t>(channels_);
    sf_count_t written = 0;
    if (format_ == OutputFormat::Wav16) {
        shorts_.resize(n * chs);
        for (int c = 0; c < channels_; ++c) {
            const float* src = block.channel(c);
            auto& d = dither_[static_cast<std::size_t>(c)];
            for (std::size_t i = 0; i < n; ++i) {
                double q = std::nearbyint(static_cast<double>(src[i]) * 32768.0 + d.next());
                if (q > 32767.0 || q < -32768.0) {
                    ++clipped_;
                    q = std::clamp(q, -32768.0, 32767.0);
                }
                shorts_[i * chs + static_cast<std::size_t>(c)] = static_cast<short>(q);
            }
        }
        written = sf_writef_short(file_, shorts_.data(), static_cast<sf_count_t>(n));
    } else if (format_ == OutputFormat::Wav24 || format_ == OutputFormat::Flac24) {
        ints_.resize(n * chs);
        constexpr double kFull = 8388608.0; // 2^23
        for (int c = 0; c < channels_; ++c) {
            const float* src = block.channel(c);
            for (std::size_t i = 0; i < n; ++i) {
                double q = std::nearbyint(static_cast<double>(src[i]) * kFull);
                if (q > kFull - 1.0 || q < -kFull) {
                    ++clipped_;
                    q = std::clamp(q, -kFull, kFull - 1.0);
                }
                // libsndfile takes 24-bit samples left-aligned in an int.
                ints_[i * chs + static_cast<std::size_t>(c)] = static_cast<int>(q) * 256;
            }
        }
        written = sf_writef_int(file_, ints_.data(), static_cast<sf_count_t>(n));
    } else {
        floats_.resize(n * chs);
        for (int c = 0; c < channels_; ++c) {
            const float* src = block.channel(c);
            for (std::size_t i = 0; i < n; ++i)
                floats_[i * chs + static_cast<std::size_t>(c)] = src[i];
        }
        written = sf_writef_float(file_, floats_.data(), static_cast<sf_count_t>(n));
    }
    if (written != static_cast<sf_count_t>(n))
        throw InternalError(path_ + ": write failed (" + sf_strerror(file_) + ")");
    framesWritten_ += static_cast<std::int64_t>(n);
}

void AudioWriter::commit()
{
    if (!file_)
        return;
    const int rc = sf_close(file_);
    file_ = nullptr;
    if (rc != 0) {
        std::error_code ec;
        std::filesystem::remove(tempPath_, ec);
        throw InternalError(path_ + ": closing output failed");
    }
    moveIntoPlace(tempPath_, path_);
}

} // namespace mm
