#include "core/AudioReader.h"

#include "core/Errors.h"

#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace mm {
namespace {

std::string describeFormat(int format)
{
    SF_FORMAT_INFO major{};
    major.format = format & SF_FORMAT_TYPEMASK;
    sf_command(nullptr, SFC_GET_FORMAT_INFO, &major, sizeof(major));
    std::string subtype;
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: subtype = "PCM 8-bit"; break;
    case SF_FORMAT_PCM_16: subtype = "PCM 16-bit"; break;
    case SF_FORMAT_PCM_24: subtype = "PCM 24-bit"; break;
    case SF_FORMAT_PCM_32: subtype = "PCM 32-bit"; break;
    case SF_FORMAT_FLOAT: subtype = "float 32-bit"; break;
    case SF_FORMAT_DOUBLE: subtype = "float 64-bit"; break;
    default: subtype = "other"; break;
    }
    return std::string(major.name ? major.name : "unknown") + " " + subtype;
}

} // namespace

AudioReader::AudioReader(const std::string& path, std::size_t maxBlock) : maxBlock_(maxBlock)
{
    namespace fs = std::filesystem;
    info_.path = path;
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw InputError(path + ": no such file");
    if (fs::is_directory(status))
        throw InputError(path + ": is a directory, not an audio file");
    if (!fs::is_regular_file(status))
        throw InputError(path + ": not a regular file");
    if (fs::file_size(path, ec) == 0)
        throw InputError(path + ": empty file (0 bytes)");

    SF_INFO sfinfo{};
    file_ = sf_open(path.c_str(), SFM_READ, &sfinfo);
    if (!file_)
        throw InputError(path + ": not a readable audio file (" + sf_strerror(nullptr) + ")");
    if (sfinfo.channels < 1 || sfinfo.channels > 2) {
        const int ch = sfinfo.channels;
        sf_close(file_);
        file_ = nullptr;
        throw InputError(path + ": " + std::to_string(ch) + " channels; only mono and stereo are supported");
    }
    if (sfinfo.frames <= 0) {
        sf_close(file_);
        file_ = nullptr;
        throw InputError(path + ": no audio frames in the file");
    }
    if (sfinfo.samplerate < 8000 || sfinfo.samplerate > 384000) {
        const int sr = sfinfo.samplerate;
        sf_close(file_);
        file_ = nullptr;
        throw InputError(path + ": sample rate " + std::to_string(sr) + " Hz is outside 8000..384000 Hz");
    }
    // libsndfile trusts the file's length over a header that claims more data than is
    // there, and notes it in its log ("data : 192000 (should be 96000)"): report it.
    char log[4096] = {};
    sf_command(file_, SFC_GET_LOG_INFO, log, sizeof log);
    if (const char* data = std::strstr(log, "data : "); data && std::strstr(data, "should be")) {
        const char* end = std::strchr(data, '\n');
        headerProblem_ = std::string(data, end ? static_cast<std::size_t>(end - data) : std::strlen(data));
    }
    info_.sampleRate = sfinfo.samplerate;
    info_.channels = sfinfo.channels;
    info_.frames = sfinfo.frames;
    info_.format = describeFormat(sfinfo.format);
    // Float files are passed through unscaled; integer files map full scale to ±1.0.
    sf_command(file_, SFC_SET_SCALE_INT_FLOAT_WRITE, nullptr, SF_FALSE);
    interleaved_.resize(maxBlock_ * static_cast<std::size_t>(info_.channels));
}

AudioReader::~AudioReader()
{
    if (file_)
        sf_close(file_);
}

std::size_t AudioReader::read(AudioBuffer& out)
{
    if (out.channels() != info_.channels || out.capacity() == 0)
        out.resize(info_.channels, maxBlock_);
    if (ended_) {
        out.setFrames(0);
        return 0;
    }
    const std::size_t want = std::min(out.capacity(), maxBlock_);
    const sf_count_t got = sf_readf_float(file_, interleaved_.data(), static_cast<sf_count_t>(want));
    const std::size_t n = got > 0 ? static_cast<std::size_t>(got) : 0;
    if (n == 0)
        ended_ = true;
    out.setFrames(n);
    const int chs = info_.channels;
    for (int c = 0; c < chs; ++c) {
        float* dst = out.channel(c);
        for (std::size_t i = 0; i < n; ++i) {
            const float v = interleaved_[i * static_cast<std::size_t>(chs) + static_cast<std::size_t>(c)];
            if (std::isfinite(v)) {
                dst[i] = v;
            } else {
                dst[i] = 0.0f;
                ++nonFinite_;
            }
        }
    }
    framesRead_ += static_cast<std::int64_t>(n);
    return n;
}

std::vector<std::string> AudioReader::warnings() const
{
    std::vector<std::string> w;
    if (!headerProblem_.empty())
        w.push_back(info_.path + ": truncated or damaged: header and file size disagree (" + headerProblem_ +
                    "); read the " + std::to_string(info_.frames) + " frames present");
    if (ended_ && framesRead_ < info_.frames)
        w.push_back(info_.path + ": truncated: header declares " + std::to_string(info_.frames) +
                    " frames, only " + std::to_string(framesRead_) + " present; read what is there");
    if (nonFinite_ > 0)
        w.push_back(info_.path + ": " + std::to_string(nonFinite_) + " NaN/Inf samples replaced by 0");
    return w;
}

} // namespace mm
