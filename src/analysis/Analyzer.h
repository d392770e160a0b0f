#pragma once
// One pass over a programme, in blocks: loudness, peaks, stereo, spectrum and the stem
// features, all from the same blocks. Memory does not grow with length except for the
// per-second and per-frame series (kilobytes per minute).
#include "analysis/AudioMetrics.h"
#include "analysis/LoudnessMeter.h"
#include "analysis/StereoMeter.h"
#include "core/AudioBuffer.h"
#include "dsp/TruePeakMeter.h"

#include <memory>
#include <string>
#include <vector>

namespace mm {

struct AnalyzerOptions {
    bool truePeak = true;        ///< libebur128's loudness, LRA and true peak (screened, Ebur128ChannelPeak)
    /// With truePeak off: the same true peak as libebur128's from Ebur128TruePeak (src/dsp:
    /// its interpolator, computed block-wise, ≈ 10× cheaper). Not for the master's check.
    bool fastTruePeak = false;
    /// Keep per-frame band energies etc. for the mixing policy; the spectrum then runs at
    /// SpectrumResolution::Stem (analysis/Spectrum.h).
    bool features = false;
    std::int64_t expectedFrames = 0; ///< sizes the waveform buckets; 0 = no waveform
};

class Analyzer {
public:
    Analyzer(double sampleRate, int channels, AnalyzerOptions options = {});
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    void process(const AudioBuffer& block);
    /// a.process(x) then b.process(y), with the two loudness meters' K-weighting in one
    /// loop (LoudnessMeter::processPair): the same metrics bit for bit, in less time.
    static void processPair(Analyzer& a, const AudioBuffer& x, Analyzer& b, const AudioBuffer& y);
    /// Ends the pass and returns the metrics (path left empty).
    AudioMetrics finish();
    /// Valid after finish() when options.features.
    const StemFeatures& features() const { return features_; }

private:
    /// Everything of process() but the loudness meter.
    void processRest(const AudioBuffer& block);
    /// Stereo blocks: sample statistics, waveform and 10 ms windows in one pass.
    void processStereo(const float* l, const float* r, std::size_t n);
    /// Other channel counts: the same figures, channel by channel.
    void processChannels(const AudioBuffer& block);
    void trackTransients(const AudioBuffer& block);
    /// Stores the finished 10 ms window (energy, envelope) and starts the next.
    void closeWindow();
    /// Counts clipped samples (runs of ≥ 3 at |x| ≥ 0.999) of one channel.
    void countClips(int channel, const float* x, std::size_t n);

    double rate_;
    int channels_;
    AnalyzerOptions options_;
    LoudnessMeter loudness_;
    StereoMeter stereo_;
    std::unique_ptr<SpectrumAnalyzer> spectrum_;
    std::unique_ptr<Ebur128TruePeak> fastPeak_; // options.fastTruePeak
    std::int64_t frames_ = 0;
    double peak_ = 0.0;
    double sumSq_ = 0.0;
    std::vector<double> channelSum_;
    std::int64_t clipped_ = 0;
    std::vector<int> clipRun_;
    // waveform
    std::int64_t bucketLen_ = 0, bucketFill_ = 0;
    float bucketPeak_ = 0.0f;
    std::vector<float> waveform_;
    // activity and transients: 10 ms energy windows
    std::size_t winLen_ = 0, winFill_ = 0;
    double winSum_ = 0.0;
    std::vector<float> winEnergies_;
    bool keepEnvelope_ = false;           ///< features: StemFeatures::envelope*
    std::vector<double> winChannelSum_;   ///< per channel, the current window's Σx²
    float winPeak_ = 0.0f;                ///< the current window's largest |x|
    StemFeatures features_;
};

class AudioReader;
/// Sets the metrics' path and what the reader found in the file: NaN/Inf samples, its
/// warnings (truncation, …), and a warning when no sample could be read.
void noteReaderFindings(AudioMetrics& m, const std::string& path, const AudioReader& reader);

/// Analyses a whole file in one streaming pass (at its own rate). Reader warnings
/// (truncation, NaN/Inf) go into metrics.warnings.
AudioMetrics analyzeFile(const std::string& path, AnalyzerOptions options = {}, StemFeatures* features = nullptr);

} // namespace mm
