#pragma once
// A mixing policy maps what is known of each stem (role, metrics, features, the user's
// settings) and the preset to decisions. Every decision carries its reason in words,
// for the report. Two policies share this interface: RulePolicy and (later) the neural one.
#include "analysis/AudioMetrics.h"
#include "dsp/Biquad.h"
#include "dsp/Compressor.h"
#include "mixing/MixSettings.h"

#include <optional>
#include <string>
#include <vector>

namespace mm {

struct StemInfo {
    std::string name;
    Role role = Role::Other;
    std::string roleSource;      ///< "metadata", "file name" or "audio"
    AudioMetrics metrics;
    StemFeatures features;
    std::optional<double> userGainDb;
    std::optional<double> userPan;
    bool userMute = false;
};

struct EqDecision {
    EqBand band;
    std::string reason;
};

struct StemDecision {
    bool muted = false;
    std::string muteReason;
    double gainDb = 0.0;
    std::string gainReason;
    double hpfHz = 0.0;          ///< 0 = off
    std::string hpfReason;
    std::vector<EqDecision> eq;
    bool compress = false;
    CompressorParams comp;
    std::string compReason;
    double compLossDb = 0.0;     ///< loudness the compressor is predicted to take; in gainDb
    double pan = 0.0;            ///< −1 left … +1 right
    std::string panReason;
    bool drumBus = false;
    double expectedRelativeLu = 0.0; ///< loudness relative to the mix the gain aims at
    std::vector<std::string> guardrails; ///< what the guardrails clamped, in words
};

/// Loudness change (LU) that a decision's high-pass and EQ will cause, from the stem's
/// long-term third-octave spectrum weighted by the K-filter of BS.1770: both policies set
/// the fader to make up for it, so that the stem still lands on its level.
/// `kWeighted` false: the change of plain power (what a compressor's detector sees).
double filterLoudnessChangeDb(const StemInfo& stem, const StemDecision& d, double sampleRate, bool kWeighted = true);

/// Loudness change (LU) of a stem's pan: 0 for a mono stem (constant-power law); for a
/// stereo stem, the balance law's (dsp/Panner.h) 10·log10((g_L² + g_R²) / 2), taking its
/// channels as equally loud (the stereo stems a policy pans are near-mono): −1.1 dB at ±0.3.
double panLoudnessChangeDb(const StemInfo& stem, double pan);

class MixPolicy {
public:
    virtual ~MixPolicy() = default;
    virtual std::string name() const = 0;
    virtual std::vector<StemDecision> decide(const std::vector<StemInfo>& stems, const MixSettings& settings) const = 0;
};

} // namespace mm
