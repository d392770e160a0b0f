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
    /// Upper bound of a refined vertex over its 8× grid point (9/8, with margin).
    static constexpr float kRefineBound = 1.25f;

    TruePeakMeter() = default;
    TruePeakMeter(const TruePeakMeter&) = delete;
    TruePeakMeter& operator=(const TruePeakMeter&) = delete;

    /// Allocates per-channel state. Not real-time safe.
    void prepare(int channels);
    /// Clears history and the held maxima.
    void reset() noexcept;

    /// Measures a block (all its channels) and updates the held maxima.
    void process(const AudioBuffer& block) noexcept;
    /// process() for one channel's samples; channels may be measured on separate threads.
    void processChannel(int channel, const float* x, std::size_t n) noexcept { measure(channel, x, n); }
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
    /// Channels keep their own state and scratch: different channels may be measured on
    /// different threads at once (the limiter's detector does).
    /// ignoreBelow > 0 (a limiter's ceiling): chunks whose points provably all stay below
    /// it (Oversampler::gainBound() × input peak × kRefineBound) are not filtered, and
    /// groups of 16 intervals whose 8× grid stays under ignoreBelow / kRefineBound are not
    /// refined: both write 0 and leave the held maximum as it was.
    void envelope(int channel, const float* x, std::size_t n, float* peaks, float ignoreBelow = 0.0f) noexcept;

    /// Maximum true peak of `channel` so far, linear (1.0 = 0 dBTP).
    float truePeak(int channel) const noexcept;
    /// Maximum over all channels, linear.
    float truePeak() const noexcept;
    /// Same in dBTP (−300 dB for silence).
    double truePeakDb(int channel) const noexcept;
    double truePeakDb() const noexcept;
    int channels() const noexcept { return os_.channels(); }

private:
    /// process()'s path: envelope()'s held maximum without the envelope, skipping the
    /// refinement of chunks that cannot raise the maximum.
    void measure(int channel, const float* x, std::size_t n) noexcept;

    Oversampler os_;
    std::vector<float> max_;
    std::vector<float> prevLast_; // |point kFactor − 1| of the previous interval, per channel
    std::vector<float> scratch_;  // per channel: Oversampler::kMaxBlock envelope values for process()
};

/// libebur128's true-peak reading (ebur128_true_peak: its 49-tap Hann-windowed sinc
/// interpolator, 4× below 96 kHz, 2× below 192 kHz, none above; at least the sample
/// peak) computed block-wise: per phase, one tap at a time over a linear history, which
/// vectorises. Same design and tap order, float arithmetic as there, so the same figure
/// up to float rounding — at a fraction of the cost (libebur128 filters sample by sample
/// through a circular buffer). Chunks whose input peak × the filter's gain bound stays
/// below the peak found so far are not filtered: they cannot change the result (nor,
/// within a chunk that is, are its 128-sample pieces that stay below it). For programme
/// metering (stems, mix); the master's final check stays libebur128's own reading of the
/// written file.
class Ebur128TruePeak {
public:
    static constexpr int kTaps = 49;
    static constexpr int kChunk = 1024;
    static constexpr int kPiece = 128; ///< screening granularity within a chunk that passes its screen

    void prepare(int channels, double sampleRate);
    void reset() noexcept;
    void process(const AudioBuffer& block) noexcept { process(block, block.frames()); }
    /// The block's first `frames` frames.
    void process(const AudioBuffer& block, std::size_t frames) noexcept;
    /// Raises every channel's held maximum to `atMost`, a value known not to exceed the
    /// programme's sample peak (taken over all channels): the chunk screening then skips,
    /// from the first chunk on, what cannot pass it. truePeak(), the maximum over the
    /// channels, is unchanged — it reports at least the sample peak anyway — only the
    /// work is less.
    void seed(float atMost) noexcept;
    /// Maximum over channels, linear (1.0 = 0 dBTP).
    float truePeak() const noexcept;

    /// Per-sample envelope for a limiter (held maxima untouched): out[i] = the largest
    /// |interpolated value| between input samples x[i − envelopeDelay()] and the next one,
    /// i.e. the interval libebur128 reads around there (its fractional phases; the sample
    /// itself is phase 0). n ≤ kChunk. It shares the history with process(): use one
    /// object for one or the other.
    void envelope(int channel, const float* x, int n, float* out) noexcept;
    /// Input samples between a sample and the interval envelope() reads at its push:
    /// (kTaps − 1) / (2 · factor), 6 at 4×.
    int envelopeDelay() const noexcept { return factor_ > 1 ? (kTaps - 1) / (2 * factor_) : 0; }

    /// Stateless form for a caller that keeps its own history: the largest |point| the
    /// interpolator computes at the pushes of cur[0 … n) (every phase, the samples
    /// included), reading cur[−history() … n) rounded up to 8 (n ≤ kChunk); scratch holds
    /// kChunk floats. Without interpolation (factor 1), the sample peak.
    float chunkPeak(const float* cur, int n, float* scratch) const noexcept;
    /// Past samples chunkPeak() reads: perPhase − 1 (12 at 4×).
    int history() const noexcept { return perPhase_ - 1; }
    /// Bound on |point| / max |input| over the samples a point reads (Σ |coefficients| of
    /// the largest phase, with a margin for rounding: it also bounds libebur128's double sums).
    float gainBound() const noexcept { return bound_; }

private:
    int factor_ = 4;
    int perPhase_ = 13;               // (kTaps + factor − 1) / factor
    std::vector<float> coeffs_;       // factor × perPhase, coefficient of x[n − k] in phase f at [f·perPhase + k]
    float bound_ = 1.0f;              // max over phases of Σ |coefficients| (+ rounding margin)
    std::vector<std::vector<float>> buf_; // per channel: perPhase − 1 history samples, then a chunk
    std::vector<float> acc_;          // per channel: kChunk interpolated maxima (process())
    std::vector<float> max_;
};

/// 20·log10(linear), clamped to −300 dB for silence.
double linearToDb(double linear) noexcept;

} // namespace mm
