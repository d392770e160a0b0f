#include "service/JobSpecJson.h"

#include "core/Errors.h"
#include "pipeline/StemsMeta.h"
#include "service/ApiError.h"

#include <algorithm>
#include <set>

namespace mm::service {
namespace {

std::vector<StemMeta> metasOf(const nlohmann::json& spec)
{
    if (spec.value("stems_meta", nlohmann::json()).is_null())
        return {};
    try {
        return parseStemsMeta(spec["stems_meta"].dump());
    } catch (const InputError& e) {
        throw ApiError(422, "bad_stems_meta", std::string("stems_meta: ") + e.what());
    }
}

std::vector<std::string> stemNames(const nlohmann::json& spec)
{
    return spec.value("stems", std::vector<std::string>{});
}

} // namespace

nlohmann::json parseOptions(const std::string& text)
{
    nlohmann::json out{{"respect_user_gains", false}, {"bypass_parallel_comp", false}, {"format", "wav24"}};
    if (text.empty())
        return out;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        throw ApiError(422, "bad_options", "options must be a JSON object, e.g. {\"respect_user_gains\":true}");
    for (const auto& [key, value] : j.items()) {
        if (key == "respect_user_gains" || key == "bypass_parallel_comp") {
            if (!value.is_boolean())
                throw ApiError(422, "bad_options", "options." + key + " must be true or false");
            out[key] = value;
        } else if (key == "format") {
            try {
                if (!value.is_string())
                    throw InputError("not a string");
                parseOutputFormat(value.get<std::string>());
            } catch (const InputError&) {
                throw ApiError(422, "bad_options", "options.format must be one of wav24, wav16, wav32f, flac24");
            }
            out[key] = value;
        } else if (key == "policy") {
            if (!value.is_string() || (value != "auto" && value != "neural" && value != "rules"))
                throw ApiError(422, "bad_options", "options.policy must be one of auto, neural, rules");
            out[key] = value;
        } else if (key == "reference_track_url") {
            throw ApiError(422, "reference_url_not_allowed",
                           "this server fetches no reference URLs; upload the reference track as a `reference` file part");
        } else {
            throw ApiError(422, "bad_options", "unknown option `" + key + "`; known: respect_user_gains, bypass_parallel_comp, format, policy");
        }
    }
    return out;
}

void validateJobSpec(const nlohmann::json& spec, std::size_t maxStems)
{
    const auto names = stemNames(spec);
    if (names.empty())
        throw ApiError(422, "no_stems", "no stem files: send one file part per stem, named by its stem name (e.g. -F \"kick.wav=@kick.wav\")");
    if (names.size() > maxStems)
        throw ApiError(422, "too_many_stems", std::to_string(names.size()) + " stems sent; the limit is " + std::to_string(maxStems));
    const auto metas = metasOf(spec);
    if (!metas.empty()) {
        std::set<std::string> files(names.begin(), names.end()), listed;
        for (const auto& m : metas) {
            listed.insert(m.name);
            if (files.count(m.name) == 0)
                throw ApiError(422, "missing_stem_file", "stems_meta lists `" + m.name + "` but no file part has that name");
        }
        for (const auto& n : names)
            if (listed.count(n) == 0)
                throw ApiError(422, "unlisted_stem", "file part `" + n + "` is not listed in stems_meta");
    }
    Preset preset;
    try {
        preset = loadPreset(spec.value("preset", std::string("Pop")));
    } catch (const InputError& e) {
        throw ApiError(422, "unknown_preset", e.what());
    }
    const auto& targets = spec.value("targets", nlohmann::json());
    if (!targets.is_null()) {
        try {
            Targets t = preset.targets;
            applyTargetOverrides(t, targetOverridesFromJson(targets));
        } catch (const std::exception& e) {
            throw ApiError(422, "bad_targets", std::string("targets: ") + e.what());
        }
    }
}

JobSpec jobSpecFromJson(const nlohmann::json& spec, const std::string& jobId, const BlobStore& blobs)
{
    JobSpec js;
    const auto metas = metasOf(spec);
    if (!metas.empty()) {
        for (const auto& m : metas)
            js.stems.push_back({blobs.inputPath(jobId, m.name).string(), m.name, m.role, m.gainDb, m.pan, m.mute});
    } else {
        for (const auto& n : stemNames(spec))
            js.stems.push_back({blobs.inputPath(jobId, n).string(), n, std::nullopt, std::nullopt, std::nullopt, false});
    }
    js.preset = spec.value("preset", std::string("Pop"));
    const auto& targets = spec.value("targets", nlohmann::json());
    if (!targets.is_null())
        js.overrides = targetOverridesFromJson(targets);
    const auto options = spec.value("options", nlohmann::json::object());
    js.respectUserGains = options.value("respect_user_gains", false);
    js.bypassParallelComp = options.value("bypass_parallel_comp", false);
    js.format = parseOutputFormat(options.value("format", std::string("wav24")));
    js.policy = options.value("policy", std::string("auto"));
    const auto& ref = spec.value("reference", nlohmann::json());
    if (ref.is_string())
        js.referencePath = blobs.inputPath(jobId, ref.get<std::string>()).string();
    js.outDir = blobs.outputDir(jobId).string();
    js.job = {{"id", jobId}, {"kind", "run"}, {"project_id", spec.value("project_id", std::string())}};
    return js;
}

nlohmann::json summaryFromReport(const nlohmann::json& report)
{
    const auto pick = [](const nlohmann::json& obj, const char* key) {
        return obj.is_object() && obj.contains(key) ? obj[key] : nlohmann::json(nullptr);
    };
    const auto& master = report.value("master", nlohmann::json());
    const auto& qc = report.value("qc", nlohmann::json());
    return {{"integrated_lufs", pick(master, "integrated_lufs")},
            {"true_peak_dbtp", pick(master, "true_peak_dbtp")},
            {"lra_lu", pick(master, "lra_lu")},
            {"target_lufs", pick(report.value("targets", nlohmann::json()), "lufs")},
            {"qc_passed", pick(qc, "passed")},
            {"warnings", report.value("warnings", nlohmann::json::array()).size()}};
}

} // namespace mm::service
