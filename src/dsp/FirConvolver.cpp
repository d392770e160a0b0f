#include "dsp/FirConvolver.h"

#include <algorithm>

namespace mm {

FirConvolver::~FirConvolver()
{
    kiss_fftr_free(forward_);
    kiss_fftr_free(inverse_);
}

void FirConvolver::setImpulseResponse(std::span<const float> taps) { taps_.assign(taps.begin(), taps.end()); }

void FirConvolver::prepare(const ProcessSpec& spec)
{
    if (taps_.empty())
        taps_.assign(1, 1.0f); // no response set: identity
    channels_ = spec.channels;
    maxBlock_ = std::max<std::size_t>(1, spec.maxBlock);
    const std::size_t need = maxBlock_ + std::max<std::size_t>(1, taps_.size()) - 1;
    fftSize_ = 2;
    while (fftSize_ < need)
        fftSize_ <<= 1;

    kiss_fftr_free(forward_);
    kiss_fftr_free(inverse_);
    forward_ = kiss_fftr_alloc(static_cast<int>(fftSize_), 0, nullptr, nullptr);
    inverse_ = kiss_fftr_alloc(static_cast<int>(fftSize_), 1, nullptr, nullptr);

    time_.assign(fftSize_, 0.0f);
    spectrum_.assign(fftSize_ / 2 + 1, kiss_fft_cpx{0.0f, 0.0f});
    filterSpectrum_.assign(fftSize_ / 2 + 1, kiss_fft_cpx{0.0f, 0.0f});
    std::copy(taps_.begin(), taps_.end(), time_.begin());
    kiss_fftr(forward_, time_.data(), filterSpectrum_.data());
    const float scale = 1.0f / static_cast<float>(fftSize_); // kiss_fftri is unnormalised
    for (auto& h : filterSpectrum_) {
        h.r *= scale;
        h.i *= scale;
    }
    overlap_.assign(static_cast<std::size_t>(channels_) * fftSize_, 0.0f);
}

void FirConvolver::reset() noexcept { std::fill(overlap_.begin(), overlap_.end(), 0.0f); }

void FirConvolver::process(AudioBuffer& block) noexcept
{
    for (std::size_t from = 0; from < block.frames(); from += maxBlock_)
        processChunk(block, from, std::min(maxBlock_, block.frames() - from));
}

void FirConvolver::processChunk(AudioBuffer& block, std::size_t from, std::size_t n) noexcept
{
    const int nch = std::min(block.channels(), channels_);
    for (int c = 0; c < nch; ++c) {
        float* x = block.channel(c) + from;
        std::copy_n(x, n, time_.begin());
        std::fill(time_.begin() + static_cast<std::ptrdiff_t>(n), time_.end(), 0.0f);
        kiss_fftr(forward_, time_.data(), spectrum_.data());
        for (std::size_t k = 0; k < spectrum_.size(); ++k) {
            const kiss_fft_cpx a = spectrum_[k];
            const kiss_fft_cpx h = filterSpectrum_[k];
            spectrum_[k] = {a.r * h.r - a.i * h.i, a.r * h.i + a.i * h.r};
        }
        kiss_fftri(inverse_, spectrum_.data(), time_.data());

        // The linear convolution (n + taps − 1 ≤ F samples) lands from "now" onwards.
        float* acc = overlap_.data() + static_cast<std::size_t>(c) * fftSize_;
        for (std::size_t i = 0; i < fftSize_; ++i)
            acc[i] += time_[i];
        std::copy_n(acc, n, x);
        std::copy(acc + n, acc + fftSize_, acc);
        std::fill(acc + fftSize_ - n, acc + fftSize_, 0.0f);
    }
}

} // namespace mm
