#pragma once
// Programme loudness per EBU R128. With true peak on, integrated loudness, loudness
// range and true peak come from libebur128 (the reference implementation the EBU test set
// was checked against): the master's final measurement. (The true peak per channel,
// screened: Ebur128ChannelPeak below; the same figure as libebur128's own.) Without it, our own K-weighting
// and libebur128's gating rules (GatedLoudness; same readings within 0.001 LU, tests/
// analysis/GatedLoudnessTest.cpp) at a fraction of the cost. Maximum momentary /
// short-term loudness always come from SlidingLoudness (sample resolution).
#include "analysis/GatedLoudness.h"
#include "analysis/SlidingLoudness.h"
#include "core/AudioBuffer.h"
#include "dsp/TruePeakMeter.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace mm {

class Ebur128ChannelPeak;

struct LoudnessResult {
    double integratedLufs = 0.0;   ///< −inf for silence
    double lraLu = 0.0;
    double truePeakDbtp = 0.0;     ///< −inf for silence; NaN when not measured
    double maxMomentaryLufs = 0.0;
    double maxShortTermLufs = 0.0;
    std::vector<double> shortTermPerSecond;
};

class LoudnessMeter {
public:
    /// `integratedOnly`: integrated loudness alone (no LRA, no momentary/short-term
    /// maxima or series: result() leaves them 0/empty) — for the meters that only steer a
    /// gain (per-stem and mix meters of the mix renders, the mastering gain search).
    LoudnessMeter(double sampleRate, int channels, bool measureTruePeak = true, bool integratedOnly = false);
    ~LoudnessMeter();
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;

    void process(const AudioBuffer& block);
    /// a.process(x) then b.process(y), with the two meters' K-weighting in one loop when
    /// both are full meters (SlidingLoudness::processPair): bit-identical readings.
    static void processPair(LoudnessMeter& a, const AudioBuffer& x, LoudnessMeter& b, const AudioBuffer& y);
    LoudnessResult result() const;

private:
    /// The libebur128 parts of process() (its I/LRA state, the channels' true peaks).
    void processLibrary(const AudioBuffer& block);

    struct Ebur128; // owns libebur128's state (an anonymous struct: cannot be forward-declared)
    Ebur128* ebu_ = nullptr;
    int channels_;
    bool truePeak_;
    bool integratedOnly_;
    std::vector<std::unique_ptr<Ebur128ChannelPeak>> peaks_; // truePeak_: one per channel
    SlidingLoudness sliding_;
    IntegratedLoudness integrated_;
    std::vector<float> interleaved_;
};

/// libebur128's true peak of one channel: a one-channel libebur128 state in true-peak
/// mode. libebur128 interpolates every channel on its own, so this reads what a
/// multichannel state reads for that channel (Ebur128ChannelPeakTest), and one reader per
/// channel can run on its own thread.
///
/// Screened: libebur128 filters sample by sample in double (≈ 40 ns a sample), so only
/// the 1024-frame chunks that can hold its maximum are given to it. Ebur128TruePeak
/// computes the same points in float, vectorised, ~20× cheaper; with its bound on the
/// float/double difference (1e-5 of the chunk's input peak, several times the worst case),
/// a chunk whose float reading + that bound stays below the largest libebur128 reading so
/// far cannot change libebur128's result and is skipped. A chunk that follows a skipped
/// one is preceded by its 12 samples of history, whose own readings are not counted, so
/// every point counted is the one a continuous feed computes. The result is libebur128's
/// figure for the whole stream, exactly (EbuConformanceTest).
class Ebur128ChannelPeak {
public:
    explicit Ebur128ChannelPeak(double sampleRate);
    ~Ebur128ChannelPeak();
    Ebur128ChannelPeak(const Ebur128ChannelPeak&) = delete;
    Ebur128ChannelPeak& operator=(const Ebur128ChannelPeak&) = delete;

    void process(const float* samples, std::size_t n);
    /// Linear (1.0 = 0 dBTP); 0 before any sample.
    double truePeak() const { return peak_; }
    /// Frames given to libebur128 (history included), for tests and benchmarks.
    std::int64_t framesMeasured() const noexcept { return measured_; }

private:
    void feed(const float* samples, std::size_t n, bool counted);

    struct State;
    State* state_ = nullptr;
    Ebur128TruePeak screen_;     // coefficients only: the history is kept here
    std::vector<float> buf_;     // history(), then a chunk
    std::vector<float> scratch_; // chunkPeak()'s
    bool lastFed_ = true;        // libebur128 has seen the samples up to now
    double peak_ = 0.0;
    std::int64_t measured_ = 0;
};

} // namespace mm
