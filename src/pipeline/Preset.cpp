#include "pipeline/Preset.h"

#include "core/Errors.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#ifndef MIXMASTER_PRESETS_DIR
#define MIXMASTER_PRESETS_DIR "data/presets"
#endif

namespace mm {
namespace {

nlohmann::json readJson(const std::filesystem::path& p)
{
    std::ifstream in(p);
    if (!in)
        throw InternalError(p.string() + ": cannot read preset file");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw InternalError(p.string() + ": bad preset JSON (" + e.what() + ")");
    }
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string keyOf(const std::string& name)
{
    std::string k;
    for (char c : lower(name))
        k += (c == ' ' || c == '_') ? '-' : c;
    return k;
}

void readComp(const nlohmann::json& j, RoleSettings& r)
{
    if (j.contains("compress"))
        r.compress = j["compress"].get<bool>();
    if (!j.contains("comp"))
        return;
    const auto& c = j["comp"];
    r.comp.ratio = c.value("ratio", r.comp.ratio);
    r.comp.attackMs = c.value("attack_ms", r.comp.attackMs);
    r.comp.releaseMs = c.value("release_ms", r.comp.releaseMs);
    r.comp.kneeDb = c.value("knee_db", r.comp.kneeDb);
    r.comp.detector = c.value("detector", std::string("peak")) == "rms" ? Detector::Rms : Detector::Peak;
    r.targetGrDb = c.value("target_gr_db", r.targetGrDb);
}

void readRole(const nlohmann::json& j, RoleSettings& r)
{
    r.targetLu = j.value("target_lu", r.targetLu);
    r.hpfHz = j.value("hpf_hz", r.hpfHz);
    r.centre = j.value("centre", r.centre);
    r.priority = j.value("priority", r.priority);
    readComp(j, r);
}

Preset parsePreset(const std::filesystem::path& file, const nlohmann::json& roles)
{
    const auto j = readJson(file);
    Preset p;
    p.key = file.stem().string();
    p.name = j.value("name", p.key);
    p.description = j.value("description", "");
    const auto& t = j.at("targets");
    p.targets.lufs = t.value("lufs", p.targets.lufs);
    p.targets.ceilingDbtp = t.value("ceiling_dbTP", p.targets.ceilingDbtp);
    p.targets.widthPct = t.value("width_pct", p.targets.widthPct);
    if (t.contains("lra_max") && !t["lra_max"].is_null())
        p.targets.lraMax = t["lra_max"].get<double>();
    for (Role role : allRoles()) {
        RoleSettings rs;
        const std::string name = toString(role);
        if (roles.contains(name))
            readRole(roles[name], rs);
        const auto& mix = j.value("mix", nlohmann::json::object());
        if (mix.contains("roles") && mix["roles"].contains(name))
            readRole(mix["roles"][name], rs);
        p.mix.roles[role] = rs;
    }
    const auto mix = j.value("mix", nlohmann::json::object());
    if (mix.contains("drum_bus")) {
        p.mix.drumParallelMix = mix["drum_bus"].value("parallel_mix", p.mix.drumParallelMix);
        p.mix.drumParallelGrDb = mix["drum_bus"].value("target_gr_db", p.mix.drumParallelGrDb);
    }
    if (mix.contains("glue")) {
        p.mix.glue.ratio = mix["glue"].value("ratio", p.mix.glue.ratio);
        p.mix.glueTargetGrDb = mix["glue"].value("target_gr_db", p.mix.glueTargetGrDb);
    }
    p.mix.headroomPeakDbfs = mix.value("headroom_dbfs", p.mix.headroomPeakDbfs);
    p.master = j.value("master", nlohmann::json::object());
    return p;
}

void checkRange(const char* what, double v, double lo, double hi, const char* unit)
{
    if (std::isfinite(v) && v >= lo && v <= hi)
        return;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s %.2f is out of range: allowed %.1f … %.1f %s", what, v, lo, hi, unit);
    throw InputError(buf);
}

} // namespace

std::string presetsDir()
{
    // Its own variable: MIXMASTER_DATA_DIR is `serve --data-dir` (the job store), and one
    // name for both made a container that set the job folder lose its presets.
    if (const char* env = std::getenv("MIXMASTER_PRESETS_DIR"); env && *env)
        return env;
    return MIXMASTER_PRESETS_DIR;
}

std::vector<Preset> listPresets()
{
    const std::filesystem::path dir = presetsDir();
    if (!std::filesystem::is_directory(dir))
        throw InternalError(dir.string() + ": preset folder not found (set MIXMASTER_PRESETS_DIR)");
    const auto roles = readJson(dir / "roles.json");
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".json" && e.path().filename() != "roles.json")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<Preset> out;
    for (const auto& f : files)
        out.push_back(parsePreset(f, roles));
    return out;
}

Preset loadPreset(const std::string& nameOrKey)
{
    const std::string want = keyOf(nameOrKey);
    std::string known;
    for (auto& p : listPresets()) {
        if (p.key == want || keyOf(p.name) == want)
            return p;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    throw InputError("unknown preset '" + nameOrKey + "': choose one of " + known);
}

void applyTargetOverrides(Targets& t, const TargetOverrides& o)
{
    if (o.lufs) {
        checkRange("target loudness (lufs)", *o.lufs, -40.0, 0.0, "LUFS");
        t.lufs = *o.lufs;
    }
    if (o.ceilingDbtp) {
        checkRange("true-peak ceiling (ceiling_dbTP)", *o.ceilingDbtp, -20.0, 0.0, "dBTP");
        t.ceilingDbtp = *o.ceilingDbtp;
    }
    if (o.widthPct) {
        checkRange("stereo width (width_pct)", *o.widthPct, 0.0, 140.0, "%");
        t.widthPct = *o.widthPct;
    }
    if (o.lraMax) {
        checkRange("loudness range limit (lra_max)", *o.lraMax, 1.0, 40.0, "LU");
        t.lraMax = *o.lraMax;
    }
}

TargetOverrides targetOverridesFromJson(const nlohmann::json& j)
{
    TargetOverrides o;
    auto num = [&](const char* key, std::optional<double>& dst) {
        if (!j.contains(key) || j[key].is_null())
            return;
        if (!j[key].is_number())
            throw InputError(std::string("targets.") + key + " must be a number");
        dst = j[key].get<double>();
    };
    num("lufs", o.lufs);
    num("ceiling_dbTP", o.ceilingDbtp);
    num("width_pct", o.widthPct);
    num("lra_max", o.lraMax);
    return o;
}

nlohmann::json targetsToJson(const Targets& t)
{
    nlohmann::json j{{"lufs", t.lufs}, {"ceiling_dbTP", t.ceilingDbtp}, {"width_pct", t.widthPct}};
    j["lra_max"] = t.lraMax ? nlohmann::json(*t.lraMax) : nlohmann::json(nullptr);
    return j;
}

} // namespace mm
