#pragma once
// Streaming sample-rate conversion with libsoxr at very high quality (SOXR_VHQ:
// passband to 95 % of Nyquist, 175 dB stop-band rejection). Planar float in and out.
#include "core/AudioBuffer.h"

#include <cstddef>
#include <vector>

struct soxr;

namespace mm {

class Resampler {
public:
    Resampler(double inRate, double outRate, int channels);
    ~Resampler();
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    /// Output frames produced at most for `inFrames` input frames (for sizing buffers).
    std::size_t maxOutputFor(std::size_t inFrames) const noexcept;

    /// Converts in.frames() frames; appends nothing, writes into `out` from frame 0 and
    /// sets out's frames. `out` must have capacity ≥ maxOutputFor(in.frames()).
    void process(AudioBuffer& out, const AudioBuffer& in);

    /// Drains the filter's tail after the last input; call until it returns 0.
    std::size_t flush(AudioBuffer& out);

    double ratio() const noexcept { return outRate_ / inRate_; }

private:
    soxr* soxr_ = nullptr;
    double inRate_;
    double outRate_;
    int channels_;
    std::vector<const float*> inPtrs_;
    std::vector<float*> outPtrs_;
};

} // namespace mm
