#pragma once
// The neural mixing policy: a small set model (NeuralModel, trained in training/ on
// arrangements rendered into stems) decides each stem's loudness relative to the mix, a
// peaking EQ on the seven upper mixing bands and the pan of mono stems. High-pass,
// compression, mutes and drum-bus membership are the rule policy's, so the two policies
// differ exactly in what the model learnt. Stems of roles the model (almost) never saw in
// training (model file's role_counts < kMinRoleStems) keep the rules' level, EQ and pan. The
// decisions go through the same guardrails
// (applied by the mix engine) as the rules'.
#include "mixing/MixPolicy.h"
#include "mixing/NeuralModel.h"

#include <memory>

namespace mm {

class NeuralPolicy final : public MixPolicy {
public:
    /// Shares the weights (NeuralModelCache.h: one loaded model per file and process).
    explicit NeuralPolicy(std::shared_ptr<const NeuralModel> model);
    explicit NeuralPolicy(NeuralModel model) : model_(std::make_shared<const NeuralModel>(std::move(model))) {}
    std::string name() const override { return "neural"; }
    const NeuralModel& model() const { return *model_; }
    std::vector<StemDecision> decide(const std::vector<StemInfo>& stems, const MixSettings& settings) const override;

    /// EQ gains below this (dB) are not applied: inaudible, and each band costs a biquad.
    static constexpr double kMinEqDb = 0.5;
    /// A role the model saw fewer training stems of keeps the rules' decisions (its level
    /// still takes part in the set's balance): the model cannot know a vocal it never heard.
    /// Only the (almost) unseen roles: with 1.1.0 a threshold of 10 also sent pad (5), lead
    /// (8) and other (4) to the rules, which cost more than it saved (models/MODEL_CARD.md).
    static constexpr int kMinRoleStems = 3;

private:
    std::shared_ptr<const NeuralModel> model_; ///< never null, immutable

};

} // namespace mm
