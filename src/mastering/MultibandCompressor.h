#pragma once
// Multiband compressor: an LR4 MultibandSplitter (2–4 bands), one Compressor per band,
// the bands summed. With every band at ratio 1 the sum is the splitter's allpass: flat
// magnitude (±0.1 dB measured, see MultibandCompressorTest.cpp), so the processor only
// changes what the compressors change.
//
// Detector: RMS (50 ms) with the channels' powers averaged (StereoLink::Mean), so the
// threshold, set relative to the band's own programme RMS, compares like with like; a
// peak detector would react to each band's crest factor instead. Gain is linked across
// channels per band, which keeps the stereo image of each band.
#include "dsp/Compressor.h"
#include "dsp/LinkwitzRiley.h"
#include "dsp/Processor.h"
#include "mastering/MasteringSettings.h"

#include <array>
#include <span>
#include <vector>

namespace mm {

struct MultibandBandReport {
    double lowHz = 0.0;          ///< lower crossover (0 for the lowest band)
    double highHz = 0.0;         ///< upper crossover (Nyquist for the highest band)
    double levelDb = 0.0;        ///< the band's programme RMS the threshold refers to
    double thresholdDb = 0.0;    ///< absolute threshold used
    double averageGrDb = 0.0;    ///< Compressor::averageGainReductionDb()
    double maxGrDb = 0.0;
};

class MultibandCompressor final : public Processor {
public:
    static constexpr int kMaxBands = MultibandSplitter::kMaxCrossovers + 1;

    /// Sets crossovers and per-band parameters. `bandLevelsDb` is each band's RMS level
    /// (dBFS, mean power over channels; see measureBandLevels) that thresholdRelDb refers
    /// to; missing entries count as −20 dBFS. Call before prepare(). Throws InputError for
    /// 0 or > 3 crossovers or crossovers not ascending.
    void setSettings(const MultibandSettings& settings, std::span<const double> bandLevelsDb);

    int bands() const noexcept { return bands_; }
    const std::vector<double>& crossoversHz() const noexcept { return crossovers_; }

    void prepare(const ProcessSpec& spec) override;
    void process(AudioBuffer& block) noexcept override;
    void reset() noexcept override;

    /// Per-band levels, thresholds and gain reduction since prepare()/reset().
    std::vector<MultibandBandReport> report() const;

    /// Default band settings when MultibandSettings::bands has fewer entries than bands.
    static MultibandBandSettings defaultBand(int band, int bands) noexcept;

private:
    std::vector<double> crossovers_;
    std::vector<MultibandBandSettings> bandSettings_;
    std::vector<double> levelsDb_;
    MultibandSplitter splitter_;
    std::array<Compressor, kMaxBands> compressors_;
    double sampleRate_ = 48000.0;
    int bands_ = 0;
    bool enabled_ = true;
};

/// Measures each band's RMS level (dBFS, mean power over channels) of a programme fed in
/// blocks through the same LR4 split, over gating pieces whose band level is above
/// −70 dBFS (silence between songs' sections must not lower the reference). A piece is
/// spec.maxBlock frames (the last one of a block shorter): process() takes blocks of any
/// length and cuts them, so callers reading larger blocks get the same reading. Each
/// piece's sums are kept (a few bytes per piece), so that the levels can be read for the
/// programme scaled by a gain decided afterwards (a mix's headroom gain): the gate then
/// applies to the scaled levels, as if the scaled programme had been measured.
class BandLevelMeter {
public:
    void prepare(const ProcessSpec& spec, std::span<const double> crossoversHz);
    /// Forgets what was measured (the programme starts again).
    void restart() noexcept { pieces_.clear(); }
    void process(const AudioBuffer& block);
    /// The levels of the programme × 10^(gainDb / 20).
    std::vector<double> levelsDb(double gainDb = 0.0) const;

private:
    void processPiece(const AudioBuffer& piece);

    MultibandSplitter splitter_;
    AudioBuffer piece_; // a block longer than maxBlock is measured through this, a piece at a time
    struct Piece {
        std::array<double, MultibandSplitter::kMaxCrossovers + 1> sq; // per band: Σ x² / channels
        double frames;
    };
    std::vector<Piece> pieces_;
    int bands_ = 0;
};

} // namespace mm
