#pragma once
// The roles a stem can play, and how a role is guessed when the user gives none: from
// the file name first ("kick.wav", "Bass_DI.aif", "lead-vox.wav", "OH L.wav"), then from
// the audio's features.
#include "analysis/AudioMetrics.h"

#include <optional>
#include <string>
#include <vector>

namespace mm {

enum class Role {
    Kick, Snare, Drums, Percussion, Bass, Keys, Piano, Synth, Pad, Guitar, Strings, Brass,
    Lead, Vocal, BackingVocal, Fx, Other
};

const std::vector<Role>& allRoles();
std::string toString(Role role);
/// Parses a contract role name ("backing_vocal" …); nullopt when unknown.
std::optional<Role> parseRole(const std::string& name);
/// The allowed role names, comma separated (for error messages).
std::string roleList();

/// Role from the words of a file name; nullopt when no word names a role.
std::optional<Role> guessRoleFromName(const std::string& fileName);
/// Role from the audio: spectral balance, transient density, activity.
Role guessRoleFromAudio(const AudioMetrics& metrics, const StemFeatures& features);

/// Drums bus membership.
bool isDrumRole(Role role);

} // namespace mm
