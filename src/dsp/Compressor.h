#pragma once
// Feed-forward dynamic range compressor with a log-domain gain computer and smoothing.
//
// Signal flow per sample (D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic
// Range Compressor Design — A Tutorial and Analysis", JAES 60(6), 2012):
//   side chain x -> [optional 2nd-order Butterworth high-pass] -> level detector (peak
//   |x|^2, or mean square through a one-pole of time constant rmsWindowMs) -> stereo link
//   (max, or mean of the channels' powers) -> x_G in dB -> gain computer y_G (soft knee,
//   eq. 4 of the paper) -> x_L = x_G - y_G (gain reduction, >= 0 dB) -> level-domain
//   branching smoother (eq. 17, "smooth branching" peak detector, applied in dB):
//       y_L[n] = a_A y_L[n-1] + (1 - a_A) x_L[n]   if x_L[n] > y_L[n-1]   (attack)
//       y_L[n] = a_R y_L[n-1] + (1 - a_R) x_L[n]   otherwise              (release)
//   with a = exp(-1 / (tau fs)): a step of x_L reaches 1 - 1/e of its change after tau.
//   -> gain 10^((makeup - y_L) / 20), the same for every channel (linked).
#include "dsp/Biquad.h"
#include "dsp/Processor.h"

#include <cstddef>
#include <vector>

namespace mm {

enum class Detector { Peak, Rms };
enum class StereoLink { Max, Mean };

struct CompressorParams {
    double thresholdDb = -20.0;
    double ratio = 4.0;        ///< >= 1; 1 = no compression
    double kneeDb = 6.0;       ///< total knee width W (0 = hard knee)
    double attackMs = 10.0;    ///< time constant of the gain reduction rising
    double releaseMs = 100.0;  ///< time constant of the gain reduction falling
    double makeupDb = 0.0;     ///< smoothed over ~20 ms when changed
    Detector detector = Detector::Peak;
    double rmsWindowMs = 50.0; ///< RMS detector: time constant of the mean-square one-pole
    double sidechainHpHz = 0.0; ///< 0 = off; else a 2nd-order Butterworth HP on the detector
    StereoLink link = StereoLink::Max;
};

class Compressor final : public Processor {
public:
    /// Samples count for the average gain reduction while the input's peak envelope
    /// (instant attack, 100 ms release, max over channels) is above this level, so
    /// silence between phrases does not dilute the average.
    static constexpr double kStatsFloorDb = -70.0;

    /// New parameters, taken at the next block. Threshold/ratio/knee changes pass through
    /// the attack/release smoother; make-up is smoothed (one-pole, 20 ms), except on the
    /// first call after prepare()/reset(), which takes it at once.
    void setParams(const CompressorParams& p) noexcept;
    const CompressorParams& params() const noexcept { return params_; }

    /// Gain computer y_G(x_G) in dB (Giannoulis et al. 2012, eq. 4), without make-up:
    ///   x                                        if 2 (x - T) <  -W
    ///   x + (1/R - 1) (x - T + W/2)^2 / (2 W)    if 2 |x - T| <= W
    ///   T + (x - T) / R                          if 2 (x - T) >   W
    static double staticCurveDb(double inputDb, const CompressorParams& p) noexcept;

    void prepare(const ProcessSpec& spec) override;
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

    /// Mean of the smoothed gain reduction y_L (dB, >= 0) over counted samples (see
    /// kStatsFloorDb) since the last resetStats(); 0 if none counted.
    double averageGainReductionDb() const noexcept;
    /// Largest smoothed gain reduction (dB) since the last resetStats().
    double maxGainReductionDb() const noexcept { return maxGr_; }
    /// Smoothed gain reduction (dB) after the last processed sample.
    double currentGainReductionDb() const noexcept { return grDb_; }
    void resetStats() noexcept;

private:
    static constexpr std::size_t kChunk = 256; ///< frames per pass of process()

    void updateCoefficients() noexcept;
    /// Detector power per frame of [from, from + n), linked over channels, and the input's
    /// sample peak per frame (for the statistics floor); any channel count.
    void detect(const AudioBuffer& block, std::size_t from, std::size_t n, double* linked, double* inputPeak) noexcept;
    /// The chunk loop of process(): `det` is the stereo detector's per-frame step (run in
    /// the smoother's loop of the chunk before), or nullptr for detect() per chunk.
    template <class StereoDet>
    void processChunks(AudioBuffer& block, StereoDet&& det) noexcept;
    /// The gain smoother and its statistics over one chunk's x_L, writing the gain (dB);
    /// side(i) for i < sideFrames runs in the same loop (see Compressor.cpp).
    template <class Side>
    void smoothChunk(const double* xL, const double* inputPeak, std::size_t n, double* gainDb, double makeupTarget,
                     double floorLin, Side&& side, std::size_t sideFrames) noexcept;

    CompressorParams params_;
    Biquad sidechainHp_;
    std::vector<double> meanSquare_; // RMS detector state per channel
    double sampleRate_ = 48000.0;
    int channels_ = 0;
    double attackCoef_ = 0.0, releaseCoef_ = 0.0, rmsCoef_ = 0.0;
    double makeupCoef_ = 0.0, floorCoef_ = 0.0;
    double grDb_ = 0.0;
    double makeupDb_ = 0.0;
    double floorEnv_ = 0.0;
    double grSum_ = 0.0, maxGr_ = 0.0;
    std::size_t grCount_ = 0;
    bool sidechainOn_ = false;
    bool snapNext_ = true; // first setParams() after prepare()/reset() takes make-up at once
};

} // namespace mm
