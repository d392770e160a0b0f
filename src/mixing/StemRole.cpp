#include "mixing/StemRole.h"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <utility>

namespace mm {
namespace {

const std::vector<std::pair<Role, const char*>>& roleNames()
{
    static const std::vector<std::pair<Role, const char*>> names{
        {Role::Kick, "kick"}, {Role::Snare, "snare"}, {Role::Drums, "drums"}, {Role::Percussion, "percussion"},
        {Role::Bass, "bass"}, {Role::Keys, "keys"}, {Role::Piano, "piano"}, {Role::Synth, "synth"},
        {Role::Pad, "pad"}, {Role::Guitar, "guitar"}, {Role::Strings, "strings"}, {Role::Brass, "brass"},
        {Role::Lead, "lead"}, {Role::Vocal, "vocal"}, {Role::BackingVocal, "backing_vocal"}, {Role::Fx, "fx"},
        {Role::Other, "other"}};
    return names;
}

/// Lower-case words of a file stem, split on non-letters and on camelCase boundaries.
/// Digits stay with the word they follow ("tr808", "vox2") and a word with trailing
/// digits also counts without them ("bd1" is also "bd"); a bare number is a word ("808").
std::vector<std::string> words(const std::string& fileName)
{
    const std::string stem = std::filesystem::path(fileName).stem().string();
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        if (cur.empty())
            return;
        out.push_back(cur);
        const auto letters = cur.find_first_of("0123456789");
        if (letters != std::string::npos && letters > 0)
            out.push_back(cur.substr(0, letters));
        cur.clear();
    };
    for (std::size_t i = 0; i < stem.size(); ++i) {
        const auto ch = static_cast<unsigned char>(stem[i]);
        if (std::isalpha(ch)) {
            const bool afterDigit = !cur.empty() && std::isdigit(static_cast<unsigned char>(cur.back()));
            const bool camel = std::isupper(ch) && i > 0 && std::islower(static_cast<unsigned char>(stem[i - 1]));
            if (afterDigit || camel)
                flush();
            cur += static_cast<char>(std::tolower(ch));
        } else if (std::isdigit(ch)) {
            cur += static_cast<char>(ch);
        } else {
            flush();
        }
    }
    flush();
    return out;
}

bool has(const std::vector<std::string>& w, std::initializer_list<const char*> keys)
{
    for (const auto& word : w)
        for (const char* k : keys)
            if (word == k)
                return true;
    return false;
}

bool contains(const std::string& joined, std::initializer_list<const char*> keys)
{
    for (const char* k : keys)
        if (joined.find(k) != std::string::npos)
            return true;
    return false;
}

} // namespace

const std::vector<Role>& allRoles()
{
    static const std::vector<Role> roles = [] {
        std::vector<Role> r;
        for (const auto& [role, name] : roleNames())
            r.push_back(role);
        return r;
    }();
    return roles;
}

std::string toString(Role role)
{
    for (const auto& [r, name] : roleNames())
        if (r == role)
            return name;
    return "other";
}

std::optional<Role> parseRole(const std::string& name)
{
    for (const auto& [r, n] : roleNames())
        if (name == n)
            return r;
    return std::nullopt;
}

std::string roleList()
{
    std::string s;
    for (const auto& [r, n] : roleNames())
        s += (s.empty() ? "" : ", ") + std::string(n);
    return s;
}

std::optional<Role> guessRoleFromName(const std::string& fileName)
{
    const auto w = words(fileName);
    std::string joined;
    for (const auto& x : w)
        joined += x;
    // Order matters: "bassdrum" is a kick, "lead vox" a vocal, "bgv" a backing vocal.
    if (has(w, {"kick", "kik", "bd", "bassdrum"}) || contains(joined, {"kick", "bassdrum"}))
        return Role::Kick;
    if (has(w, {"snare", "snr", "sd", "rim"}) || contains(joined, {"snare"}))
        return Role::Snare;
    if (has(w, {"bgv", "bgvs", "bv", "bvs", "backing", "backings", "harmony", "harmonies", "choir", "backup"}))
        return Role::BackingVocal;
    if (has(w, {"vox", "vocal", "vocals", "voc", "voice", "singer", "vox1", "leadvox"}) || contains(joined, {"vocal", "vox"}))
        return Role::Vocal;
    if (has(w, {"hat", "hats", "hihat", "hh", "oh", "overhead", "overheads", "drum", "drums", "kit", "cymbal",
                "cymbals", "ride", "crash", "tom", "toms", "room", "rooms", "loop", "breakbeat"}) ||
        contains(joined, {"hihat", "overhead", "drum"}))
        return Role::Drums;
    if (has(w, {"perc", "percussion", "shaker", "conga", "congas", "bongo", "bongos", "tamb", "tambourine",
                "clap", "claps", "cowbell", "triangle"}))
        return Role::Percussion;
    if (has(w, {"bass", "sub", "subbass", "808", "tr808", "di", "bassline"}) || contains(joined, {"bass"}))
        return Role::Bass;
    if (has(w, {"piano", "pno", "grand"}) || contains(joined, {"piano"}))
        return Role::Piano;
    if (has(w, {"keys", "key", "rhodes", "organ", "wurli", "wurlitzer", "ep", "clav", "keyboard"}))
        return Role::Keys;
    if (has(w, {"pad", "pads", "atmo", "ambient", "drone"}))
        return Role::Pad;
    if (has(w, {"gtr", "guitar", "guitars", "git", "acoustic", "electric"}) || contains(joined, {"guitar"}))
        return Role::Guitar;
    if (has(w, {"strings", "string", "violin", "violins", "viola", "cello", "celli", "orchestra", "ensemble"}))
        return Role::Strings;
    if (has(w, {"brass", "horn", "horns", "trumpet", "trumpets", "sax", "saxophone", "trombone", "tuba"}))
        return Role::Brass;
    if (has(w, {"synth", "synths", "arp", "pluck", "saw", "supersaw"}))
        return Role::Synth;
    if (has(w, {"lead", "melody", "solo", "topline"}))
        return Role::Lead;
    if (has(w, {"fx", "sfx", "riser", "risers", "impact", "sweep", "noise", "effects", "whoosh"}))
        return Role::Fx;
    return std::nullopt;
}

Role guessRoleFromAudio(const AudioMetrics& m, const StemFeatures& f)
{
    if (f.silent)
        return Role::Other;
    // Share of energy below 150 Hz.
    double total = 0.0, low = 0.0, high = 0.0;
    for (std::size_t b = 0; b < f.bandDb.size(); ++b) {
        const double p = std::pow(10.0, f.bandDb[b] / 10.0);
        total += p;
        if (b <= 1)
            low += p;
        if (b >= 5)
            high += p;
    }
    const double lowShare = total > 0 ? low / total : 0.0;
    const double highShare = total > 0 ? high / total : 0.0;
    const bool percussive = f.transientsPerSecond > 1.0 && m.crestDb > 12.0;
    if (percussive && lowShare > 0.6)
        return Role::Kick;
    if (percussive && highShare > 0.5)
        return Role::Drums;
    if (percussive && f.spectralCentroidHz > 400.0)
        return Role::Snare;
    if (lowShare > 0.6)
        return Role::Bass;
    if (percussive)
        return Role::Percussion;
    if (f.spectralCentroidHz > 600.0 && f.spectralCentroidHz < 3500.0 && m.channels == 1)
        return Role::Vocal;
    if (m.widthPct > 40.0 && f.transientsPerSecond < 1.0)
        return Role::Pad;
    return Role::Other;
}

bool isDrumRole(Role role)
{
    return role == Role::Kick || role == Role::Snare || role == Role::Drums || role == Role::Percussion;
}

} // namespace mm
