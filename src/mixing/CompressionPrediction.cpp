#include "mixing/CompressionPrediction.h"

#include "mixing/RulePolicy.h"

#include <algorithm>
#include <cmath>

namespace mm {
namespace {

constexpr double kStep = StemFeatures::kEnvelopeSeconds;
constexpr double kFloorReleaseMs = 100.0; // Compressor's statistics floor

double stepCoef(double ms)
{
    return ms > 0.0 ? std::exp(-kStep / (ms * 1e-3)) : 0.0;
}

/// The detector's level (dB) per window: independent of the threshold, so computed once.
std::vector<double> detectorDb(const StemFeatures& f, const CompressorParams& p, double shiftDb)
{
    const double scale = std::pow(10.0, shiftDb / 10.0);
    // RMS: the detector's one-pole on the windows' mean squares. Peak: the window's mean
    // square as it is (coefficient 0). Its largest x² over-read the reduction 2× on the
    // bench song's drums (a 5-10 ms attack does not follow single peaks), where the mean
    // square came within 0.1 dB; on steady tones and sparse noise bursts the mean square
    // under-reads by up to 0.9 dB (CompressionPredictionTest), which the mixer's second
    // render, when needed, corrects.
    const double c = p.detector == Detector::Rms ? stepCoef(p.rmsWindowMs) : 0.0;
    std::vector<double> db(f.envelopeMeanSquare.size());
    double ms = 0.0;
    for (std::size_t k = 0; k < db.size(); ++k) {
        ms = c * ms + (1.0 - c) * scale * f.envelopeMeanSquare[k];
        db[k] = 10.0 * std::log10(std::max(ms, 1e-20));
    }
    return db;
}

/// Which windows the compressor's average counts (its −70 dBFS peak-envelope floor).
std::vector<bool> countedWindows(const StemFeatures& f)
{
    const double c = stepCoef(kFloorReleaseMs);
    const double floorPower = std::pow(10.0, Compressor::kStatsFloorDb / 10.0);
    std::vector<bool> counted(f.envelopePeakPower.size());
    double env = 0.0;
    for (std::size_t k = 0; k < counted.size(); ++k) {
        env = std::max(static_cast<double>(f.envelopePeakPower[k]), c * c * env); // power: coef²
        counted[k] = env > floorPower;
    }
    return counted;
}

CompressionPrediction simulate(const StemFeatures& f, const CompressorParams& p, const std::vector<double>& levelDb,
                               const std::vector<bool>& counted, bool withLoudness)
{
    const double attack = stepCoef(p.attackMs), release = stepCoef(p.releaseMs);
    double y = 0.0, grSum = 0.0, before = 0.0, after = 0.0;
    std::size_t count = 0;
    for (std::size_t k = 0; k < levelDb.size(); ++k) {
        const double xL = levelDb[k] - Compressor::staticCurveDb(levelDb[k], p);
        const double a = xL > y ? attack : release;
        const double yPrev = y;
        y = a * y + (1.0 - a) * xL;
        if (counted[k]) {
            grSum += y;
            ++count;
        }
        if (withLoudness) {
            const double e = f.envelopeMeanSquare[k];
            before += e;
            // The window's energy against the reduction through it: the mean of its values
            // at the window's start and end (a 10 ms step is coarse beside a 5 ms attack;
            // the end value alone over-read a snare's loudness loss by ≈ 2 dB).
            after += e * std::pow(10.0, -0.5 * (yPrev + y) / 10.0);
        }
    }
    CompressionPrediction out;
    out.averageGrDb = count > 0 ? grSum / static_cast<double>(count) : 0.0;
    out.loudnessLossDb = before > 0.0 && after > 0.0 ? 10.0 * std::log10(before / after) : 0.0;
    return out;
}

bool hasEnvelope(const StemFeatures& f)
{
    return !f.envelopeMeanSquare.empty() && f.envelopeMeanSquare.size() == f.envelopePeakPower.size();
}

} // namespace

CompressionPrediction predictCompression(const StemFeatures& features, const CompressorParams& params, double levelShiftDb)
{
    if (!hasEnvelope(features)) {
        CompressorParams shifted = params; // the histogram's levels seen through the filters
        shifted.thresholdDb -= levelShiftDb;
        const double gr = predictAverageGrDb(features.levelHistogram, shifted);
        return {gr, gr};
    }
    return simulate(features, params, detectorDb(features, params, levelShiftDb), countedWindows(features), true);
}

double thresholdForTargetGr(const StemFeatures& features, CompressorParams params, double targetGrDb, double levelShiftDb)
{
    if (!hasEnvelope(features))
        return thresholdForAverageGr(features.levelHistogram, params, targetGrDb) + levelShiftDb;
    const auto level = detectorDb(features, params, levelShiftDb);
    const auto counted = countedWindows(features);
    double lo = -90.0, hi = 0.0; // the reduction falls as the threshold rises
    for (int it = 0; it < 20; ++it) {
        const double mid = 0.5 * (lo + hi);
        params.thresholdDb = mid;
        if (simulate(features, params, level, counted, false).averageGrDb > targetGrDb)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

} // namespace mm
