#include "core/AudioReader.h"

#include "core/Errors.h"

#include <sndfile.h>

#include <cmath>
#include <cstdint>
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
    // Little-endian 16- and 24-bit WAV, the usual stem formats, are converted here from
    // the raw bytes (libsndfile still parses the header and bounds the data chunk): the
    // same values as sf_readf_float (int / 2^15 or 2^23, exact in float) at a fraction of
    // its per-byte cost.
    const int major = sfinfo.format & SF_FORMAT_TYPEMASK;
    const int endian = sfinfo.format & SF_FORMAT_ENDMASK;
    const int sub = sfinfo.format & SF_FORMAT_SUBMASK;
    if ((major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX) && (endian == SF_ENDIAN_FILE || endian == SF_ENDIAN_LITTLE) &&
        (sub == SF_FORMAT_PCM_16 || sub == SF_FORMAT_PCM_24)) {
        rawBytesPerSample_ = sub == SF_FORMAT_PCM_16 ? 2 : 3;
        // 4 bytes of slack: each sample is loaded as 32 bits.
        raw_.resize(maxBlock_ * static_cast<std::size_t>(info_.channels) * static_cast<std::size_t>(rawBytesPerSample_) + 4);
    }
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
    if (rawBytesPerSample_ > 0)
        return readRaw(out, want);
    const sf_count_t got = sf_readf_float(file_, interleaved_.data(), static_cast<sf_count_t>(want));
    const std::size_t n = got > 0 ? static_cast<std::size_t>(got) : 0;
    if (n == 0)
        ended_ = true;
    out.setFrames(n);
    // Deinterleave; a NaN or Inf sample becomes 0 and is counted (branch-free, so that
    // the loops vectorise: an exponent of all ones marks a non-finite float).
    const auto finite = [](float v) {
        std::uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        return (bits & 0x7f800000u) != 0x7f800000u;
    };
    std::size_t bad = 0;
    if (info_.channels == 2) {
        float* l = out.channel(0);
        float* r = out.channel(1);
        const float* x = interleaved_.data();
        for (std::size_t i = 0; i < n; ++i) {
            const float a = x[2 * i], b = x[2 * i + 1];
            const bool fa = finite(a), fb = finite(b);
            l[i] = fa ? a : 0.0f;
            r[i] = fb ? b : 0.0f;
            bad += static_cast<std::size_t>(!fa) + static_cast<std::size_t>(!fb);
        }
    } else {
        float* dst = out.channel(0);
        const float* x = interleaved_.data();
        for (std::size_t i = 0; i < n; ++i) {
            const bool f = finite(x[i]);
            dst[i] = f ? x[i] : 0.0f;
            bad += static_cast<std::size_t>(!f);
        }
    }
    nonFinite_ += static_cast<std::int64_t>(bad);
    framesRead_ += static_cast<std::int64_t>(n);
    return n;
}

std::size_t AudioReader::readRaw(AudioBuffer& out, std::size_t want)
{
    const auto chs = static_cast<std::size_t>(info_.channels);
    const auto bps = static_cast<std::size_t>(rawBytesPerSample_);
    const std::size_t frameBytes = chs * bps;
    const sf_count_t got = sf_read_raw(file_, raw_.data(), static_cast<sf_count_t>(want * frameBytes));
    const std::size_t n = got > 0 ? static_cast<std::size_t>(got) / frameBytes : 0;
    if (n < want) // the end of the data (a partial last frame, as libsndfile, is dropped)
        ended_ = true;
    out.setFrames(n);
    // Each sample is loaded as 32 bits (little-endian), shifted so that its top byte is the
    // sample's sign byte, then shifted back arithmetically: sign extension.
    const unsigned char* b = raw_.data();
    const auto load = [](const unsigned char* p) {
        std::uint32_t u;
        std::memcpy(&u, p, sizeof u);
        return u;
    };
    const unsigned shift = bps == 3 ? 8u : 16u;
    const float scale = bps == 3 ? 1.0f / 8388608.0f : 1.0f / 32768.0f; // 2^23, 2^15
    if (chs == 2) {
        float* l = out.channel(0);
        float* r = out.channel(1);
        for (std::size_t i = 0; i < n; ++i, b += frameBytes) {
            l[i] = static_cast<float>(static_cast<std::int32_t>(load(b) << shift) >> shift) * scale;
            r[i] = static_cast<float>(static_cast<std::int32_t>(load(b + bps) << shift) >> shift) * scale;
        }
    } else {
        float* dst = out.channel(0);
        for (std::size_t i = 0; i < n; ++i, b += frameBytes)
            dst[i] = static_cast<float>(static_cast<std::int32_t>(load(b) << shift) >> shift) * scale;
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
