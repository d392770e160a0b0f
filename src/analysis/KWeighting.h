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
    std::array<double, 3> hpB, hpA;       ///< RLB high-pass, a[0] = 1; b = {1, −2, 1} always
};

KWeightingCoeffs designKWeighting(double sampleRate);

/// One channel of K-weighting, direct form I, double state. The coefficients never change,
/// so the form that suits time-varying filters (TDF-II) buys nothing here, while direct
/// form I puts only a multiply and a subtraction between one output and the next
/// (y = (b0 x + b1 x1 + b2 x2 − a2 y2) − a1 y1): the loudness meters, which run this over
/// every stem twice, are bound by that chain. In double, the form's rounding noise
/// (amplified ≈ 1/(1 − r)² ≈ 4e4 by the high-pass poles at r ≈ 0.995) stays below 1e-11.
class KWeightingFilter {
public:
    explicit KWeightingFilter(const KWeightingCoeffs& c = designKWeighting(48000.0)) : c_(c) {}
    void reset() noexcept { x1_ = x2_ = y1_ = y2_ = z1_ = z2_ = 0.0; }
    double process(double x) noexcept
    {
        const double y = (((c_.shelfB[0] * x + c_.shelfB[1] * x1_) + c_.shelfB[2] * x2_) - c_.shelfA[2] * y2_) - c_.shelfA[1] * y1_;
        const double z = (((y - 2.0 * y1_) + y2_) - c_.hpA[2] * z2_) - c_.hpA[1] * z1_; // hpB = {1, −2, 1}
        x2_ = x1_, x1_ = x;
        y2_ = y1_, y1_ = y;
        z2_ = z1_, z1_ = z;
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

    /// Two stereo streams at once (two meters fed the same number of frames), lanes
    /// {a left, a right, b left, b right}: four recurrences in flight instead of two, so
    /// the loop is not bound by one chain's latency as processStereo is. Each lane sees
    /// process()'s operations in the same order: bit-identical to processStereo on each
    /// stream. `a` and `b` point to a stream's {left, right} filters.
    ///
    /// Per frame i, energyA[i] = 0.0 + yL² + yR² of stream a (SlidingLoudness's energy),
    /// energyB[i] of stream b.
    static void processStereoPairEnergy(KWeightingFilter* a, const float* al, const float* ar, double* energyA, KWeightingFilter* b,
                                        const float* bl, const float* br, double* energyB, std::size_t n) noexcept;

private:
    KWeightingCoeffs c_;
    double x1_ = 0, x2_ = 0; // pre-filter input history
    double y1_ = 0, y2_ = 0; // pre-filter output = high-pass input history
    double z1_ = 0, z2_ = 0; // high-pass output history
};

template <class Sink>
void KWeightingFilter::processStereo(KWeightingFilter& left, KWeightingFilter& right, const float* l, const float* r,
                                     std::size_t n, Sink&& sink) noexcept
{
    const KWeightingCoeffs& c = left.c_; // both channels of a meter share one design
    const auto both = [](double v) { return Double2{v, v}; };
    const Double2 sb0 = both(c.shelfB[0]), sb1 = both(c.shelfB[1]), sb2 = both(c.shelfB[2]), sa1 = both(c.shelfA[1]),
                  sa2 = both(c.shelfA[2]);
    const Double2 ha1 = both(c.hpA[1]), ha2 = both(c.hpA[2]);
    Double2 x1{left.x1_, right.x1_}, x2{left.x2_, right.x2_}, y1{left.y1_, right.y1_}, y2{left.y2_, right.y2_};
    Double2 z1{left.z1_, right.z1_}, z2{left.z2_, right.z2_};
    for (std::size_t i = 0; i < n; ++i) {
        const Double2 x{static_cast<double>(l[i]), static_cast<double>(r[i])};
        const Double2 y = (((sb0 * x + sb1 * x1) + sb2 * x2) - sa2 * y2) - sa1 * y1;
        const Double2 z = (((y - 2.0 * y1) + y2) - ha2 * z2) - ha1 * z1;
        x2 = x1, x1 = x;
        y2 = y1, y1 = y;
        z2 = z1, z1 = z;
        sink(i, z);
    }
    left.x1_ = x1[0], left.x2_ = x2[0], left.y1_ = y1[0], left.y2_ = y2[0], left.z1_ = z1[0], left.z2_ = z2[0];
    right.x1_ = x1[1], right.x2_ = x2[1], right.y1_ = y1[1], right.y2_ = y2[1], right.z1_ = z1[1], right.z2_ = z2[1];
}

} // namespace mm
