#include "dsp/BiquadDesign.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

namespace mm {
namespace {

struct Angle {
    double cosW = 1.0;
    double sinW = 0.0;
};

Angle angleOf(double fc, double fs) noexcept
{
    const double f = std::clamp(fc, 1.0, 0.49 * fs);
    const double w0 = 2.0 * std::numbers::pi * f / fs;
    return {std::cos(w0), std::sin(w0)};
}

BiquadCoeffs normalise(double b0, double b1, double b2, double a0, double a1, double a2) noexcept
{
    return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

double minPositive(double v) noexcept { return std::max(v, 0.01); }

// Shelf alpha from the cookbook's slope form: sin(w0)/2 * sqrt((A + 1/A)(1/S - 1) + 2).
double shelfAlpha(double sinW, double a, double slope) noexcept
{
    const double s = std::clamp(slope, 0.01, 1.0);
    return sinW / 2.0 * std::sqrt(std::max((a + 1.0 / a) * (1.0 / s - 1.0) + 2.0, 0.0));
}

} // namespace

BiquadCoeffs designHighPass(double fc, double q, double fs) noexcept
{
    const auto [c, s] = angleOf(fc, fs);
    const double alpha = s / (2.0 * minPositive(q));
    return normalise((1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0, 1.0 + alpha, -2.0 * c, 1.0 - alpha);
}

BiquadCoeffs designLowPass(double fc, double q, double fs) noexcept
{
    const auto [c, s] = angleOf(fc, fs);
    const double alpha = s / (2.0 * minPositive(q));
    return normalise((1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0, 1.0 + alpha, -2.0 * c, 1.0 - alpha);
}

BiquadCoeffs designLowShelf(double fc, double slope, double gainDb, double fs) noexcept
{
    const auto [c, s] = angleOf(fc, fs);
    const double a = std::pow(10.0, gainDb / 40.0);
    const double k = 2.0 * std::sqrt(a) * shelfAlpha(s, a, slope);
    return normalise(a * ((a + 1.0) - (a - 1.0) * c + k),
                     2.0 * a * ((a - 1.0) - (a + 1.0) * c),
                     a * ((a + 1.0) - (a - 1.0) * c - k),
                     (a + 1.0) + (a - 1.0) * c + k,
                     -2.0 * ((a - 1.0) + (a + 1.0) * c),
                     (a + 1.0) + (a - 1.0) * c - k);
}

BiquadCoeffs designHighShelf(double fc, double slope, double gainDb, double fs) noexcept
{
    const auto [c, s] = angleOf(fc, fs);
    const double a = std::pow(10.0, gainDb / 40.0);
    const double k = 2.0 * std::sqrt(a) * shelfAlpha(s, a, slope);
    return normalise(a * ((a + 1.0) + (a - 1.0) * c + k),
                     -2.0 * a * ((a - 1.0) + (a + 1.0) * c),
                     a * ((a + 1.0) + (a - 1.0) * c - k),
                     (a + 1.0) - (a - 1.0) * c + k,
                     2.0 * ((a - 1.0) - (a + 1.0) * c),
                     (a + 1.0) - (a - 1.0) * c - k);
}

BiquadCoeffs designPeak(double fc, double q, double gainDb, double fs) noexcept
{
    const auto [c, s] = angleOf(fc, fs);
    const double a = std::pow(10.0, gainDb / 40.0);
    const double alpha = s / (2.0 * minPositive(q));
    return normalise(1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a, 1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a);
}

BiquadCoeffs designAllPass(double fc, double q, double fs) noexcept
{
    const auto [c, s] = angleOf(fc, fs);
    const double alpha = s / (2.0 * minPositive(q));
    return normalise(1.0 - alpha, -2.0 * c, 1.0 + alpha, 1.0 + alpha, -2.0 * c, 1.0 - alpha);
}

BiquadCoeffs design(FilterType type, double fc, double qOrSlope, double gainDb, double fs) noexcept
{
    switch (type) {
    case FilterType::HighPass: return designHighPass(fc, qOrSlope, fs);
    case FilterType::LowPass: return designLowPass(fc, qOrSlope, fs);
    case FilterType::LowShelf: return designLowShelf(fc, qOrSlope, gainDb, fs);
    case FilterType::HighShelf: return designHighShelf(fc, qOrSlope, gainDb, fs);
    case FilterType::Peak: return designPeak(fc, qOrSlope, gainDb, fs);
    }
    return {};
}

double magnitudeDb(const BiquadCoeffs& c, double freq, double fs) noexcept
{
    const double w = 2.0 * std::numbers::pi * freq / fs;
    const std::complex<double> z1 = std::polar(1.0, -w); // z^-1 on the unit circle
    const std::complex<double> num = c.b0 + z1 * (c.b1 + z1 * c.b2);
    const std::complex<double> den = 1.0 + z1 * (c.a1 + z1 * c.a2);
    return 20.0 * std::log10(std::max(std::abs(num) / std::abs(den), 1e-300));
}

} // namespace mm
