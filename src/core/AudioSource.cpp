#include "core/AudioSource.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mm {

AudioSource::AudioSource(const std::string& path, int targetRate, std::size_t blockSize)
    : reader_(path, blockSize), rate_(targetRate > 0 ? targetRate : reader_.info().sampleRate),
      blockSize_(blockSize)
{
    raw_.resize(channels(), blockSize_);
    raw_.setFrames(0);
    if (rate_ != reader_.info().sampleRate) {
        resampler_ = std::make_unique<Resampler>(reader_.info().sampleRate, rate_, channels());
        pending_.resize(channels(), resampler_->maxOutputFor(blockSize_));
    }
    pending_.setFrames(0);
}

std::int64_t AudioSource::expectedFrames() const noexcept
{
    const auto& in = reader_.info();
    if (in.sampleRate == rate_)
        return in.frames;
    return static_cast<std::int64_t>(std::llround(static_cast<double>(in.frames) * rate_ / in.sampleRate));
}

bool AudioSource::refill()
{
    pendingPos_ = 0;
    if (!resampler_) {
        if (reader_.read(raw_) == 0) {
            ended_ = true;
            return false;
        }
        return true;
    }
    if (reader_.read(raw_) > 0) {
        resampler_->process(pending_, raw_);
    } else if (resampler_->flush(pending_) == 0) {
        ended_ = true;
        return false;
    }
    return true;
}

std::size_t AudioSource::read(AudioBuffer& out)
{
    const std::size_t want = out.capacity();
    std::size_t have = 0;
    AudioBuffer& src = resampler_ ? pending_ : raw_;
    if (!resampler_ && pendingPos_ >= raw_.frames() && !ended_ && out.channels() == channels()) {
        // Nothing buffered and no resampling: the reader fills `out` itself (no copy).
        have = reader_.read(out);
        if (have == 0) {
            ended_ = true;
            out.setFrames(0);
            return 0;
        }
    }
    while (have < want) {
        if (pendingPos_ < src.frames()) {
            const std::size_t n = std::min(want - have, src.frames() - pendingPos_);
            for (int c = 0; c < channels(); ++c)
                std::memcpy(out.channel(c) + have, src.channel(c) + pendingPos_, n * sizeof(float));
            have += n;
            pendingPos_ += n;
            continue;
        }
        if (ended_ || !refill())
            break;
    }
    out.setFrames(have);
    return have;
}

} // namespace mm
