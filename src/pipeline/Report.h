#pragma once
// report.json: explains every decision and proves every target. Its schema is
// docs/report.schema.json; the fields follow DESIGN.md's contract.
#include "mixing/MixEngine.h"
#include "pipeline/Preset.h"

#include <nlohmann/json.hpp>

namespace mm {

inline constexpr const char* kReportVersion = "1.0";

nlohmann::json compressorToJson(const CompressorParams& c);
/// One stem: name, file, role (and where it came from), input metrics, decisions with
/// reasons, guardrail notes, loudness after processing, warnings.
nlohmann::json stemToJson(const StemResult& s);
nlohmann::json busesToJson(const std::vector<BusResult>& buses);
nlohmann::json checksToJson(const std::vector<MixCheck>& checks);
/// The target spectrum as {"centres_hz": [...], "db": [...]}.
nlohmann::json spectrumToJson(const std::vector<double>& db);

/// The report of a mix-only job (master and its checks null/empty).
nlohmann::json mixReport(const MixResult& mix, const Preset& preset, const Targets& targets, const nlohmann::json& options,
                         const nlohmann::json& job, double totalSeconds);

} // namespace mm
