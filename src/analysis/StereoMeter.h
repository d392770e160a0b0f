#pragma once
// Stereo image figures over a whole programme.
// correlation = Σ L·R / sqrt(Σ L² · Σ R²)  (1 mono, 0 unrelated, −1 inverted)
// width % = 100 · rms(S) / rms(M) with M = (L+R)/2, S = (L−R)/2  (0 mono, 100 unrelated)
#include "core/AudioBuffer.h"

namespace mm {

struct StereoResult {
    double correlation = 1.0;
    double widthPct = 0.0; ///< capped at kMaxWidthPct when the mid is (nearly) silent
};

inline constexpr double kMaxWidthPct = 1000.0;

class StereoMeter {
public:
    void process(const AudioBuffer& block) noexcept;
    StereoResult result() const noexcept;
    void reset() noexcept { ll_ = rr_ = lr_ = 0.0; }

private:
    double ll_ = 0.0, rr_ = 0.0, lr_ = 0.0;
    bool mono_ = true;
};

} // namespace mm
