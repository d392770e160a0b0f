#pragma once
// Triangular-PDF dither from a seeded generator: the sum of two independent uniform
// values in [-0.5, 0.5) LSB, i.e. ±1 LSB peak, which makes the quantisation error
// independent of the signal (Lipshitz, Wannamaker & Vanderkooy, JAES 1992).
#include <cstdint>

namespace mm {

class TpdfDither {
public:
    explicit TpdfDither(std::uint64_t seed = 0x9E3779B97F4A7C15ull) noexcept { reseed(seed); }

    void reseed(std::uint64_t seed) noexcept { state_ = seed ? seed : 0x9E3779B97F4A7C15ull; }

    /// Next dither value in LSB units, triangular on (-1, 1).
    double next() noexcept { return uniform() + uniform() - 1.0; }

private:
    // xorshift64*: fast, deterministic, and good enough for dither (Vigna 2016).
    double uniform() noexcept
    {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        const std::uint64_t r = state_ * 0x2545F4914F6CDD1Dull;
        return static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0);
    }
    std::uint64_t state_ = 0;
};

} // namespace mm
