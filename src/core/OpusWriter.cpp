#include "core/OpusWriter.h"

#include "core/AtomicFile.h"
#include "core/Errors.h"

#include <opusenc.h>

#include <filesystem>

namespace mm {

OpusWriter::OpusWriter(const std::string& path, int sampleRate, int channels)
    : path_(path), tempPath_(temporaryPathBeside(path)), channels_(channels)
{
    if (channels < 1 || channels > 2)
        throw InternalError(path + ": an Opus preview takes 1 or 2 channels, not " + std::to_string(channels));
    OggOpusComments* comments = ope_comments_create();
    if (!comments)
        throw InternalError(path + ": cannot create the Opus encoder");
    int error = OPE_OK;
    encoder_ = ope_encoder_create_file(tempPath_.c_str(), comments, sampleRate, channels, 0, &error);
    ope_comments_destroy(comments); // the encoder keeps its own copy
    if (!encoder_)
        throw InternalError(path + ": cannot create output (" + ope_strerror(error) + ")");
    ope_encoder_ctl(encoder_, OPUS_SET_BITRATE(kBitsPerChannel * channels));
    ope_encoder_ctl(encoder_, OPUS_SET_COMPLEXITY(kComplexity));
    ope_encoder_ctl(encoder_, OPUS_SET_SIGNAL(OPUS_SIGNAL_MUSIC));
    static_assert(kPacketMs == 120, "the frame-duration request below is OPUS_FRAMESIZE_120_MS");
    ope_encoder_ctl(encoder_, OPUS_SET_EXPERT_FRAME_DURATION(OPUS_FRAMESIZE_120_MS)); // if refused: 20 ms, only slower
}

OpusWriter::~OpusWriter()
{
    if (encoder_) {
        ope_encoder_destroy(encoder_);
        std::error_code ec;
        std::filesystem::remove(tempPath_, ec);
    }
}

void OpusWriter::write(const AudioBuffer& block)
{
    if (!encoder_)
        throw InternalError(path_ + ": write after commit");
    if (block.channels() != channels_)
        throw InternalError(path_ + ": channel count mismatch");
    const std::size_t n = block.frames();
    const auto chs = static_cast<std::size_t>(channels_);
    interleaved_.resize(n * chs);
    for (int c = 0; c < channels_; ++c) {
        const float* src = block.channel(c);
        for (std::size_t i = 0; i < n; ++i)
            interleaved_[i * chs + static_cast<std::size_t>(c)] = src[i];
    }
    const int rc = ope_encoder_write_float(encoder_, interleaved_.data(), static_cast<int>(n));
    if (rc != OPE_OK)
        throw InternalError(path_ + ": Opus encoding failed (" + ope_strerror(rc) + ")");
}

void OpusWriter::commit()
{
    if (!encoder_)
        return;
    const int rc = ope_encoder_drain(encoder_);
    ope_encoder_destroy(encoder_); // closes the file
    encoder_ = nullptr;
    if (rc != OPE_OK) {
        std::error_code ec;
        std::filesystem::remove(tempPath_, ec);
        throw InternalError(path_ + ": finishing the Opus stream failed (" + ope_strerror(rc) + ")");
    }
    moveIntoPlace(tempPath_, path_);
}

} // namespace mm
