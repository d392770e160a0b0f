#pragma once
// A preset's mastering section (and the user's targets, and a reference track if any)
// as the mastering chain's settings.
#include "mastering/MasteringSettings.h"
#include "pipeline/Preset.h"

#include <optional>
#include <string>

namespace mm {

/// Interpolates [[hz, db], ...] points on a log-frequency axis to thirdOctaveCentres().
std::vector<double> curveAtThirdOctaves(const nlohmann::json& points);

/// `referenceSpectrumDb` (third-octave, from analysing a reference track) replaces the
/// preset's target curve when given. The tone-match amount is `matchAmount` when given
/// (0…1), else 1.0 with a reference (the user asked for that sound), else the preset's.
MasteringSettings masteringSettings(const Preset& preset, const Targets& targets, OutputFormat format,
                                    const std::optional<std::vector<double>>& referenceSpectrumDb,
                                    std::optional<double> matchAmount = std::nullopt);

/// The preset's minimum peak-to-loudness ratio (crest rule), dB.
double minPlrDb(const Preset& preset);

} // namespace mm
