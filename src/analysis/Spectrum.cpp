#include "analysis/Spectrum.h"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mm {

const std::vector<double>& thirdOctaveCentres()
{
    static const std::vector<double> centres = [] {
        std::vector<double> c;
        for (int k = -17; k <= 13; ++k)
            c.push_back(1000.0 * std::pow(2.0, k / 3.0));
        return c;
    }();
    return centres;
}

const std::array<double, kMixBands + 1>& mixBandEdges()
{
    static const std::array<double, kMixBands + 1> edges{20, 60, 150, 400, 1000, 2500, 5000, 10000, 20000};
    return edges;
}

const std::array<const char*, kMixBands>& mixBandNames()
{
    static const std::array<const char*, kMixBands> names{"sub", "bass", "low-mid", "mid", "upper-mid", "presence", "brilliance", "air"};
    return names;
}

SpectrumAnalyzer::SpectrumAnalyzer(double sampleRate, bool keepFrames, SpectrumResolution resolution)
    : rate_(sampleRate), keepFrames_(keepFrames)
{
    // Fine: ~3 Hz resolution (the 20 Hz third-octave band is 4.6 Hz wide), 50 % overlap.
    // Stem: half the frame, no overlap: the same hop, so the same frame period.
    hop_ = sampleRate > 60000 ? 16384 : 8192;
    n_ = resolution == SpectrumResolution::Fine ? 2 * hop_ : hop_;
    cfg_ = kiss_fftr_alloc(static_cast<int>(n_), 0, nullptr, nullptr);
    window_.resize(n_);
    double sumSq = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
        const double w = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n_));
        window_[i] = static_cast<float>(w);
        sumSq += w * w;
    }
    norm_ = 2.0 / (static_cast<double>(n_) * sumSq); // one-sided Parseval with the window's power
    input_.assign(n_, 0.0f);
    windowed_.resize(n_);
    fftOut_.resize((n_ / 2 + 1) * 2);
    power_.assign(n_ / 2 + 1, 0.0);
    binPower_.assign(n_ / 2 + 1, 0.0);
    // Each mixing band is one run of bins (the edges ascend, so do the bins' frequencies).
    const auto& edges = mixBandEdges();
    for (std::size_t b = 0; b < bandBins_.size(); ++b) {
        bandBins_[b] = {0, 0};
        for (std::size_t k = 1; k <= n_ / 2; ++k) {
            const double f = static_cast<double>(k) * rate_ / static_cast<double>(n_);
            if (f >= edges[b] && f < edges[b + 1]) {
                if (bandBins_[b].second == 0)
                    bandBins_[b].first = k;
                bandBins_[b].second = k + 1;
            }
        }
    }
}

SpectrumAnalyzer::~SpectrumAnalyzer()
{
    kiss_fftr_free(cfg_);
}

void SpectrumAnalyzer::process(const AudioBuffer& block)
{
    const std::size_t frames = block.frames();
    const int chs = block.channels();
    std::size_t i = 0;
    while (i < frames) {
        const std::size_t take = std::min(frames - i, n_ - fill_);
        const float* l = block.channel(0) + i;
        float* in = input_.data() + fill_;
        if (chs > 1) {
            const float* r = block.channel(1) + i;
            for (std::size_t k = 0; k < take; ++k)
                in[k] = 0.5f * (l[k] + r[k]);
        } else {
            std::copy(l, l + take, in);
        }
        fill_ += take;
        i += take;
        if (fill_ == n_) {
            analyseFrame();
            std::copy(input_.begin() + static_cast<std::ptrdiff_t>(hop_), input_.end(), input_.begin());
            fill_ = n_ - hop_;
        }
    }
}

void SpectrumAnalyzer::finish()
{
    if (framesDone_ == 0 && fill_ > 0) {
        std::fill(input_.begin() + static_cast<std::ptrdiff_t>(fill_), input_.end(), 0.0f);
        analyseFrame();
        fill_ = 0;
    }
}

void SpectrumAnalyzer::analyseFrame()
{
    for (std::size_t k = 0; k < n_; ++k)
        windowed_[k] = input_[k] * window_[k];
    kiss_fftr(cfg_, windowed_.data(), reinterpret_cast<kiss_fft_cpx*>(fftOut_.data()));
    // |X|² per bin into the long-term sum (a loop without branches: it vectorises), then
    // the frame's mixing bands, each a contiguous run of bins summed in bin order.
    const std::size_t bins = n_ / 2 + 1;
    const float* out = fftOut_.data();
    double* p = binPower_.data();
    for (std::size_t k = 0; k < bins; ++k) {
        const double re = out[2 * k], im = out[2 * k + 1];
        p[k] = re * re + im * im;
        power_[k] += p[k];
    }
    if (keepFrames_) {
        BandFrame bands{};
        for (std::size_t b = 0; b < bands.size(); ++b) {
            float sum = 0.0f;
            for (std::size_t k = bandBins_[b].first; k < bandBins_[b].second; ++k)
                sum += static_cast<float>(p[k] * norm_);
            bands[b] = sum;
        }
        frames_.push_back(bands);
    }
    ++framesDone_;
}

std::vector<double> SpectrumAnalyzer::thirdOctaveDb() const
{
    std::vector<double> out;
    const double frames = std::max<double>(1.0, static_cast<double>(framesDone_));
    const double binHz = rate_ / static_cast<double>(n_);
    for (double fc : thirdOctaveCentres()) {
        const double lo = fc * std::pow(2.0, -1.0 / 6.0), hi = fc * std::pow(2.0, 1.0 / 6.0);
        double ms = 0.0;
        if (lo >= rate_ / 2.0) {
            out.push_back(-120.0);
            continue;
        }
        const auto kLo = static_cast<std::size_t>(std::ceil(lo / binHz));
        const auto kHi = std::min(n_ / 2, static_cast<std::size_t>(std::floor(std::min(hi, rate_ / 2.0) / binHz)));
        if (kHi >= kLo) {
            for (std::size_t k = kLo; k <= kHi; ++k)
                ms += power_[k];
        } else {
            const auto k = std::min(n_ / 2, static_cast<std::size_t>(std::lround(fc / binHz)));
            ms = power_[k] * (hi - lo) / binHz;
        }
        ms *= norm_ / frames;
        out.push_back(ms > 1e-12 ? 10.0 * std::log10(ms) : -120.0);
    }
    return out;
}

std::array<double, kMixBands> SpectrumAnalyzer::mixBandsDb() const
{
    std::array<double, kMixBands> ms{};
    for (std::size_t b = 0; b < ms.size(); ++b)
        for (std::size_t k = bandBins_[b].first; k < bandBins_[b].second; ++k)
            ms[b] += power_[k];
    const double frames = std::max<double>(1.0, static_cast<double>(framesDone_));
    for (auto& v : ms) {
        v *= norm_ / frames;
        v = v > 1e-12 ? 10.0 * std::log10(v) : -120.0;
    }
    return ms;
}

} // namespace mm
