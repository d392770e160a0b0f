#pragma once
// Streaming true-peak meter after ITU-R BS.1770-4 Annex 2, stricter than its minimum:
// 8× polyphase interpolation (Oversampler) instead of 4×, then a parabolic refinement
// of every local maximum of |x| on the 8× grid. The refinement removes the grid error
// (up to −0.14 dB for a 0.45 fs sine at 8×) down to < 0.004 dB and never over-reads a
// sine (3-point parabola through samples of a cosine lies below its crest).
#include "core/AudioBuffer.h"
#include "dsp/Oversampler.h"

#include <vector>

namespace mm {

class TruePeakMeter {
public:
    /// Delay of pushSample()'s envelope behind its input, in samples.
    static constexpr int kLatency = Oversampler::kLatency;

    TruePeakMeter() = default;
    TruePeakMeter(const TruePeakMeter&) = delete;
    TruePeakMeter& operator=(const TruePeakMeter&) = delete;

    /// Allocates per-channel state. Not real-time safe.
    void prepare(int channels);
    /// Clears history and the held maxima.
    void reset() noexcept;

    /// Measures a block (all its channels) and updates the held maxima.
    void process(const AudioBuffer& block) noexcept;
    /// Pushes kLatency zeros per channel so the last samples' inter-sample peaks count.
    /// Call once at the end of a stream, before reading the result.
    void finish() noexcept;

    /// Peak envelope for a limiter: pushes x[n] of `channel` and returns the estimated
    /// maximum of |x(t)| for t in [n − kLatency − 1/16, n − kLatency + 1 − 1/16] (one
    /// input interval, the refinement reaching half an 8× step left of its start).
    /// Also updates the held maximum. The plain reference path; envelope() is the fast one.
    float pushSample(int channel, float x) noexcept;

    /// Block form of pushSample(): pushes x[0 … n) of `channel` and writes the same
    /// envelope values to peaks[0 … n) (equal up to float summation order).
    void envelope(int channel, const float* x, std::size_t n, float* peaks) noexcept;

    /// Maximum true peak of `channel` so far, linear (1.0 = 0 dBTP).
    float truePeak(int channel) const noexcept;
    /// Maximum over all channels, linear.
    float truePeak() const noexcept;
    /// Same in dBTP (−300 dB for silence).
    double truePeakDb(int channel) const noexcept;
    double truePeakDb() const noexcept;
    int channels() const noexcept { return os_.channels(); }

private:
    Oversampler os_;
    std::vector<float> max_;
    std::vector<float> prevLast_; // |point kFactor − 1| of the previous interval, per channel
    std::vector<float> scratch_;  // Oversampler::kMaxBlock envelope values for process()
};

/// 20·log10(linear), clamped to −300 dB for silence.
double linearToDb(double linear) noexcept;

} // namespace mm
