#include "dsp/FirDesign.h"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <type_traits>

namespace mm {

double interpolateGainDb(std::span<const FirPoint> points, double hz) noexcept
{
    if (points.empty())
        return 0.0;
    if (hz <= points.front().hz)
        return points.front().gainDb;
    if (hz >= points.back().hz)
        return points.back().gainDb;
    const auto hi = std::upper_bound(points.begin(), points.end(), hz, [](double f, const FirPoint& p) { return f < p.hz; });
    const auto lo = hi - 1;
    const double t = std::log(hz / lo->hz) / std::log(hi->hz / lo->hz);
    return lo->gainDb + t * (hi->gainDb - lo->gainDb);
}

std::vector<float> designLinearPhaseFir(std::span<const FirPoint> points, double sampleRate, std::size_t length)
{
    length |= 1u; // type I: odd length, integer group delay
    std::size_t m = 1;
    while (m < length)
        m <<= 1;
    m *= 2; // dense grid: the target is sampled at ≤ fs / (2·length) spacing

    std::vector<kiss_fft_cpx> spectrum(m / 2 + 1);
    for (std::size_t k = 0; k <= m / 2; ++k) {
        const double hz = static_cast<double>(k) * sampleRate / static_cast<double>(m);
        spectrum[k].r = static_cast<float>(std::pow(10.0, interpolateGainDb(points, hz) / 20.0));
        spectrum[k].i = 0.0f; // zero phase: the impulse response is real and even
    }
    std::vector<float> zeroPhase(m);
    std::unique_ptr<std::remove_pointer_t<kiss_fftr_cfg>, decltype(&kiss_fftr_free)> cfg(
        kiss_fftr_alloc(static_cast<int>(m), 1, nullptr, nullptr), &kiss_fftr_free);
    kiss_fftri(cfg.get(), spectrum.data(), zeroPhase.data());

    const std::size_t half = (length - 1) / 2;
    constexpr double kBeta = 7.0;
    const double i0Beta = std::cyl_bessel_i(0.0, kBeta);
    std::vector<float> taps(length);
    for (std::size_t k = 0; k <= half; ++k) {
        // Average the two mirror images so float FFT rounding cannot break the symmetry.
        const double v = k == 0 ? zeroPhase[0] : 0.5 * (static_cast<double>(zeroPhase[k]) + zeroPhase[m - k]);
        const double r = static_cast<double>(k) / static_cast<double>(half > 0 ? half : 1);
        const double w = std::cyl_bessel_i(0.0, kBeta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0Beta;
        const auto tap = static_cast<float>(w * v / static_cast<double>(m)); // kiss_fftri is unscaled
        taps[half + k] = tap;
        taps[half - k] = tap;
    }
    return taps;
}

} // namespace mm
