#pragma once
// A knowledge-engineered, cross-adaptive mixer: every stem's decision looks at the others.
// - gain: stem loudness to its role's target relative to the mix (targets from the preset)
// - high-pass per role, lowered when the stem really lives down there
// - unmasking: small cuts where a higher-priority stem dominates the same band over time
// - compression: threshold from the stem's levels over time (mixing/CompressionPrediction.h),
//   aiming at 1-3 dB average GR; the fader gives back the loudness it takes
// - pan: centre roles centred; others spread in pairs; low-heavy stems kept near the centre
#include "mixing/MixPolicy.h"

namespace mm {

class RulePolicy final : public MixPolicy {
public:
    std::string name() const override { return "rules"; }
    std::vector<StemDecision> decide(const std::vector<StemInfo>& stems, const MixSettings& settings) const override;
};

/// Average gain reduction (dB) a compressor would apply to a stem whose active 10 ms levels
/// follow `histogram`, from the static curve. Used to pick thresholds.
double predictAverageGrDb(const std::vector<float>& histogram, const CompressorParams& params);

/// Threshold (dBFS) at which predictAverageGrDb equals `targetGrDb`, by bisection.
double thresholdForAverageGr(const std::vector<float>& histogram, CompressorParams params, double targetGrDb);

/// Sets a stem's compressor from its role (threshold for the role's average gain reduction,
/// predicted from the stem's envelope through its high-pass and EQ) and returns the
/// loudness it is predicted to take (also in d.compLossDb), which the fader gives back.
double fitCompressor(const StemInfo& stem, StemDecision& d, const MixSettings& settings);

/// Adds unmasking cuts to `decisions` (gains already set), per the preset's priorities.
void addUnmaskingCuts(const std::vector<StemInfo>& stems, const MixSettings& settings,
                      std::vector<StemDecision>& decisions);

} // namespace mm
