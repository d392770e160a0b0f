#include "dsp/TruePeakLimiter.h"

#include <algorithm>
#include <cmath>

namespace mm {

void TruePeakLimiter::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    channels_ = spec.channels;
    const float lookMs = std::clamp(params_.lookaheadMs, 0.5f, 20.0f);
    window_ = std::max(1, static_cast<int>(std::lround(lookMs * 1e-3 * sampleRate_)));
    // See the header: sample s is scaled by the average of W released holds, each the
    // minimum over W + 1 interval requirements, reaching intervals s − 1 and s.
    delay_ = window_ + TruePeakMeter::kLatency - 1;
    detector_.prepare(channels_);
    ebur128_.prepare(channels_, sampleRate_);
    eburShift_ = TruePeakMeter::kLatency - ebur128_.envelopeDelay();
    eburHist_.assign(static_cast<std::size_t>(channels_) * static_cast<std::size_t>(eburShift_ + 1 + Oversampler::kMaxBlock), 0.0f);
    delayLine_.assign(static_cast<std::size_t>(channels_) * static_cast<std::size_t>(delay_), 0.0f);
    dqValue_.assign(static_cast<std::size_t>(window_ + 2), 1.0f);
    dqIndex_.assign(static_cast<std::size_t>(window_ + 2), 0);
    box_.assign(static_cast<std::size_t>(window_), 1.0f);
    maxBlock_ = std::max<std::size_t>(spec.maxBlock, 1);
    envelopes_.assign(2 * static_cast<std::size_t>(channels_) * maxBlock_, 0.0f);
    detected_.assign(static_cast<std::size_t>(channels_), 0);
    peak_.assign(Oversampler::kMaxBlock, 0.0f);
    gain_.assign(Oversampler::kMaxBlock, 1.0f);
    history_.assign(static_cast<std::size_t>(channels_) * static_cast<std::size_t>(TruePeakMeter::kLatency + 1 + Oversampler::kMaxBlock), 0.0f);
    updateCoefficients();
    reset();
}

void TruePeakLimiter::setParams(const TruePeakLimiterParams& p) noexcept
{
    params_ = p;
    updateCoefficients();
}

void TruePeakLimiter::updateCoefficients() noexcept
{
    ceilingLin_ = static_cast<float>(std::pow(10.0, (params_.ceilingDbTP - kSafetyDb) / 20.0));
    const double tau = std::max(1.0, 0.5 * params_.releaseMs) * 1e-3 * sampleRate_; // linear one-pole: 1 dB at ≈ 2τ
    fastCoef_ = static_cast<float>(std::exp(-1.0 / tau));
    slowAttackCoef_ = static_cast<float>(std::exp(-1.0 / (5.0 * tau)));
    slowReleaseCoef_ = static_cast<float>(std::exp(-1.0 / (5.0 * tau)));
}

void TruePeakLimiter::reset() noexcept
{
    detector_.reset();
    ebur128_.reset();
    std::fill(eburHist_.begin(), eburHist_.end(), 0.0f);
    std::fill(history_.begin(), history_.end(), 0.0f);
    std::fill(delayLine_.begin(), delayLine_.end(), 0.0f);
    delayPos_ = 0;
    dqHead_ = 0;
    dqSize_ = 0;
    t_ = 0;
    std::fill(box_.begin(), box_.end(), 1.0f);
    boxPos_ = 0;
    boxSum_ = static_cast<double>(window_);
    fast_ = slow_ = lastGain_ = 1.0f;
    std::fill(detected_.begin(), detected_.end(), 0);
    applied_ = 0;
    maxGrDb_ = sumGrDb_ = 0.0;
    count_ = 0;
}

double TruePeakLimiter::averageGainReductionDb() const noexcept
{
    return count_ ? sumGrDb_ / static_cast<double>(count_) : 0.0;
}

float TruePeakLimiter::gainFor(float peak) noexcept
{
    const float req = peak > ceilingLin_ ? ceilingLin_ / peak : 1.0f;

    // Sliding minimum over the last W + 1 requirements.
    const int cap = window_ + 2;
    while (dqSize_ > 0) {
        int back = dqHead_ + dqSize_ - 1;
        back -= back >= cap ? cap : 0;
        if (dqValue_[static_cast<std::size_t>(back)] < req)
            break;
        --dqSize_;
    }
    int slot = dqHead_ + dqSize_;
    slot -= slot >= cap ? cap : 0;
    dqValue_[static_cast<std::size_t>(slot)] = req;
    dqIndex_[static_cast<std::size_t>(slot)] = t_;
    ++dqSize_;
    while (dqIndex_[static_cast<std::size_t>(dqHead_)] < t_ - window_) {
        dqHead_ = dqHead_ + 1 == cap ? 0 : dqHead_ + 1;
        --dqSize_;
    }
    const float hold = dqValue_[static_cast<std::size_t>(dqHead_)];
    ++t_;

    // Release: approach the hold from below; attack is left to the ramp.
    fast_ = hold < fast_ ? hold : hold + (fast_ - hold) * fastCoef_;
    float released = fast_;
    if (params_.programDependentRelease) {
        slow_ = hold + (slow_ - hold) * (hold < slow_ ? slowAttackCoef_ : slowReleaseCoef_);
        released = std::min(fast_, slow_);
    }

    // Attack ramp: moving average of W released gains (each ≤ its hold).
    boxSum_ += static_cast<double>(released) - static_cast<double>(box_[static_cast<std::size_t>(boxPos_)]);
    box_[static_cast<std::size_t>(boxPos_)] = released;
    boxPos_ = boxPos_ + 1 == window_ ? 0 : boxPos_ + 1;
    return std::min(1.0f, static_cast<float>(boxSum_ / window_));
}

void TruePeakLimiter::samplePeakEnvelope(int channel, const float* x, int n, float* envelope) noexcept
{
    // envelope[i] covers the interval [i − L, i − L + 1] (L = kLatency), as the 8×
    // detector's does: the larger of its two samples and of its midpoint by 4-point
    // (Lagrange) interpolation, which catches most of an inter-sample peak. The history
    // holds the L + 1 inputs before this chunk, then the chunk.
    constexpr int L = TruePeakMeter::kLatency;
    float* h = history_.data() + static_cast<std::size_t>(channel) * static_cast<std::size_t>(L + 1 + Oversampler::kMaxBlock);
    std::copy(x, x + n, h + L + 1);
    const float* a = h + 1; // a[i] is the input L samples before chunk index i
    for (int i = 0; i < n; ++i) {
        const float mid = 0.5625f * (a[i] + a[i + 1]) - 0.0625f * (a[i - 1] + a[i + 2]);
        envelope[i] = std::max(std::max(std::fabs(a[i]), std::fabs(a[i + 1])), std::fabs(mid));
    }
    std::copy(h + n, h + n + L + 1, h); // the last L + 1 inputs, for the next chunk
}

void TruePeakLimiter::addEbur128Envelope(int channel, const float* x, int n, float* envelope) noexcept
{
    // The interpolator reads interval s at push s + envelopeDelay(), the 8× detector at
    // push s + kLatency: its values wait eburShift_ pushes in A, which holds the last
    // H = eburShift_ + 1 values, then this chunk's. For chunk push i, A[i + 1] is interval s
    // itself; A[i] and A[i + 2] are its neighbours (the hold then spans an interval more on
    // each side, so a one-sample difference in where the two meters place a peak is covered).
    const int H = eburShift_ + 1;
    float* A = eburHist_.data() + static_cast<std::size_t>(channel) * static_cast<std::size_t>(H + Oversampler::kMaxBlock);
    ebur128_.envelope(channel, x, n, A + H);
    for (int i = 0; i < n; ++i)
        envelope[i] = std::max(envelope[i], std::max(std::max(A[i], A[i + 1]), A[i + 2]));
    std::copy(A + n, A + n + H, A);
}

void TruePeakLimiter::applyDelayed(float* x, const float* gain, int channel, int n) noexcept
{
    // Output = input delayed by delay_ samples × gain, clamped; the ring is walked in
    // at most two contiguous segments so the loop vectorises.
    float* ring = delayLine_.data() + static_cast<std::size_t>(channel) * static_cast<std::size_t>(delay_);
    int pos = delayPos_;
    for (int i = 0; i < n;) {
        const int len = std::min(n - i, delay_ - pos);
        float* r = ring + pos;
        for (int k = 0; k < len; ++k) {
            const float in = x[i + k];
            x[i + k] = std::clamp(r[k] * gain[i + k], -ceilingLin_, ceilingLin_);
            r[k] = in;
        }
        i += len;
        pos += len;
        if (pos == delay_)
            pos = 0;
    }
}

void TruePeakLimiter::detect(int channel, const float* x, std::size_t n) noexcept
{
    // Step 1 for one channel, in the detector's chunks.
    float* envelope = envelopeBuffer(channel, detected_[static_cast<std::size_t>(channel)]++);
    n = std::min(n, maxBlock_);
    constexpr std::size_t kChunk = Oversampler::kMaxBlock;
    for (std::size_t from = 0; from < n; from += kChunk) {
        const int m = static_cast<int>(std::min(kChunk, n - from));
        if (params_.samplePeakDetector)
            samplePeakEnvelope(channel, x + from, m, envelope + from);
        else
            detector_.envelope(channel, x + from, static_cast<std::size_t>(m), envelope + from, ceilingLin_);
        addEbur128Envelope(channel, x + from, m, envelope + from);
    }
}

void TruePeakLimiter::apply(AudioBuffer& block) noexcept { applyRange(block, 0, std::min(block.frames(), maxBlock_)); }

void TruePeakLimiter::process(AudioBuffer& block) noexcept
{
    const int used = std::min(block.channels(), channels_);
    for (std::size_t from = 0; from < block.frames(); from += maxBlock_) {
        const std::size_t n = std::min(maxBlock_, block.frames() - from);
        for (int c = 0; c < used; ++c)
            detect(c, block.channel(c) + from, n);
        applyRange(block, from, n);
    }
}

void TruePeakLimiter::applyRange(AudioBuffer& block, std::size_t start, std::size_t frames) noexcept
{
    const int used = std::min(block.channels(), channels_);
    const std::uint64_t blockIndex = applied_++;
    constexpr int kChunk = Oversampler::kMaxBlock;
    for (std::size_t from = 0; from < frames; from += kChunk) {
        const int n = static_cast<int>(std::min<std::size_t>(kChunk, frames - from));
        // 1. (detected) linked by the maximum over channels.
        float* peak = peak_.data();
        std::fill_n(peak, n, 0.0f);
        for (int c = 0; c < used; ++c) {
            const float* envelope = envelopeBuffer(c, blockIndex) + from;
            for (int i = 0; i < n; ++i)
                peak[i] = std::max(peak[i], envelope[i]);
        }
        // 2.–4. hold, release, attack ramp: sequential, one gain per frame.
        float* gain = gain_.data();
        float minGain = 1.0f;
        double product = 1.0; // Σ log10 g = log10 Π g, one log per chunk instead of per sample
        double logSum = 0.0;
        for (int i = 0; i < n; ++i) {
            const float g = gainFor(peak[i]);
            gain[i] = g;
            if (g < 1.0f) {
                minGain = std::min(minGain, g);
                product *= static_cast<double>(g);
                if (product < 1e-200) { // far from the double's underflow (g ≥ ~1e-30)
                    logSum += std::log10(product);
                    product = 1.0;
                }
            }
        }
        sumGrDb_ -= 20.0 * (logSum + std::log10(product));
        if (minGain < 1.0f)
            maxGrDb_ = std::max(maxGrDb_, -20.0 * std::log10(static_cast<double>(minGain)));
        if (n > 0)
            lastGain_ = gain[n - 1];
        // 5. output: delayed input × gain, clamped to the ceiling.
        for (int c = 0; c < used; ++c)
            applyDelayed(block.channel(c) + start + from, gain, c, n);
        delayPos_ = static_cast<int>((static_cast<std::size_t>(delayPos_) + static_cast<std::size_t>(n)) % static_cast<std::size_t>(delay_));
    }
    count_ += frames;
}

std::size_t TruePeakLimiter::flush(AudioBuffer& tail) noexcept
{
    tail.setFrames(std::min(static_cast<std::size_t>(delay_), tail.capacity()));
    tail.clear();
    process(tail);
    return tail.frames();
}

} // namespace mm
