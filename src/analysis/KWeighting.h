#pragma once
// The K-weighting of ITU-R BS.1770-4: a high-shelf "pre-filter" (+4 dB above ~1.5 kHz,
// modelling the head) followed by the RLB high-pass (~38 Hz). The standard gives the
// coefficients at 48 kHz only; these are re-derived for any rate from the analog
// prototype parameters (f0, Q, gain) fitted to the 48 kHz coefficients, as libebur128 does.
#include <array>

namespace mm {

struct KWeightingCoeffs {
    std::array<double, 3> shelfB, shelfA; ///< pre-filter, a[0] = 1
    std::array<double, 3> hpB, hpA;       ///< RLB high-pass, a[0] = 1
};

KWeightingCoeffs designKWeighting(double sampleRate);

/// One channel of K-weighting, direct form II transposed, double state.
class KWeightingFilter {
public:
    explicit KWeightingFilter(const KWeightingCoeffs& c = designKWeighting(48000.0)) : c_(c) {}
    void reset() noexcept { s1_ = s2_ = h1_ = h2_ = 0.0; }
    double process(double x) noexcept
    {
        const double y = c_.shelfB[0] * x + s1_;
        s1_ = c_.shelfB[1] * x - c_.shelfA[1] * y + s2_;
        s2_ = c_.shelfB[2] * x - c_.shelfA[2] * y;
        const double z = c_.hpB[0] * y + h1_;
        h1_ = c_.hpB[1] * y - c_.hpA[1] * z + h2_;
        h2_ = c_.hpB[2] * y - c_.hpA[2] * z;
        return z;
    }

private:
    KWeightingCoeffs c_;
    double s1_ = 0, s2_ = 0, h1_ = 0, h2_ = 0;
};

} // namespace mm
