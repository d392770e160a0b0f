#pragma once
// Long-term spectrum by Welch's method (Hann window, KissFFT) of the mid signal (L+R)/2,
// reported in the 31 ISO 266 third-octave bands from 20 Hz to 20 kHz and, per frame, in
// eight broad mixing bands (the features the mixing policy reads).
// Two resolutions, one frame period (8192 frames at 48 kHz, 170 ms):
//   Fine  16384-point frames, 50 % overlap, 2.9 Hz bins: mixes and masters (the report's
//         spectra, tone matching), where the 20-31.5 Hz third octaves must be resolved;
//   Stem  8192-point frames, no overlap, 5.9 Hz bins: stem features, where the policy
//         reads eight broad bands and the third octaves only as a whole (filter losses).
//         Under half the cost: the stems are 12× the audio of the mix.
#include "core/AudioBuffer.h"

#include <array>
#include <utility>
#include <vector>

struct kiss_fftr_state;

namespace mm {

/// ISO 266 nominal third-octave centre frequencies, 20 Hz … 20 kHz (exact: 1000·2^(k/3)).
const std::vector<double>& thirdOctaveCentres();

inline constexpr int kMixBands = 8;
/// Edges of the eight mixing bands in Hz: sub, bass, low-mid, mid, upper-mid, presence,
/// brilliance, air.
const std::array<double, kMixBands + 1>& mixBandEdges();
const std::array<const char*, kMixBands>& mixBandNames();

using BandFrame = std::array<float, kMixBands>; ///< mean-square per band, one frame

enum class SpectrumResolution { Fine, Stem };

class SpectrumAnalyzer {
public:
    explicit SpectrumAnalyzer(double sampleRate, bool keepFrames = false, SpectrumResolution resolution = SpectrumResolution::Fine);
    ~SpectrumAnalyzer();
    SpectrumAnalyzer(const SpectrumAnalyzer&) = delete;
    SpectrumAnalyzer& operator=(const SpectrumAnalyzer&) = delete;

    void process(const AudioBuffer& block);
    /// Call after the last block: a programme shorter than one FFT frame is analysed
    /// zero-padded, so that even a click has a spectrum.
    void finish();

    /// Mean-square level in dB per third-octave band (a sine of peak A in a band reads
    /// 20·log10(A) − 3.01 dB). Bands narrower than one FFT bin take the density of the
    /// nearest bin scaled by their width. −120 dB floor.
    std::vector<double> thirdOctaveDb() const;
    /// Long-term mean-square per mixing band, in dB (−120 floor).
    std::array<double, kMixBands> mixBandsDb() const;
    /// Per-frame mixing-band mean squares (only with keepFrames), one per hop.
    const std::vector<BandFrame>& frames() const { return frames_; }
    double hopSeconds() const { return static_cast<double>(hop_) / rate_; }

private:
    void analyseFrame();

    double rate_;
    std::size_t n_, hop_;
    bool keepFrames_;
    kiss_fftr_state* cfg_ = nullptr;
    std::vector<float> window_, input_, windowed_;
    std::vector<float> fftOut_; // interleaved complex, n/2+1 bins
    std::vector<double> power_; // accumulated |X|² per bin
    std::size_t fill_ = 0;
    std::size_t framesDone_ = 0;
    double norm_ = 1.0;
    std::array<std::pair<std::size_t, std::size_t>, kMixBands> bandBins_{}; // [first, last + 1) per mixing band
    std::vector<double> binPower_; // this frame's |X|² per bin
    std::vector<BandFrame> frames_;
};

} // namespace mm
