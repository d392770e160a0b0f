#pragma once
// Presets: data/presets/<key>.json over the role defaults of data/presets/roles.json.
// A preset holds its targets, its mix targets (role balance) and its mastering settings.
// Users' custom targets override a preset's, within ranges checked here.
#include "mixing/MixSettings.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mm {

struct Targets {
    double lufs = -14.0;
    double ceilingDbtp = -1.0;
    double widthPct = 120.0;
    std::optional<double> lraMax;
};

struct Preset {
    std::string key;          ///< file name without .json, e.g. "electro-house"
    std::string name;         ///< e.g. "Electro House"
    std::string description;
    Targets targets;
    MixSettings mix;
    nlohmann::json master;    ///< mastering section, read by the mastering stage
};

/// Folder holding the preset files: $MIXMASTER_PRESETS_DIR, else the source tree's
/// data/presets compiled in.
std::string presetsDir();
/// Every preset, sorted by key.
std::vector<Preset> listPresets();
/// By key or display name, case-insensitive ("Electro House", "electro-house").
/// Throws InputError naming the known presets.
Preset loadPreset(const std::string& nameOrKey);

/// Overrides of the targets; each checked against its allowed range (InputError naming it).
struct TargetOverrides {
    std::optional<double> lufs, ceilingDbtp, widthPct, lraMax;
};
void applyTargetOverrides(Targets& targets, const TargetOverrides& overrides);
/// Reads {lufs, ceiling_dbTP, width_pct, lra_max} from JSON (the API's `targets`).
TargetOverrides targetOverridesFromJson(const nlohmann::json& j);

nlohmann::json targetsToJson(const Targets& t);

} // namespace mm
