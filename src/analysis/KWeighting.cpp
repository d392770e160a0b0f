#include "analysis/KWeighting.h"

#include <cmath>
#include <numbers>

namespace mm {

KWeightingCoeffs designKWeighting(double fs)
{
    KWeightingCoeffs c{};
    {
        // High shelf: f0, gain and Q fitted to BS.1770-4 Table 1 at 48 kHz.
        const double f0 = 1681.974450955533;
        const double gainDb = 3.999843853973347;
        const double q = 0.7071752369554196;
        const double k = std::tan(std::numbers::pi * f0 / fs);
        const double vh = std::pow(10.0, gainDb / 20.0);
        const double vb = std::pow(vh, 0.4996667741545416);
        const double a0 = 1.0 + k / q + k * k;
        c.shelfB = {(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0};
        c.shelfA = {1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0};
    }
    {
        // RLB high-pass fitted to BS.1770-4 Table 2 at 48 kHz.
        const double f0 = 38.13547087602444;
        const double q = 0.5003270373238773;
        const double k = std::tan(std::numbers::pi * f0 / fs);
        const double a0 = 1.0 + k / q + k * k;
        c.hpB = {1.0, -2.0, 1.0};
        c.hpA = {1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0};
    }
    return c;
}

} // namespace mm
