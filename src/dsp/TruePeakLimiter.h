#pragma once
// Lookahead brickwall limiter whose output stays at or below a true-peak ceiling.
//
// Signal flow per sample (stereo-linked, so the image does not move):
//   1. detector: 8× oversampled peak of each input interval (TruePeakMeter::envelope), and
//      the peak libebur128's 4× interpolator reads there (Ebur128TruePeak::envelope: on
//      limited masters it reads up to ~0.6 dB over the 8× estimate, and libebur128 is the
//      judge of the written file), over the interval and its two neighbours; max over
//      channels → required gain req = min(1, c / peak), c = ceiling − kSafetyDb;
//   2. hold: sliding minimum of req over W + 1 samples (W = lookahead), a monotonic
//      deque in a preallocated ring, O(1) amortised (Lemire, "Streaming maximum-minimum
//      filter using no more than three comparisons per element", 2006);
//   3. release: one-pole towards the hold from below (never above it); with
//      programDependentRelease a second, slow envelope (attack and release 5× slower)
//      tracks sustained reduction and the gain follows the lower of the two, so dense
//      programme does not pump while an isolated transient recovers at the fast rate;
//   4. attack: a W-sample moving average, i.e. a linear ramp over the lookahead that is
//      already at the hold level when the peak arrives;
//   5. output: input delayed by latency() × gain, clamped to ±c.
// The work runs per block: the detector's block path per channel (detect(); channels are
// independent, so a caller may run them on separate threads), then, in chunks of
// Oversampler::kMaxBlock frames, the sequential gain computer per frame and a vectorised
// output (apply()).
//
// Why the ceiling holds: every value averaged in (4) is ≤ the hold of (2), and the
// W + 1-sample hold window is placed so that each of those W values covers both input
// intervals adjacent to the output sample. So the gain applied to sample s is ≤ c / (the
// 8× peak of [s − 1, s + 1]): sample peaks are ≤ c exactly (the clamp only absorbs
// float rounding) and the inter-sample peaks the detector sees are ≤ c. What remains is
// the small spread that gain modulation adds between samples and the detector's own
// error; kSafetyDb covers it, and the tests measure the output with this meter and with
// libebur128 on torture signals pushed 12 dB over the ceiling (see LimiterTest.cpp).
//
// Flush: the output lags the input by latency() samples. At the end of a stream call
// flush() (or process latency() zeros) to get the remaining delayed samples; drop the
// first latency() output samples to time-align.
#include "dsp/Processor.h"
#include "dsp/TruePeakMeter.h"

#include <cstdint>
#include <vector>

namespace mm {

struct TruePeakLimiterParams {
    float ceilingDbTP = -1.0f;
    float lookaheadMs = 2.0f;  ///< 1.5–5 ms; fixed at prepare()
    float releaseMs = 100.0f;  ///< time to recover to within 1 dB after a ≥ 6 dB reduction
    bool programDependentRelease = true;
    /// For loudness probes only (the mastering gain search): the 8× estimate of step 1 is
    /// replaced by the interval's two samples and its midpoint by 4-point interpolation
    /// (libebur128's interpolator still counts), with the same timing. About 3× cheaper;
    /// sample peaks still hold the ceiling, 8× inter-sample peaks may not, and the output
    /// reads 0.08–0.11 LU louder than the full detector's on the bench song (it reduces a
    /// little less).
    bool samplePeakDetector = false;
};

class TruePeakLimiter final : public Processor {
public:
    /// Margin below the ceiling the gain computer aims at (covers modulation spread).
    static constexpr float kSafetyDb = 0.1f;

    /// Sets parameters; ceiling and release apply from the next block, lookahead from prepare().
    void setParams(const TruePeakLimiterParams& p) noexcept;
    const TruePeakLimiterParams& params() const noexcept { return params_; }

    void prepare(const ProcessSpec& spec) override;
    /// detect() for every channel, then apply(), in pieces of at most maxBlock frames.
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

    /// Step 1 alone for one channel: the detector envelope of x[0 … n) (n ≤ the prepared
    /// maxBlock), kept for apply(). Channels have their own detector state, so a caller
    /// may detect them on separate threads, then call apply() for the block; the result is
    /// process()'s, bit for bit. Detection may run one block ahead of apply() (two
    /// envelope buffers), also at the same time: block k + 1's channels beside block k's
    /// apply(), as a pipeline does.
    void detect(int channel, const float* x, std::size_t n) noexcept;
    /// Steps 2–5 for the oldest detected block not applied yet (same frames as detected).
    void apply(AudioBuffer& block) noexcept;

    /// Writes the remaining delayed samples (the input followed by zeros) into `tail`:
    /// min(latency(), tail.capacity()) frames, sets tail.frames() and returns it.
    std::size_t flush(AudioBuffer& tail) noexcept;

    /// Output delay in samples: lookahead + oversampler group delay − 1.
    int latency() const noexcept { return delay_; }
    /// Largest gain reduction so far, dB (≥ 0).
    double maxGainReductionDb() const noexcept { return maxGrDb_; }
    /// Mean gain reduction over all processed samples, dB (≥ 0).
    double averageGainReductionDb() const noexcept;
    /// Gain applied to the last processed sample (linear), for metering.
    float currentGain() const noexcept { return lastGain_; }

private:
    float gainFor(float peak) noexcept; // steps 2–4 for one frame's linked peak
    void applyDelayed(float* x, const float* gain, int channel, int n) noexcept; // step 5
    void applyRange(AudioBuffer& block, std::size_t from, std::size_t n) noexcept; // steps 2–5
    void updateCoefficients() noexcept; // from params_ and the sample rate

    TruePeakLimiterParams params_;
    TruePeakMeter detector_;
    Ebur128TruePeak ebur128_;     // libebur128's interpolator, the judge of the written file
    int eburShift_ = 0;           // kLatency − ebur128_.envelopeDelay()
    std::vector<float> eburHist_; // per channel: eburShift_ + 1 earlier envelope values, then a chunk's
    double sampleRate_ = 48000.0;
    int channels_ = 0;
    int window_ = 1; // W, lookahead samples
    int delay_ = 0;

    void samplePeakEnvelope(int channel, const float* x, int n, float* envelope) noexcept; // step 1, probes
    void addEbur128Envelope(int channel, const float* x, int n, float* envelope) noexcept; // step 1, libebur128's reading

    std::size_t maxBlock_ = 0;
    // Two buffers × channels × maxBlock_ detector values (detect() → apply()); block j of
    // a channel goes to buffer j % 2.
    std::vector<float> envelopes_;
    std::vector<std::uint64_t> detected_; // per channel: blocks detected
    std::uint64_t applied_ = 0;           // blocks applied
    float* envelopeBuffer(int channel, std::uint64_t blockIndex) noexcept
    {
        return envelopes_.data() + ((blockIndex % 2) * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(channel)) * maxBlock_;
    }
    std::vector<float> peak_, gain_; // per frame of a chunk (Oversampler::kMaxBlock)
    std::vector<float> history_; // samplePeakDetector: per channel, the last kLatency + 1 inputs, then a chunk
    std::vector<float> delayLine_; // channels × delay_
    int delayPos_ = 0;

    std::vector<float> dqValue_; // monotonic deque ring, capacity window_ + 2
    std::vector<std::int64_t> dqIndex_;
    int dqHead_ = 0;
    int dqSize_ = 0;
    std::int64_t t_ = 0;

    std::vector<float> box_; // last W released gains
    int boxPos_ = 0;
    double boxSum_ = 0.0;

    float fast_ = 1.0f;
    float slow_ = 1.0f;
    float ceilingLin_ = 1.0f;
    float fastCoef_ = 0.0f;
    float slowAttackCoef_ = 0.0f;
    float slowReleaseCoef_ = 0.0f;
    float lastGain_ = 1.0f;

    double maxGrDb_ = 0.0;
    double sumGrDb_ = 0.0;
    std::uint64_t count_ = 0;
};

} // namespace mm
