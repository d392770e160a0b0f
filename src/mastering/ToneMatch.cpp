#include "mastering/ToneMatch.h"

#include "analysis/Spectrum.h"
#include "dsp/FirDesign.h"

#include <algorithm>
#include <cmath>

namespace mm {
namespace {

// Band weight of the taper described in the header.
double taperWeight(double hz)
{
    if (hz < 22.0 || hz > 18000.0)
        return 0.0; // 20 Hz, 20 kHz
    if (hz < 28.0 || hz > 14000.0)
        return 0.5; // 25 Hz, 16 kHz
    return 1.0;
}

constexpr double kMeanLoHz = 100.0;
constexpr double kMeanHiHz = 10000.0;

} // namespace

std::vector<double> computeToneMatchCurve(std::span<const double> mixDb, const ToneMatchSettings& settings)
{
    const auto& fc = thirdOctaveCentres();
    const std::size_t n = fc.size();
    std::vector<double> curve(n, 0.0);
    if (settings.amount <= 0.0 || settings.targetDb.size() != n || mixDb.size() != n)
        return curve;

    std::vector<double> diff(n, 0.0);
    std::vector<bool> valid(n, false);
    double sum = 0.0;
    int count = 0;
    for (std::size_t b = 0; b < n; ++b) {
        valid[b] = std::isfinite(mixDb[b]) && std::isfinite(settings.targetDb[b]) && mixDb[b] > kToneMatchMinMixDb;
        if (!valid[b])
            continue;
        diff[b] = settings.targetDb[b] - mixDb[b];
        if (fc[b] >= kMeanLoHz * 0.99 && fc[b] <= kMeanHiHz * 1.01) {
            sum += diff[b];
            ++count;
        }
    }
    if (count == 0)
        return curve;
    const double mean = sum / count;
    for (std::size_t b = 0; b < n; ++b)
        diff[b] = valid[b] ? diff[b] - mean : 0.0;

    const double amount = std::min(1.0, settings.amount);
    const double maxDb = std::max(0.0, settings.maxBandDb);
    for (std::size_t b = 0; b < n; ++b) {
        if (!valid[b])
            continue; // no energy: leave the band alone
        // Neighbours without energy count as "no change" so the curve does not reach into them.
        const double left = b > 0 ? diff[b - 1] : diff[b];
        const double right = b + 1 < n ? diff[b + 1] : diff[b];
        const double smoothed = 0.25 * left + 0.5 * diff[b] + 0.25 * right;
        curve[b] = amount * std::clamp(taperWeight(fc[b]) * smoothed, -maxDb, maxDb);
    }
    return curve;
}

double thirdOctaveDistanceDb(std::span<const double> aDb, std::span<const double> bDb, double loHz, double hiHz)
{
    const auto& fc = thirdOctaveCentres();
    std::vector<double> d;
    for (std::size_t b = 0; b < fc.size() && b < aDb.size() && b < bDb.size(); ++b)
        if (fc[b] >= loHz * 0.99 && fc[b] <= hiHz * 1.01)
            d.push_back(aDb[b] - bDb[b]);
    if (d.empty())
        return 0.0;
    double mean = 0.0;
    for (double x : d)
        mean += x;
    mean /= static_cast<double>(d.size());
    double sq = 0.0;
    for (double x : d)
        sq += (x - mean) * (x - mean);
    return std::sqrt(sq / static_cast<double>(d.size()));
}

void ToneMatch::setCurve(std::span<const double> correctionDb) { curve_.assign(correctionDb.begin(), correctionDb.end()); }

void ToneMatch::prepare(const ProcessSpec& spec)
{
    active_ = std::any_of(curve_.begin(), curve_.end(), [](double g) { return std::fabs(g) > 1e-6; });
    if (active_) {
        const auto& fc = thirdOctaveCentres();
        std::vector<FirPoint> points;
        for (std::size_t b = 0; b < fc.size() && b < curve_.size(); ++b)
            if (fc[b] < 0.5 * spec.sampleRate)
                points.push_back({fc[b], curve_[b]});
        fir_.setImpulseResponse(designLinearPhaseFir(points, spec.sampleRate, kTaps));
    }
    fir_.prepare(spec);
}

void ToneMatch::process(AudioBuffer& block) noexcept
{
    if (active_)
        fir_.process(block);
}

void ToneMatch::reset() noexcept { fir_.reset(); }

} // namespace mm
