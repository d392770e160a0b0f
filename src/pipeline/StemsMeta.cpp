#include "pipeline/StemsMeta.h"

#include "core/Errors.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace mm {

std::vector<StemMeta> parseStemsMeta(const std::string& text)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(std::string("stems metadata is not valid JSON (") + e.what() + ")");
    }
    if (!j.is_array())
        throw InputError("stems metadata must be a JSON array of {\"name\", \"role\", …} objects");
    std::vector<StemMeta> out;
    std::set<std::string> seen;
    for (const auto& e : j) {
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string())
            throw InputError("every stems metadata entry needs a \"name\" string");
        StemMeta m;
        m.name = e["name"].get<std::string>();
        if (m.name.empty() || m.name.find('/') != std::string::npos || m.name.find('\\') != std::string::npos ||
            m.name == "." || m.name == "..")
            throw InputError("stem name '" + m.name + "' must be a plain file name (no folders)");
        if (!seen.insert(m.name).second)
            throw InputError("two stems are named '" + m.name + "'; stem names must be unique");
        if (e.contains("role") && !e["role"].is_null()) {
            if (!e["role"].is_string())
                throw InputError("stem '" + m.name + "': role must be a string");
            const auto r = parseRole(e["role"].get<std::string>());
            if (!r)
                throw InputError("stem '" + m.name + "': unknown role '" + e["role"].get<std::string>() + "' (allowed: " + roleList() + ")");
            m.role = r;
        }
        auto num = [&](const char* key, double lo, double hi) -> std::optional<double> {
            if (!e.contains(key) || e[key].is_null())
                return std::nullopt;
            if (!e[key].is_number() || !std::isfinite(e[key].get<double>()) || e[key].get<double>() < lo || e[key].get<double>() > hi)
                throw InputError("stem '" + m.name + "': " + key + " must be a number in " + std::to_string(static_cast<int>(lo)) +
                                 " … " + std::to_string(static_cast<int>(hi)));
            return e[key].get<double>();
        };
        m.gainDb = num("gain_db", -60.0, 24.0);
        m.pan = num("pan", -1.0, 1.0);
        if (e.contains("mute") && !e["mute"].is_null()) {
            if (!e["mute"].is_boolean())
                throw InputError("stem '" + m.name + "': mute must be true or false");
            m.mute = e["mute"].get<bool>();
        }
        out.push_back(m);
    }
    return out;
}

std::vector<StemMeta> readStemsMetaFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw InputError(path + ": cannot read stems metadata");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return parseStemsMeta(ss.str());
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

std::vector<std::string> listStemFiles(const std::string& dir)
{
    if (!std::filesystem::is_directory(dir))
        throw InputError(dir + ": not a folder");
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (e.is_regular_file() && (ext == ".wav" || ext == ".wave" || ext == ".aif" || ext == ".aiff" || ext == ".flac"))
            files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<StemInput> collectStems(const std::vector<std::string>& files, const std::string& stemsDir,
                                    const std::vector<StemMeta>& meta)
{
    std::vector<std::string> paths = files;
    if (!stemsDir.empty())
        for (const auto& f : listStemFiles(stemsDir))
            paths.push_back(f);
    if (paths.empty())
        throw InputError("no stems: give stem files or --stems-dir with audio files in it");
    std::vector<StemInput> out;
    for (const auto& p : paths) {
        StemInput s;
        s.path = p;
        s.name = std::filesystem::path(p).filename().string();
        out.push_back(s);
    }
    for (const auto& m : meta) {
        auto it = std::find_if(out.begin(), out.end(), [&](const StemInput& s) { return s.name == m.name; });
        if (it == out.end())
            throw InputError("stems metadata names '" + m.name + "' but no such stem file was given");
        it->role = m.role;
        it->gainDb = m.gainDb;
        it->pan = m.pan;
        it->mute = m.mute;
    }
    return out;
}

} // namespace mm
