#include "analysis/KWeighting.h"

#include <cmath>
#include <numbers>

namespace mm {
namespace {

typedef double Double4 __attribute__((vector_size(32)));

} // namespace

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

// Lanes {aL, aR, bL, bR}. With AVX2 a Double4 is one register (the whole state fits in
// the sixteen); without, two SSE2 halves, still two independent chains. No FMA in either
// clone (target "avx2" alone), so every lane rounds as processStereo's does.
__attribute__((target_clones("avx2", "default"))) void KWeightingFilter::processStereoPairEnergy(
    KWeightingFilter* a, const float* al, const float* ar, double* energyA, KWeightingFilter* b, const float* bl, const float* br,
    double* energyB, std::size_t n) noexcept
{
    const KWeightingCoeffs& c = a[0].c_; // every meter's filters share one design per rate
    const Double4 zero{}; // zero + v puts v in every lane
    const Double4 sb0 = zero + c.shelfB[0], sb1 = zero + c.shelfB[1], sb2 = zero + c.shelfB[2], sa1 = zero + c.shelfA[1],
                  sa2 = zero + c.shelfA[2];
    const Double4 ha1 = zero + c.hpA[1], ha2 = zero + c.hpA[2];
    KWeightingFilter* f[4] = {&a[0], &a[1], &b[0], &b[1]};
    Double4 x1{f[0]->x1_, f[1]->x1_, f[2]->x1_, f[3]->x1_}, x2{f[0]->x2_, f[1]->x2_, f[2]->x2_, f[3]->x2_};
    Double4 y1{f[0]->y1_, f[1]->y1_, f[2]->y1_, f[3]->y1_}, y2{f[0]->y2_, f[1]->y2_, f[2]->y2_, f[3]->y2_};
    Double4 z1{f[0]->z1_, f[1]->z1_, f[2]->z1_, f[3]->z1_}, z2{f[0]->z2_, f[1]->z2_, f[2]->z2_, f[3]->z2_};
    for (std::size_t i = 0; i < n; ++i) {
        const Double4 x{static_cast<double>(al[i]), static_cast<double>(ar[i]), static_cast<double>(bl[i]), static_cast<double>(br[i])};
        const Double4 y = (((sb0 * x + sb1 * x1) + sb2 * x2) - sa2 * y2) - sa1 * y1;
        const Double4 z = (((y - 2.0 * y1) + y2) - ha2 * z2) - ha1 * z1;
        x2 = x1, x1 = x;
        y2 = y1, y1 = y;
        z2 = z1, z1 = z;
        const Double4 e = z * z;
        energyA[i] = 0.0 + e[0] + e[1];
        energyB[i] = 0.0 + e[2] + e[3];
    }
    for (int k = 0; k < 4; ++k)
        f[k]->x1_ = x1[k], f[k]->x2_ = x2[k], f[k]->y1_ = y1[k], f[k]->y2_ = y2[k], f[k]->z1_ = z1[k], f[k]->z2_ = z2[k];
}

} // namespace mm
