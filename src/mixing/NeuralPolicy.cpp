#include "mixing/NeuralPolicy.h"

#include "analysis/KWeighting.h"
#include "analysis/Spectrum.h"
#include "core/Errors.h"
#include "dsp/BiquadDesign.h"
#include "mixing/ReasonText.h"
#include "mixing/RulePolicy.h"

#include <cmath>

namespace mm {
namespace {

/// Loudness change (LU) the EQ bands cause on a stem (as the rule policy compensates its filters).
double eqLoudnessChangeDb(const StemInfo& stem, const std::vector<EqDecision>& eq)
{
    StemDecision only;
    only.eq = eq;
    return filterLoudnessChangeDb(stem, only, stem.metrics.sampleRate > 0 ? stem.metrics.sampleRate : 48000.0);
}

} // namespace

NeuralPolicy::NeuralPolicy(std::shared_ptr<const NeuralModel> model) : model_(std::move(model))
{
    if (!model_)
        throw InternalError("neural policy without a model");
}

std::vector<StemDecision> NeuralPolicy::decide(const std::vector<StemInfo>& stems, const MixSettings& settings) const
{
    // Mutes, high-pass, compression (with its fader make-up) and buses from the rules.
    std::vector<StemDecision> out = RulePolicy().decide(stems, settings);
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < stems.size(); ++i)
        if (!out[i].muted)
            active.push_back(i);
    if (active.empty())
        return out;
    Eigen::MatrixXd x(static_cast<Eigen::Index>(active.size()), kNeuralInputs);
    for (std::size_t r = 0; r < active.size(); ++r) {
        const auto v = neuralStemInputs(stems[active[r]]);
        for (int c = 0; c < kNeuralInputs; ++c)
            x(static_cast<Eigen::Index>(r), c) = v[static_cast<std::size_t>(c)];
    }
    const auto pred = model_->predict(x);
    // Levels relative to one another: the model's, or the rules' target for a role the
    // model (almost) never saw. The model's levels are first moved together so that, as
    // powers, they sum to what the rules gave the same stems: a rules-kept stem then stands
    // to the model's group as the rules put it (the model's raw levels carry an arbitrary
    // common offset, ~+12 dB on the demo stems, which would otherwise bury a vocal). All are
    // then shifted together to sum to the mix (0 LU), as the rule policy does.
    std::vector<bool> modelled(active.size());
    std::vector<double> level(active.size());
    double modelPower = 0.0;
    double rulesPower = 0.0;
    for (std::size_t r = 0; r < active.size(); ++r) {
        const int seen = model_->roleCount(stems[active[r]].role);
        modelled[r] = seen < 0 || seen >= kMinRoleStems;
        level[r] = modelled[r] ? pred[r].relativeLu : out[active[r]].expectedRelativeLu;
        if (modelled[r]) {
            modelPower += std::pow(10.0, level[r] / 10.0);
            rulesPower += std::pow(10.0, out[active[r]].expectedRelativeLu / 10.0);
        }
    }
    if (modelPower > 0.0 && rulesPower > 0.0) {
        const double offset = 10.0 * std::log10(rulesPower / modelPower);
        for (std::size_t r = 0; r < active.size(); ++r)
            if (modelled[r])
                level[r] += offset;
    }
    double power = 0.0;
    for (const double l : level)
        power += std::pow(10.0, l / 10.0);
    const double shift = 10.0 * std::log10(power);
    const std::string tag = " (neural model " + model_->version() + ")";
    for (std::size_t r = 0; r < active.size(); ++r) {
        const std::size_t i = active[r];
        const auto& s = stems[i];
        auto& d = out[i];
        const auto& p = pred[r];
        if (!modelled[r]) {
            // The rules' decisions, moved with the set's shift.
            if (!(settings.respectUserGains && s.userGainDb)) {
                const double rel = level[r] - shift;
                d.gainDb += rel - d.expectedRelativeLu;
                d.expectedRelativeLu = rel;
            }
            d.gainReason += "; rules' level, EQ and pan kept: the neural model " + model_->version() + " saw " +
                            std::to_string(model_->roleCount(s.role)) + " " + toString(s.role) + " stems in training (fewer than " +
                            std::to_string(kMinRoleStems) + ")";
            continue;
        }
        // EQ: the model's bands replace the rules' unmasking cuts.
        const double oldEqChange = eqLoudnessChangeDb(s, d.eq);
        d.eq.clear();
        for (int k = 0; k < kNeuralEqBands; ++k) {
            const double g = p.eqDb[static_cast<std::size_t>(k)];
            if (std::fabs(g) < kMinEqDb)
                continue;
            EqDecision e;
            e.band = EqBand{FilterType::Peak, neuralEqCentreHz(k), kNeuralEqQ, g, true};
            e.reason = reasonText("%+.1f dB at %.0f Hz", g, neuralEqCentreHz(k)) + tag;
            d.eq.push_back(e);
        }
        const double eqChange = eqLoudnessChangeDb(s, d.eq);
        if (d.compress) {
            // The compressor now sees the model's EQ: fitted again, and the fader moved by
            // the change of the loudness it takes.
            const double oldLoss = d.compLossDb;
            d.gainDb += fitCompressor(s, d, settings) - oldLoss;
        }
        const bool userGain = settings.respectUserGains && s.userGainDb;
        const double rel = level[r] - shift;
        if (!userGain) {
            // The rules' fader already holds the compressor make-up and the filter
            // compensation: move it by the change of target and of EQ loudness.
            const double move = (rel - d.expectedRelativeLu) - (eqChange - oldEqChange);
            d.gainDb += move;
            d.gainReason = reasonText("%+.1f dB: stem at %.1f LUFS brought to %+.1f LU relative to the mix", d.gainDb,
                                  s.metrics.integratedLufs, rel) + tag;
            if (d.compress)
                d.gainReason += "; includes the compressor's make-up";
            d.expectedRelativeLu = rel;
        }
        if (!(settings.respectUserGains && s.userPan)) {
            const double rulesPanChange = panLoudnessChangeDb(s, d.pan); // in the rules' fader
            const bool mono = s.metrics.channels == 1 || s.metrics.widthPct < 5.0;
            if (mono) {
                d.pan = p.pan;
                d.panReason = reasonText("pan %+.2f", d.pan) + tag;
            } else {
                d.pan = 0.0;
                d.panReason = reasonText("centre: already stereo (width %.0f %%), its own image kept", s.metrics.widthPct);
            }
            const double panChange = panLoudnessChangeDb(s, d.pan);
            if (!userGain) {
                d.gainDb -= panChange - rulesPanChange;
                if (std::fabs(panChange) >= 0.05)
                    d.gainReason += reasonText("; %+.1f dB more for the balance pan of a stereo stem", -panChange);
            }
        }
    }
    return out;
}

} // namespace mm
