#pragma once
// What `mixmaster analyze` reports for one file, and what the report carries for each
// stem, the mix and the master. Levels in dBFS / LUFS / dBTP; −inf for silence.
#include "analysis/Spectrum.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mm {

struct AudioMetrics {
    std::string path;
    int sampleRate = 0;
    int channels = 0;
    double durationS = 0.0;
    double integratedLufs = 0.0;
    double lraLu = 0.0;
    double truePeakDbtp = 0.0;
    double samplePeakDbfs = 0.0;
    double maxMomentaryLufs = 0.0;
    double maxShortTermLufs = 0.0;
    double rmsDbfs = 0.0;
    double crestDb = 0.0;        ///< sample peak − RMS, over all channels
    double correlation = 1.0;
    double widthPct = 0.0;
    double dcOffset = 0.0;       ///< largest per-channel mean, linear
    std::int64_t clippedSamples = 0; ///< samples in runs of ≥ 3 at |x| ≥ 0.999
    std::int64_t nonFiniteSamples = 0;
    std::vector<double> shortTermPerSecond;
    std::vector<double> thirdOctaveDb;   ///< at thirdOctaveCentres()
    std::vector<float> waveformPeaks;    ///< max |x| per bucket, ~2000 buckets
    std::vector<std::string> warnings;
};

/// What the mixing policy reads of a stem besides its metrics.
struct StemFeatures {
    std::array<double, kMixBands> bandDb{};  ///< long-term mean square per mixing band
    std::vector<BandFrame> bandFrames;       ///< per ~170 ms frame, mean square per band
    double frameSeconds = 0.0;
    double activity = 0.0;          ///< fraction of 400 ms blocks within 20 dB of the loudest
    double transientsPerSecond = 0.0; ///< energy onsets (> +6 dB in 10 ms) per active second
    double spectralCentroidHz = 0.0;
    bool silent = false;
    /// Histogram of the 10 ms RMS levels of the active windows: bin i counts windows at
    /// kHistFloorDb + i·kHistStepDb dBFS. The mixing policy sets compressor thresholds from it.
    static constexpr double kHistFloorDb = -100.0;
    static constexpr double kHistStepDb = 0.5;
    std::vector<float> levelHistogram;
    /// Per 10 ms window (kEnvelopeSeconds, the windows of levelHistogram), every window
    /// of the song: the louder channel's mean square, and the largest x² of any channel.
    /// The mixing policy runs a compressor's detector, gain computer and smoother over
    /// them to predict its gain reduction and the loudness it takes (0.8 KB per second).
    static constexpr double kEnvelopeSeconds = 0.01;
    std::vector<float> envelopeMeanSquare, envelopePeakPower;
};

} // namespace mm
