#include "core/Resampler.h"

#include "core/Errors.h"

#include <soxr.h>

#include <cmath>

namespace mm {

Resampler::Resampler(double inRate, double outRate, int channels)
    : inRate_(inRate), outRate_(outRate), channels_(channels),
      inPtrs_(static_cast<std::size_t>(channels)), outPtrs_(static_cast<std::size_t>(channels))
{
    soxr_error_t err = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_S, SOXR_FLOAT32_S);
    const soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
    const soxr_runtime_spec_t rt = soxr_runtime_spec(1); // one thread: stems run in parallel instead
    soxr_ = soxr_create(inRate, outRate, static_cast<unsigned>(channels), &err, &io, &q, &rt);
    if (err || !soxr_)
        throw InternalError(std::string("soxr_create failed: ") + (err ? err : "unknown"));
}

Resampler::~Resampler()
{
    if (soxr_)
        soxr_delete(soxr_);
}

std::size_t Resampler::maxOutputFor(std::size_t inFrames) const noexcept
{
    return static_cast<std::size_t>(std::ceil(static_cast<double>(inFrames) * ratio())) + 64;
}

void Resampler::process(AudioBuffer& out, const AudioBuffer& in)
{
    if (out.channels() != channels_ || out.capacity() < maxOutputFor(in.frames()))
        out.resize(channels_, maxOutputFor(in.frames()));
    for (int c = 0; c < channels_; ++c) {
        inPtrs_[static_cast<std::size_t>(c)] = in.channel(c);
        outPtrs_[static_cast<std::size_t>(c)] = out.channel(c);
    }
    std::size_t idone = 0, odone = 0;
    const soxr_error_t err = soxr_process(soxr_, inPtrs_.data(), in.frames(), &idone,
                                          outPtrs_.data(), out.capacity(), &odone);
    if (err)
        throw InternalError(std::string("soxr_process failed: ") + err);
    out.setFrames(odone);
}

std::size_t Resampler::flush(AudioBuffer& out)
{
    if (out.channels() != channels_ || out.capacity() < 1024)
        out.resize(channels_, 4096);
    for (int c = 0; c < channels_; ++c)
        outPtrs_[static_cast<std::size_t>(c)] = out.channel(c);
    std::size_t odone = 0;
    const soxr_error_t err = soxr_process(soxr_, nullptr, 0, nullptr, outPtrs_.data(), out.capacity(), &odone);
    if (err)
        throw InternalError(std::string("soxr flush failed: ") + err);
    out.setFrames(odone);
    return odone;
}

} // namespace mm
