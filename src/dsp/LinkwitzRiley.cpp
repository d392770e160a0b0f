#include "dsp/LinkwitzRiley.h"

#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mm {

namespace {

struct Prewarp {
    double cosw, alpha, a0;
};

Prewarp prewarp(double hz, double fs)
{
    const double w0 = 2.0 * std::numbers::pi * std::clamp(hz, 1.0, 0.49 * fs) / fs;
    const double alpha = std::sin(w0) / std::numbers::sqrt2; // sin w0 / (2Q), Q = 1/√2
    return {std::cos(w0), alpha, 1.0 + alpha};
}

// One TDF-II section over a run of samples; z points at its two state values.
inline double tick(const SosCoefficients& k, double* z, double x) noexcept
{
    const double y = k.b0 * x + z[0];
    z[0] = (k.b1 * x + z[1]) - k.a1 * y;
    z[1] = k.b2 * x - k.a2 * y;
    return y;
}

// tick() for two channels at once, one SIMD lane each (bit-identical per lane).
BiquadLanes lanes(const SosCoefficients& k) noexcept { return {k.b0, k.b1, k.b2, k.a1, k.a2}; }

// Once a block ends, state below 1e-30 (≈ −600 dB) is set to zero so long silence does
// not decay into denormals, which are slow on x86 (STYLE.md practice 10).
inline void snapDenormals(double* z, int n) noexcept
{
    for (int i = 0; i < n; ++i)
        if (std::fabs(z[i]) < 1e-30)
            z[i] = 0.0;
}

typedef double Double4 __attribute__((vector_size(32)));

// The stereo split in four lanes {left low, right low, left high, right high}: each
// section of the low-pass and the high-pass runs as one step of four lanes, half the
// instructions of two two-lane steps (with AVX2 a step is one register wide). Every lane
// does tdf2()'s operations in the same order, without FMA in either clone: bit-identical
// to the two-lane form. z: the state as LinkwitzRiley keeps it (left then right channel,
// each low sections 0-1 then high sections 2-3, two values per section).
__attribute__((target_clones("avx2", "default"))) void splitStereo4(const SosCoefficients& lp, const SosCoefficients& hp,
                                                                    double* __restrict zl, double* __restrict zr,
                                                                    const float* __restrict xl, const float* __restrict xr,
                                                                    float* __restrict lo0, float* __restrict lo1, float* __restrict hi0,
                                                                    float* __restrict hi1, std::size_t n) noexcept
{
    const Double4 b0{lp.b0, lp.b0, hp.b0, hp.b0}, b1{lp.b1, lp.b1, hp.b1, hp.b1}, b2{lp.b2, lp.b2, hp.b2, hp.b2};
    const Double4 a1{lp.a1, lp.a1, hp.a1, hp.a1}, a2{lp.a2, lp.a2, hp.a2, hp.a2};
    // Section s (0 first, 1 second), state value j: low sections at z[2s + j], high at z[4 + 2s + j].
    Double4 s0[2], s1[2];
    for (int sec = 0; sec < 2; ++sec) {
        s0[sec] = Double4{zl[2 * sec], zr[2 * sec], zl[4 + 2 * sec], zr[4 + 2 * sec]};
        s1[sec] = Double4{zl[2 * sec + 1], zr[2 * sec + 1], zl[4 + 2 * sec + 1], zr[4 + 2 * sec + 1]};
    }
    for (std::size_t i = 0; i < n; ++i) {
        Double4 x{static_cast<double>(xl[i]), static_cast<double>(xr[i]), static_cast<double>(xl[i]), static_cast<double>(xr[i])};
        for (int sec = 0; sec < 2; ++sec) {
            const Double4 y = b0 * x + s0[sec];
            s0[sec] = (b1 * x + s1[sec]) - a1 * y;
            s1[sec] = b2 * x - a2 * y;
            x = y;
        }
        lo0[i] = static_cast<float>(x[0]);
        lo1[i] = static_cast<float>(x[1]);
        hi0[i] = static_cast<float>(x[2]);
        hi1[i] = static_cast<float>(x[3]);
    }
    for (int sec = 0; sec < 2; ++sec) {
        zl[2 * sec] = s0[sec][0], zr[2 * sec] = s0[sec][1], zl[4 + 2 * sec] = s0[sec][2], zr[4 + 2 * sec] = s0[sec][3];
        zl[2 * sec + 1] = s1[sec][0], zr[2 * sec + 1] = s1[sec][1], zl[4 + 2 * sec + 1] = s1[sec][2], zr[4 + 2 * sec + 1] = s1[sec][3];
    }
}

// Three crossovers' compensation in one loop: band 0 through the allpasses of crossovers
// 1 and 2, band 1 through crossover 2's — band 0's first section in two lanes, then its
// second beside band 1's in four lanes (the same coefficients), so the three recursions
// overlap instead of running as three latency-bound loops. tdf2()'s operations in every
// lane, no FMA: bit-identical to three process() calls. zNM: allpass N-M's state
// {left s0, left s1, right s0, right s1}.
__attribute__((target_clones("avx2", "default"))) void allpassChain3(const SosCoefficients& k1, const SosCoefficients& k2,
                                                                     double* __restrict z01, double* __restrict z02,
                                                                     double* __restrict z12, float* __restrict b0l,
                                                                     float* __restrict b0r, float* __restrict b1l,
                                                                     float* __restrict b1r, std::size_t n) noexcept
{
    const BiquadLanes c1 = lanes(k1);
    const Double4 b0{k2.b0, k2.b0, k2.b0, k2.b0}, b1{k2.b1, k2.b1, k2.b1, k2.b1}, b2{k2.b2, k2.b2, k2.b2, k2.b2};
    const Double4 a1{k2.a1, k2.a1, k2.a1, k2.a1}, a2{k2.a2, k2.a2, k2.a2, k2.a2};
    Double2 u0{z01[0], z01[2]}, u1{z01[1], z01[3]};
    Double4 s0{z02[0], z02[2], z12[0], z12[2]}, s1{z02[1], z02[3], z12[1], z12[3]};
    for (std::size_t i = 0; i < n; ++i) {
        const Double2 t = tdf2(c1, u0, u1, Double2{static_cast<double>(b0l[i]), static_cast<double>(b0r[i])});
        const Double4 x{static_cast<double>(static_cast<float>(t[0])), static_cast<double>(static_cast<float>(t[1])),
                        static_cast<double>(b1l[i]), static_cast<double>(b1r[i])};
        const Double4 y = b0 * x + s0;
        s0 = (b1 * x + s1) - a1 * y;
        s1 = b2 * x - a2 * y;
        b0l[i] = static_cast<float>(y[0]);
        b0r[i] = static_cast<float>(y[1]);
        b1l[i] = static_cast<float>(y[2]);
        b1r[i] = static_cast<float>(y[3]);
    }
    z01[0] = u0[0], z01[1] = u1[0], z01[2] = u0[1], z01[3] = u1[1];
    z02[0] = s0[0], z02[1] = s1[0], z02[2] = s0[1], z02[3] = s1[1];
    z12[0] = s0[2], z12[1] = s1[2], z12[2] = s0[3], z12[3] = s1[3];
}

} // namespace

SosCoefficients designButterworthLowPass(double hz, double sampleRate)
{
    const auto p = prewarp(hz, sampleRate);
    const double b = (1.0 - p.cosw) / 2.0;
    return {b / p.a0, 2.0 * b / p.a0, b / p.a0, -2.0 * p.cosw / p.a0, (1.0 - p.alpha) / p.a0};
}

SosCoefficients designButterworthHighPass(double hz, double sampleRate)
{
    const auto p = prewarp(hz, sampleRate);
    const double b = (1.0 + p.cosw) / 2.0;
    return {b / p.a0, -2.0 * b / p.a0, b / p.a0, -2.0 * p.cosw / p.a0, (1.0 - p.alpha) / p.a0};
}

SosCoefficients designButterworthAllpass(double hz, double sampleRate)
{
    const auto p = prewarp(hz, sampleRate);
    return {(1.0 - p.alpha) / p.a0, -2.0 * p.cosw / p.a0, 1.0, -2.0 * p.cosw / p.a0, (1.0 - p.alpha) / p.a0};
}

// ---- LinkwitzRiley ----

void LinkwitzRiley::setCrossover(double hz, double sampleRate) noexcept
{
    hz_ = hz;
    coef_[0] = designButterworthLowPass(hz, sampleRate);
    coef_[1] = designButterworthHighPass(hz, sampleRate);
}

void LinkwitzRiley::prepare(const ProcessSpec& spec, double hz)
{
    channels_ = spec.channels;
    state_.assign(static_cast<std::size_t>(channels_) * 8, 0.0);
    setCrossover(hz, spec.sampleRate);
}

void LinkwitzRiley::reset() noexcept { std::fill(state_.begin(), state_.end(), 0.0); }

void LinkwitzRiley::split(AudioBuffer& low, AudioBuffer& high, const AudioBuffer& in) noexcept
{
    const std::size_t n = std::min({in.frames(), low.capacity(), high.capacity()});
    low.setFrames(n);
    high.setFrames(n);
    const int nch = std::min({in.channels(), low.channels(), high.channels(), channels_});
    if (nch == 2) { // both channels, low and high, in four lanes, the state in registers
        double* zl = state_.data();
        double* zr = state_.data() + 8;
        splitStereo4(coef_[0], coef_[1], zl, zr, in.channel(0), in.channel(1), low.channel(0), low.channel(1), high.channel(0),
                     high.channel(1), n);
        snapDenormals(zl, 16);
        return;
    }
    for (int c = 0; c < nch; ++c) {
        double* z = state_.data() + static_cast<std::size_t>(c) * 8;
        const float* x = in.channel(c);
        float* lo = low.channel(c);
        float* hi = high.channel(c);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = x[i];
            lo[i] = static_cast<float>(tick(coef_[0], z + 2, tick(coef_[0], z, v)));
            hi[i] = static_cast<float>(tick(coef_[1], z + 6, tick(coef_[1], z + 4, v)));
        }
        snapDenormals(z, 8);
    }
}

// ---- LinkwitzRileyAllpass ----

void LinkwitzRileyAllpass::prepare(const ProcessSpec& spec, double hz)
{
    channels_ = spec.channels;
    state_.assign(static_cast<std::size_t>(channels_) * 2, 0.0);
    coef_ = designButterworthAllpass(hz, spec.sampleRate);
}

void LinkwitzRileyAllpass::reset() noexcept { std::fill(state_.begin(), state_.end(), 0.0); }

void LinkwitzRileyAllpass::process(AudioBuffer& block) noexcept
{
    const int nch = std::min(block.channels(), channels_);
    if (nch == 2) { // both channels in one pair of lanes
        const BiquadLanes k = lanes(coef_);
        Double2 z0{state_[0], state_[2]}, z1{state_[1], state_[3]};
        float *l = block.channel(0), *r = block.channel(1);
        for (std::size_t i = 0; i < block.frames(); ++i) {
            const Double2 y = tdf2(k, z0, z1, Double2{static_cast<double>(l[i]), static_cast<double>(r[i])});
            l[i] = static_cast<float>(y[0]);
            r[i] = static_cast<float>(y[1]);
        }
        state_[0] = z0[0], state_[1] = z1[0], state_[2] = z0[1], state_[3] = z1[1];
        snapDenormals(state_.data(), 4);
        return;
    }
    for (int c = 0; c < nch; ++c) {
        double* z = state_.data() + static_cast<std::size_t>(c) * 2;
        float* x = block.channel(c);
        for (std::size_t i = 0; i < block.frames(); ++i)
            x[i] = static_cast<float>(tick(coef_, z, x[i]));
        snapDenormals(z, 2);
    }
}

void LinkwitzRileyAllpass::processChain3(LinkwitzRileyAllpass& ap01, LinkwitzRileyAllpass& ap02, AudioBuffer& band0,
                                         LinkwitzRileyAllpass& ap12, AudioBuffer& band1) noexcept
{
    const std::size_t n = std::min(band0.frames(), band1.frames());
    allpassChain3(ap01.coef_, ap02.coef_, ap01.state_.data(), ap02.state_.data(), ap12.state_.data(), band0.channel(0),
                  band0.channel(1), band1.channel(0), band1.channel(1), n);
    for (LinkwitzRileyAllpass* a : {&ap01, &ap02, &ap12})
        snapDenormals(a->state_.data(), 4);
}

// ---- MultibandSplitter ----

void MultibandSplitter::prepare(const ProcessSpec& spec, std::span<const double> crossoversHz)
{
    crossovers_ = static_cast<int>(std::min<std::size_t>(crossoversHz.size(), kMaxCrossovers));
    for (int k = 0; k < crossovers_; ++k) {
        const double hz = crossoversHz[static_cast<std::size_t>(k)];
        splits_[static_cast<std::size_t>(k)].prepare(spec, hz);
        for (int b = 0; b < k; ++b)
            allpass_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)].prepare(spec, hz);
    }
    bands_.clear();
    for (int b = 0; b <= crossovers_; ++b)
        bands_.emplace_back(spec.channels, spec.maxBlock);
    restA_.resize(spec.channels, spec.maxBlock);
    restB_.resize(spec.channels, spec.maxBlock);
}

void MultibandSplitter::reset() noexcept
{
    for (int k = 0; k < crossovers_; ++k) {
        splits_[static_cast<std::size_t>(k)].reset();
        for (int b = 0; b < k; ++b)
            allpass_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)].reset();
    }
}

void MultibandSplitter::split(const AudioBuffer& in) noexcept
{
    if (crossovers_ == 0)
        return;
    // Tree: band k = LP_k(HP_{k−1} … HP_1 x); the last band is the remaining high-pass.
    const AudioBuffer* rest = &in;
    AudioBuffer* scratch[2] = {&restA_, &restB_};
    for (int k = 0; k < crossovers_; ++k) {
        AudioBuffer& hi = k + 1 == crossovers_ ? bands_[static_cast<std::size_t>(k + 1)] : *scratch[k % 2];
        splits_[static_cast<std::size_t>(k)].split(bands_[static_cast<std::size_t>(k)], hi, *rest);
        rest = &hi;
    }
    // Band b lacks the allpass responses of the crossovers above it (LP_k + HP_k).
    if (crossovers_ == 3 && in.channels() == 2 && allpass_[0][1].stereo()) {
        LinkwitzRileyAllpass::processChain3(allpass_[0][1], allpass_[0][2], bands_[0], allpass_[1][2], bands_[1]);
        return;
    }
    for (int b = 0; b < crossovers_; ++b)
        for (int k = b + 1; k < crossovers_; ++k)
            allpass_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)].process(bands_[static_cast<std::size_t>(b)]);
}

} // namespace mm
