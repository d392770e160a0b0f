#pragma once
// The K-weighting of ITU-R BS.1770-4: a high-shelf "pre-filter" (+4 dB above ~1.5 kHz,
// modelling the head) followed by the RLB high-pass (~38 Hz). The standard gives the
// coefficients at 48 kHz only; these are re-derived for any rate from the analog
// prototype parameters (f0, Q, gain) fitted to the 48 kHz coefficients, as libebur128 does.
#include "dsp/SimdLanes.h"

#include <array>
#include <cstddef>

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

    /// Two channels at once, one SIMD lane each (lane 0 `left`, lane 1 `right`): calls
    /// `sink(i, y)` with frame i's K-weighted pair. The state lives in registers for the
    /// whole run (a member updated through a reference is stored back every frame when the
    /// loop also writes doubles elsewhere), and each lane sees the operations of process()
    /// in the same order, so the output is bit-identical to two process() calls.
    template <class Sink>
    static void processStereo(KWeightingFilter& left, KWeightingFilter& right, const float* l, const float* r, std::size_t n,
                              Sink&& sink) noexcept;

private:
    KWeightingCoeffs c_;
    double s1_ = 0, s2_ = 0, h1_ = 0, h2_ = 0;
};

template <class Sink>
void KWeightingFilter::processStereo(KWeightingFilter& left, KWeightingFilter& right, const float* l, const float* r,
                                     std::size_t n, Sink&& sink) noexcept
{
    const KWeightingCoeffs& c = left.c_; // both channels of a meter share one design
    const BiquadLanes shelf(c.shelfB[0], c.shelfB[1], c.shelfB[2], c.shelfA[1], c.shelfA[2]);
    const BiquadLanes hp(c.hpB[0], c.hpB[1], c.hpB[2], c.hpA[1], c.hpA[2]);
    Double2 s1{left.s1_, right.s1_}, s2{left.s2_, right.s2_}, h1{left.h1_, right.h1_}, h2{left.h2_, right.h2_};
    for (std::size_t i = 0; i < n; ++i)
        sink(i, tdf2(hp, h1, h2, tdf2(shelf, s1, s2, Double2{static_cast<double>(l[i]), static_cast<double>(r[i])})));
    left.s1_ = s1[0], left.s2_ = s2[0], left.h1_ = h1[0], left.h2_ = h2[0];
    right.s1_ = s1[1], right.s2_ = s2[1], right.h1_ = h1[1], right.h2_ = h2[1];
}

} // namespace mm
