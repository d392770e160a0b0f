#pragma once
// Which stems a job has and what the user said of each: stem files (and/or a folder of
// them) plus the optional stems.json / stems_meta:
//   [{"name":"kick.wav","role":"kick","gain_db":0,"pan":0,"mute":false}, ...]
#include "mixing/MixEngine.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mm {

struct StemMeta {
    std::string name;
    std::optional<Role> role;
    std::optional<double> gainDb, pan;
    bool mute = false;
};

/// Parses stems_meta JSON; InputError for bad JSON, unknown roles, bad values, names with
/// path separators, duplicates.
std::vector<StemMeta> parseStemsMeta(const std::string& jsonText);
std::vector<StemMeta> readStemsMetaFile(const std::string& path);

/// Audio files of a folder (.wav .wave .aif .aiff .flac), sorted by name.
std::vector<std::string> listStemFiles(const std::string& dir);

/// Stem inputs from explicit files, a folder, and metadata. With a folder, metadata names
/// are looked up in it; a metadata entry naming no given file is an InputError.
std::vector<StemInput> collectStems(const std::vector<std::string>& files, const std::string& stemsDir,
                                    const std::vector<StemMeta>& meta);

} // namespace mm
