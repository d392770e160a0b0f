#pragma once
// Offline mastering of a mix file into a master file, streaming in blocks of kBlock
// frames (memory does not grow with the song's length):
//
//   mix ─► ToneMatch (linear-phase FIR) ─► MultibandCompressor ─► StereoWidth ─► gain
//       ─► TruePeakLimiter ─► AudioWriter (16-bit: TPDF dither; atomic commit) ─► master
//
// Passes over the mix:
//   analysis    the mix's third-octave spectrum and width (Analyzer, no true peak) and
//               the multiband bands' RMS levels → tone-match curve, band thresholds;
//               skipped when MasteringSettings::mixAnalysis brings them (measured while
//               the mix was written);
//   pre-limiter the chain up to the gain stage at 0 dB → integrated loudness
//               (preLimiterLoudness()) and the width entering StereoWidth, which fixes
//               the M/S factor (the stages before it are the same in every render, and
//               are kept in a stage file as mid and side after the width's crossover);
//   render      renderWithGain(g): the whole chain with gain g, written to the master
//               path, then the written file is read back and measured (libebur128
//               loudness/LRA/true peak via Analyzer, and the 8× TruePeakMeter).
// The limiter removes some loudness, so one render rarely lands on the target: master()
// renders up to three times, correcting the gain, measuring each candidate in-stream
// (integrated loudness only), and keeps the closest, which alone is read back and
// measured fully (and rendered again with a larger margin if it reads over the ceiling).
//
// Time alignment: the FIR and the limiter delay the signal; every pass drops their
// latency from the start of the output and flushes it with zeros at the end, so the
// master has exactly the mix's length and an impulse stays at its sample index.
//
// Ceiling: what must hold is libebur128's true peak of the written file (the figure the
// report and the QC check read). The limiter's detector reads both its 8× estimate and
// libebur128's own 4× interpolation (which reads up to ~0.6 dB higher on bright limited
// material), and aims 0.1 dB under its ceiling (TruePeakLimiter::kSafetyDb); the chain
// sets that ceiling kCeilingMarginDb under the target for what the gain modulation, 24-bit
// rounding and dither (±1 LSB at 16 bits, < 0.001 dB at −1 dBFS) may add. Should a written
// file still read over the ceiling, the render is repeated with the margin raised by the
// excess + 0.05 dB (kept for later renders), at most kMaxCeilingRetries times.
#include "analysis/AudioMetrics.h"
#include "core/ThreadPool.h"
#include "mastering/MasteringSettings.h"
#include "mastering/MultibandCompressor.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mm {

struct MixAnalysis {
    AudioMetrics metrics;            ///< of the mix (no true peak)
    /// Multiband bands' RMS: after the tone-match curve in MasteringChain::analysis();
    /// as measured (BandLevelMeter on the mix) in MasteringSettings::mixAnalysis.
    std::vector<double> bandLevelsDb;
    std::int64_t frames = 0;
    std::vector<double> crossoversHz; ///< of the BandLevelMeter that measured bandLevelsDb
};

struct MasterResult {
    std::string path;
    double gainDb = 0.0;             ///< gain before the limiter
    double targetLufs = 0.0;
    double preLimiterLufs = 0.0;     ///< integrated loudness before gain and limiter
    double loudnessErrorLu = 0.0;    ///< output.integratedLufs − targetLufs
    std::vector<double> toneMatchCurveDb; ///< at thirdOctaveCentres()
    std::vector<MultibandBandReport> multiband;
    double widthInPct = 0.0;         ///< width entering StereoWidth
    double widthFactor = 1.0;        ///< M/S side factor applied
    double limiterMaxGrDb = 0.0;
    double limiterAvgGrDb = 0.0;
    double dspTruePeakDbtp = 0.0;    ///< 8× TruePeakMeter on the written file
    double limiterCeilingDbtp = 0.0; ///< ceiling the limiter was given (before its own 0.1 dB)
    int renders = 1;                 ///< renders master() made (1 for renderWithGain)
    int tapToken = -1;               ///< MasteringSettings::renderTap's token for this render
    std::int64_t frames = 0;         ///< frames written (== the mix's)
    AudioMetrics output;             ///< Analyzer on the written file, with series
};

class MasteringChain {
public:
    static constexpr std::size_t kBlock = 4096;
    static constexpr double kCeilingMarginDb = 0.05;
    static constexpr int kMaxCeilingRetries = 2;
    static constexpr double kMaxWidthPct = 140.0;
    /// master() stops when |output − target| ≤ this (LU).
    static constexpr double kLoudnessToleranceLu = 0.1;
    static constexpr int kMaxRenders = 3;
    /// The gain search's two probes measure the loudness at the first gain and this much
    /// higher (dB).
    static constexpr double kProbeStepDb = 1.0;
    /// How much louder the probes' sample-peak limiter leaves the output than the render's
    /// (measured: 0.08–0.11 LU on the 4-minute bench song, with both policies); the first
    /// render aims this much above the probes' secant.
    static constexpr double kProbeBiasLu = 0.05;

    /// Reads nothing yet; throws InputError for settings out of range.
    MasteringChain(std::string mixPath, std::string masterPath, MasteringSettings settings);
    ~MasteringChain();
    MasteringChain(const MasteringChain&) = delete;
    MasteringChain& operator=(const MasteringChain&) = delete;

    /// The analysis pass (run once, on first use).
    const MixAnalysis& analysis();
    /// Integrated loudness (LUFS) of the chain before gain and limiter (run once).
    double preLimiterLoudness();
    /// Renders the master with `gainDb` before the limiter, writes it (replacing any
    /// earlier render) and measures the written file.
    MasterResult renderWithGain(double gainDb);
    /// Gain from the pre-limiter loudness, then up to kMaxRenders renders correcting the
    /// gain; the closest render to the target is left at the master path.
    MasterResult master();

    const MasteringSettings& settings() const noexcept { return settings_; }

private:
    MasterResult render(double gainDb, const std::string& path);
    /// `measure`: read the written file back and measure it fully (Analyzer with
    /// libebur128 true peak, 8× meter); otherwise only the integrated loudness of what
    /// was sent to the writer is measured in-stream (the gain search's candidates).
    MasterResult renderOnce(double gainDb, const std::string& path, bool measure = true);
    void measureWritten(MasterResult& r, const std::string& path);
    /// Reports progress through settings_.progress (which may throw to cancel).
    void tick(std::int64_t done, std::int64_t total) const;
    /// Output loudness (LUFS) of a render at `gainDb` through the limiter's sample-peak
    /// detector, measured in-stream, nothing written. `withProgress`: reports progress (the
    /// calling thread's probe); NaN when stopped through abort_.
    double probeLoudness(double gainDb, bool withProgress);
    ThreadPool& pool();

    std::string mixPath_, masterPath_;
    std::string stagePath_; // tone match + multiband output (float WAV), read by every render
    MasteringSettings settings_;
    std::vector<MultibandBandReport> multibandReport_;
    bool analysed_ = false, measured_ = false;
    MixAnalysis analysis_;
    std::vector<double> curve_;
    double preLimiterLufs_ = 0.0;
    double widthInPct_ = 0.0;
    double widthFactor_ = 1.0;
    double extraMarginDb_ = 0.0; // raised when a written file read over the ceiling
    struct Aborted {};           // thrown inside helper threads once abort_ is set
    std::atomic<bool> abort_{false}; // set when the caller unwinds: helper threads stop
    int passesDone_ = 0;         // passes over the audio so far (for progress)
    std::unique_ptr<ThreadPool> pool_; // made at first use (settings_.threads)
    static constexpr int kExpectedPasses = 4; // analysis/pre-limiter, 2 renders, read-back
};

/// One call: MasteringChain(mixPath, masterPath, settings).master().
MasterResult masterFile(const std::string& mixPath, const std::string& masterPath, const MasteringSettings& settings);

} // namespace mm
