#pragma once
// Polyphase FIR interpolator by 8 for true-peak estimation (ITU-R BS.1770-4 Annex 2
// asks for ≥ 4× at 48 kHz; 8× halves the worst-case grid error of a 4× meter).
//
// Design: one 513-tap Kaiser-windowed sinc (β = 9, ≈ 90 dB stopband) at 8× the input
// rate with its cutoff at the input Nyquist frequency, split into 8 phases
// (Crochiere & Rabiner, "Multirate Digital Signal Processing", 1983, ch. 3). The
// transition band is ≈ 0.456–0.544 fs, so the passband reaches 0.45 fs with < 0.001 dB
// ripple. Phase 0 is a pure delay (a Nyquist filter), so the original samples come out
// unchanged and the group delay is exactly kLatency input samples; phases 1…7 have
// 64 non-zero taps each (tap 64 would be h[512 + p], past the end).
//
// Speed: the history is a linear buffer (the newest kMaxBlock samples after the
// kHistory before them), so each phase's dot product reads one contiguous span; the
// block path computes eight outputs of all seven phases at a time with the taps
// reversed: each 8-float input vector is loaded once for every phase and multiplied by a
// broadcast tap, the seven accumulators stay in registers (compiled for AVX2 and for
// baseline x86-64, picked at run time; no FMA, so both give processSample()'s bits).
// Phase 0 is a copy. (The earlier form, one phase at a time with 4-float vectors, was
// bound by its loads; an 8-float version of it was slower still on this machine's EPYC,
// half its unaligned 32-byte loads crossing a cache line.)
#include <array>
#include <cstddef>
#include <vector>

namespace mm {

class Oversampler {
public:
    static constexpr int kFactor = 8;
    static constexpr int kTapsPerPhase = 65; ///< of phase 0; phases 1…7 use the first 64
    /// Group delay in input samples: the points computed for input n describe x(n − kLatency + t).
    static constexpr int kLatency = (kTapsPerPhase - 1) / 2;
    static constexpr int kPhaseTaps = kTapsPerPhase - 1; ///< non-zero taps of phases 1…7
    static constexpr int kHistory = kPhaseTaps - 1;     ///< past samples a dot product needs
    static constexpr int kMaxBlock = 512;  ///< largest processBlock() call (rows stay in L1)
    static constexpr int kGroup = 32;      ///< rows are computed in whole groups of kGroup outputs
    static constexpr int kRowStride = kMaxBlock + kGroup;

    Oversampler();
    Oversampler(const Oversampler&) = delete;
    Oversampler& operator=(const Oversampler&) = delete;

    /// Allocates per-channel history. Not real-time safe.
    void prepare(int channels);
    void reset() noexcept;
    int channels() const noexcept { return channels_; }

    /// Pushes input sample x[n] of `channel` and writes kFactor + 1 points spanning
    /// [n − kLatency, n − kLatency + 1] with both ends included:
    /// out[p] ≈ x(n − kLatency + p / kFactor), p = 0 … kFactor; out[0] and out[kFactor]
    /// are the original samples x[n − kLatency] and x[n − kLatency + 1], bit-exact.
    void processSample(int channel, float x, float* out) noexcept;

    /// Pushes x[0 … n) (n ≤ kMaxBlock) of `channel` and returns kFactor rows of
    /// kRowStride floats, valid until the next call on that channel (each channel has its
    /// own rows and history, so channels may run on separate threads): row p, entry i is
    /// processSample()'s out[p] for x[i] (row 0 holds n + 1 entries, its entry n being
    /// out[kFactor] of the last sample). Same values as processSample() up to float
    /// summation order.
    const float* processBlock(int channel, const float* x, int n) noexcept;

    /// Bound on |output| / max |input| over every phase: Σ |taps| of the largest phase,
    /// with a margin for float rounding. Outputs of a block stay ≤ gainBound() ×
    /// inputPeak() of that block.
    float gainBound() const noexcept { return gainBound_; }
    /// Largest |x| over the samples processBlock(channel, x, n) would read: the kHistory
    /// newest history samples and x[0 … n).
    float inputPeak(int channel, const float* x, int n) const noexcept;
    /// Pushes x[0 … n) (n ≤ kMaxBlock) like processBlock() without computing the rows, for
    /// blocks whose points are known not to matter; returns the one point callers keep:
    /// processBlock()'s row kFactor − 1, entry n − 1 (bit-identical).
    float skipBlock(int channel, const float* x, int n) noexcept;

    /// The design prototype (kFactor × kTapsPerPhase − 7 taps, DC gain kFactor), for tests.
    static std::vector<double> prototype();

private:
    float* makeRoom(int channel, int n) noexcept; // returns the channel's buffer

    // taps_[(p − 1) * kPhaseTaps + k] = h[(kPhaseTaps − 1 − k) * kFactor + p]: phase p
    // reversed, so output i is the dot product with buffer[i − kHistory … i], ascending.
    std::array<float, (kFactor - 1) * kPhaseTaps> taps_{};
    std::vector<float> buffer_; // per channel: kBufferSize, oldest first
    std::vector<int> fill_;     // per channel: samples in the buffer (≥ kHistory)
    std::vector<float> rows_;   // per channel: kFactor × kRowStride
    float gainBound_ = 1.0f;
    int channels_ = 0;

    static constexpr int kBufferSize = kHistory + kMaxBlock + kGroup; // + over-read of the last group
};

} // namespace mm
