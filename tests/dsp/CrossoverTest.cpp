// Linkwitz–Riley crossover and multiband splitter, measured with sines and with the
// FFT of an impulse response.
#include "dsp/LinkwitzRiley.h"
#include "support/Signals.h"

#include <gtest/gtest.h>
#include <kiss_fftr.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

namespace mm {
namespace {

constexpr double kFs = 48000.0;
constexpr std::size_t kSettle = 24000; // 0.5 s: the slowest section (20 Hz) has decayed
constexpr std::size_t kWindow = 24000; // RMS window: whole periods of every test tone

// A tone on the 2 Hz grid of kWindow, so the RMS window holds whole periods exactly.
double onGrid(double hz) { return std::max(2.0, std::round(hz / (kFs / kWindow)) * (kFs / kWindow)); }

double rmsDb(const float* x, std::size_t from, std::size_t n)
{
    double s = 0.0;
    for (std::size_t i = from; i < from + n; ++i)
        s += static_cast<double>(x[i]) * x[i];
    return 10.0 * std::log10(s / static_cast<double>(n) + 1e-30);
}

// Runs a mono sine through the splitter in 4096-frame blocks; returns each band's and
// the sum's RMS gain in dB relative to the input.
std::vector<double> bandGainsDb(std::span<const double> crossovers, double hz)
{
    MultibandSplitter s;
    const std::size_t block = 4096;
    s.prepare({kFs, 1, block}, crossovers);
    const AudioBuffer in = test::sine(kFs, 1, (kSettle + kWindow) / kFs, hz, -6.0);
    std::vector<AudioBuffer> out(static_cast<std::size_t>(s.bands()) + 1, AudioBuffer(1, in.frames()));
    AudioBuffer chunk(1, block);
    for (std::size_t pos = 0; pos < in.frames(); pos += block) {
        const std::size_t n = std::min(block, in.frames() - pos);
        chunk.setFrames(n);
        std::copy_n(in.channel(0) + pos, n, chunk.channel(0));
        s.split(chunk);
        for (int b = 0; b < s.bands(); ++b)
            for (std::size_t i = 0; i < n; ++i) {
                out[static_cast<std::size_t>(b)].channel(0)[pos + i] = s.band(b).channel(0)[i];
                out.back().channel(0)[pos + i] += s.band(b).channel(0)[i];
            }
    }
    const double ref = rmsDb(in.channel(0), kSettle, kWindow);
    std::vector<double> g;
    for (auto& o : out)
        g.push_back(rmsDb(o.channel(0), kSettle, kWindow) - ref);
    return g;
}

// LR4: |H_lp(fc)| = |H_hp(fc)| = 1/2 → −6.02 dB. Tolerance ±0.2 dB (task contract).
TEST(Crossover, TwoBandsAreMinus6DbAtTheCrossover)
{
    for (double fc : {80.0, 1000.0, 8000.0}) {
        const double f = onGrid(fc);
        const double xo[] = {f};
        const auto g = bandGainsDb(xo, f);
        std::printf("LR4 at %.0f Hz: low %.3f dB, high %.3f dB, sum %.4f dB\n", f, g[0], g[1], g[2]);
        EXPECT_NEAR(g[0], -6.02, 0.2);
        EXPECT_NEAR(g[1], -6.02, 0.2);
    }
}

TEST(Crossover, FourBandsEachMinus6DbAtTheirEdges)
{
    const double xo[] = {onGrid(120.0), onGrid(1000.0), onGrid(6000.0)};
    for (int k = 0; k < 3; ++k) {
        const auto g = bandGainsDb(xo, xo[k]);
        EXPECT_NEAR(g[static_cast<std::size_t>(k)], -6.02, 0.2) << "band " << k << " at " << xo[k];
        EXPECT_NEAR(g[static_cast<std::size_t>(k + 1)], -6.02, 0.2) << "band " << k + 1 << " at " << xo[k];
    }
}

// Sum of bands within ±0.1 dB from 20 Hz to 20 kHz (task contract), 1/3-octave steps.
TEST(Crossover, BandsSumFlatWithSines)
{
    const std::vector<std::vector<double>> setups = {{250.0, 2500.0}, {120.0, 1000.0, 6000.0}};
    for (const auto& xo : setups) {
        double worst = 0.0;
        for (double f = 20.0; f <= 20001.0; f *= std::pow(2.0, 1.0 / 3.0)) {
            const auto g = bandGainsDb(xo, onGrid(std::min(f, 20000.0)));
            worst = std::max(worst, std::fabs(g.back()));
            EXPECT_NEAR(g.back(), 0.0, 0.1) << "at " << f << " Hz";
        }
        std::printf("%zu bands: sum of bands, sines 20 Hz–20 kHz, worst |error| %.5f dB\n", xo.size() + 1, worst);
    }
}

TEST(Crossover, BandsSumFlatImpulseResponseFft)
{
    const std::size_t n = 65536;
    const double xo[] = {120.0, 1000.0, 6000.0};
    MultibandSplitter s;
    s.prepare({kFs, 1, n}, xo);
    AudioBuffer impulse(1, n);
    impulse.channel(0)[0] = 1.0f;
    s.split(impulse);
    std::vector<float> sum(n, 0.0f);
    for (int b = 0; b < s.bands(); ++b)
        for (std::size_t i = 0; i < n; ++i)
            sum[i] += s.band(b).channel(0)[i];
    kiss_fftr_cfg cfg = kiss_fftr_alloc(static_cast<int>(n), 0, nullptr, nullptr);
    std::vector<kiss_fft_cpx> spec(n / 2 + 1);
    kiss_fftr(cfg, sum.data(), spec.data());
    kiss_fftr_free(cfg);
    double worst = 0.0;
    for (std::size_t k = 1; k <= n / 2; ++k) {
        const double f = static_cast<double>(k) * kFs / static_cast<double>(n);
        if (f < 20.0 || f > 20000.0)
            continue;
        const double db = 10.0 * std::log10(static_cast<double>(spec[k].r) * spec[k].r + static_cast<double>(spec[k].i) * spec[k].i);
        worst = std::max(worst, std::fabs(db));
    }
    std::printf("4 bands: impulse-response FFT 20 Hz–20 kHz, worst |error| %.6f dB\n", worst);
    EXPECT_LT(worst, 0.1);
}

} // namespace
} // namespace mm
