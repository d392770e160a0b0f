#pragma once
// The K-weighting of ITU-R BS.1770-4: a high-shelf "pre-filter" (+4 dB above ~1.5 kHz,
// modelling the head) followed by the RLB high-pass (~38 Hz). The standard gives the
// coefficients at 48 kHz only; these are re-derived for any rate from the analog
// prototype parameters (f0, Q, gain) fitted to the 48 kHz coefficients, as libebur128 does.
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

typedef double KDouble2 __attribute__((vector_size(16))); ///< a pair of channels, one per lane

template <class Sink>
void KWeightingFilter::processStereo(KWeightingFilter& left, KWeightingFilter& right, const float* l, const float* r,
                                     std::size_t n, Sink&& sink) noexcept
{
    const KWeightingCoeffs& c = left.c_; // both channels of a meter share one design
    const KDouble2 sb0{c.shelfB[0], c.shelfB[0]}, sb1{c.shelfB[1], c.shelfB[1]}, sb2{c.shelfB[2], c.shelfB[2]};
    const KDouble2 sa1{c.shelfA[1], c.shelfA[1]}, sa2{c.shelfA[2], c.shelfA[2]};
    const KDouble2 hb0{c.hpB[0], c.hpB[0]}, hb1{c.hpB[1], c.hpB[1]}, hb2{c.hpB[2], c.hpB[2]};
    const KDouble2 ha1{c.hpA[1], c.hpA[1]}, ha2{c.hpA[2], c.hpA[2]};
    KDouble2 s1{left.s1_, right.s1_}, s2{left.s2_, right.s2_}, h1{left.h1_, right.h1_}, h2{left.h2_, right.h2_};
    for (std::size_t i = 0; i < n; ++i) {
        const KDouble2 x{static_cast<double>(l[i]), static_cast<double>(r[i])};
        const KDouble2 y = sb0 * x + s1;
        s1 = sb1 * x - sa1 * y + s2;
        s2 = sb2 * x - sa2 * y;
        const KDouble2 z = hb0 * y + h1;
        h1 = hb1 * y - ha1 * z + h2;
        h2 = hb2 * y - ha2 * z;
        sink(i, z);
    }
    left.s1_ = s1[0], left.s2_ = s2[0], left.h1_ = h1[0], left.h2_ = h2[0];
    right.s1_ = s1[1], right.s2_ = s2[1], right.h1_ = h1[1], right.h2_ = h2[1];
}

} // namespace mm
