#include "mastering/MultibandCompressor.h"

#include "core/Errors.h"
#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>

namespace mm {
namespace {

constexpr double kMissingLevelDb = -20.0;
constexpr double kLevelGateDb = -70.0;

} // namespace

MultibandBandSettings MultibandCompressor::defaultBand(int band, int bands) noexcept
{
    // Slower time constants in the low band, where a fast gain change would distort the
    // waveform (a 40 Hz cycle is 25 ms), faster at the top, where transients live.
    MultibandBandSettings s;
    if (band == 0) {
        s.attackMs = 30.0;
        s.releaseMs = 250.0;
    } else if (band == bands - 1) {
        s.attackMs = 8.0;
        s.releaseMs = 120.0;
    } else {
        s.attackMs = 15.0;
        s.releaseMs = 150.0;
    }
    return s;
}

void MultibandCompressor::setSettings(const MultibandSettings& settings, std::span<const double> bandLevelsDb)
{
    const auto& x = settings.crossoversHz;
    if (x.empty() || x.size() > static_cast<std::size_t>(MultibandSplitter::kMaxCrossovers))
        throw InputError("multiband: 1 to 3 crossover frequencies are needed");
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!(x[i] > 0.0) || (i > 0 && !(x[i] > x[i - 1])))
            throw InputError("multiband: crossover frequencies must be positive and ascending");
    enabled_ = settings.enabled;
    crossovers_ = x;
    bands_ = static_cast<int>(x.size()) + 1;
    bandSettings_.clear();
    levelsDb_.clear();
    for (int b = 0; b < bands_; ++b) {
        const auto i = static_cast<std::size_t>(b);
        bandSettings_.push_back(i < settings.bands.size() ? settings.bands[i] : defaultBand(b, bands_));
        levelsDb_.push_back(i < bandLevelsDb.size() && std::isfinite(bandLevelsDb[i]) ? bandLevelsDb[i] : kMissingLevelDb);
    }
}

void MultibandCompressor::prepare(const ProcessSpec& spec)
{
    if (bands_ == 0)
        setSettings(MultibandSettings{}, {});
    sampleRate_ = spec.sampleRate;
    // Crossovers must stay below Nyquist (e.g. 6 kHz is fine at any supported rate).
    std::vector<double> x = crossovers_;
    for (double& f : x)
        f = std::min(f, 0.45 * spec.sampleRate);
    splitter_.prepare(spec, x);
    for (int b = 0; b < bands_; ++b) {
        const auto& s = bandSettings_[static_cast<std::size_t>(b)];
        CompressorParams p;
        p.thresholdDb = levelsDb_[static_cast<std::size_t>(b)] + s.thresholdRelDb;
        p.ratio = std::max(1.0, s.ratio);
        p.kneeDb = std::max(0.0, s.kneeDb);
        p.attackMs = s.attackMs;
        p.releaseMs = s.releaseMs;
        p.detector = Detector::Rms;
        p.rmsWindowMs = 50.0;
        p.link = StereoLink::Mean;
        Compressor& c = compressors_[static_cast<std::size_t>(b)];
        c.prepare(spec);
        c.setParams(p);
    }
}

void MultibandCompressor::reset() noexcept
{
    splitter_.reset();
    for (int b = 0; b < bands_; ++b) {
        compressors_[static_cast<std::size_t>(b)].reset();
        compressors_[static_cast<std::size_t>(b)].resetStats();
    }
}

void MultibandCompressor::process(AudioBuffer& block) noexcept
{
    if (!enabled_ || bands_ == 0)
        return;
    splitter_.split(block);
    for (int b = 0; b < bands_; ++b)
        compressors_[static_cast<std::size_t>(b)].process(splitter_.band(b));
    const std::size_t n = block.frames();
    for (int c = 0; c < block.channels(); ++c) {
        float* out = block.channel(c);
        std::copy_n(splitter_.band(0).channel(c), n, out);
        for (int b = 1; b < bands_; ++b) {
            const float* x = splitter_.band(b).channel(c);
            for (std::size_t i = 0; i < n; ++i)
                out[i] += x[i];
        }
    }
}

std::vector<MultibandBandReport> MultibandCompressor::report() const
{
    std::vector<MultibandBandReport> r;
    for (int b = 0; b < bands_; ++b) {
        const auto i = static_cast<std::size_t>(b);
        MultibandBandReport band;
        band.lowHz = b == 0 ? 0.0 : crossovers_[i - 1];
        band.highHz = b + 1 == bands_ ? 0.5 * sampleRate_ : crossovers_[i];
        band.levelDb = levelsDb_[i];
        band.thresholdDb = levelsDb_[i] + bandSettings_[i].thresholdRelDb;
        if (enabled_) {
            band.averageGrDb = compressors_[i].averageGainReductionDb();
            band.maxGrDb = compressors_[i].maxGainReductionDb();
        }
        r.push_back(band);
    }
    return r;
}

void BandLevelMeter::prepare(const ProcessSpec& spec, std::span<const double> crossoversHz)
{
    std::vector<double> x(crossoversHz.begin(), crossoversHz.end());
    for (double& f : x)
        f = std::min(f, 0.45 * spec.sampleRate);
    splitter_.prepare(spec, x);
    piece_.resize(spec.channels, std::max<std::size_t>(spec.maxBlock, 1));
    bands_ = splitter_.bands();
    pieces_.clear();
}

void BandLevelMeter::process(const AudioBuffer& block)
{
    const std::size_t maxBlock = piece_.capacity();
    if (block.frames() <= maxBlock) {
        processPiece(block);
        return;
    }
    const int channels = std::min(block.channels(), piece_.channels());
    for (std::size_t at = 0; at < block.frames(); at += maxBlock) {
        const std::size_t n = std::min(maxBlock, block.frames() - at);
        piece_.setFrames(n);
        for (int c = 0; c < channels; ++c)
            std::copy_n(block.channel(c) + at, n, piece_.channel(c));
        processPiece(piece_);
    }
}

void BandLevelMeter::processPiece(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    if (n == 0)
        return;
    splitter_.split(block);
    Piece piece{};
    piece.frames = static_cast<double>(n);
    for (int b = 0; b < splitter_.bands(); ++b) {
        const AudioBuffer& x = splitter_.band(b);
        double sq = 0.0;
        for (int c = 0; c < x.channels(); ++c)
            sq += sumSquares(x.channel(c), n);
        piece.sq[static_cast<std::size_t>(b)] = sq / std::max(1, x.channels());
    }
    pieces_.push_back(piece); // ≈ 40 bytes per piece: 110 KB for 4 minutes
}

std::vector<double> BandLevelMeter::levelsDb(double gainDb) const
{
    const double gate = std::pow(10.0, kLevelGateDb / 10.0);
    const double g2 = std::pow(10.0, gainDb / 10.0);
    std::vector<double> db;
    for (int b = 0; b < bands_; ++b) {
        double sum = 0.0, frames = 0.0;
        for (const Piece& p : pieces_) {
            const double sq = g2 * p.sq[static_cast<std::size_t>(b)];
            if (sq / p.frames > gate) {
                sum += sq;
                frames += p.frames;
            }
        }
        db.push_back(frames > 0.0 ? 10.0 * std::log10(std::max(1e-30, sum / frames)) : kLevelGateDb);
    }
    return db;
}

} // namespace mm
