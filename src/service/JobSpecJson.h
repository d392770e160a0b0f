#pragma once
// A submitted job as the store keeps it (JSON), and the pipeline's JobSpec made from it:
//   {"project_id", "preset", "stems": [file part names, upload order],
//    "stems_meta": [...] | null, "targets": {...} | null,
//    "options": {"respect_user_gains", "bypass_parallel_comp", "format"}, "reference": name | null}
// Validation throws ApiError (422) naming the offending field, before any work starts.
#include "pipeline/Job.h"
#include "service/BlobStore.h"

#include <nlohmann/json.hpp>

namespace mm::service {

/// Checks everything but the audio: stems_meta (roles, names), stem count, files vs.
/// metadata, preset, targets, options. ApiError(422, code, message) on the first problem.
void validateJobSpec(const nlohmann::json& spec, std::size_t maxStems);

/// Parses the `options` part; ApiError(422) for unknown keys or wrong types.
nlohmann::json parseOptions(const std::string& text);

/// The pipeline's spec for a stored job, its files in `blobs`.
JobSpec jobSpecFromJson(const nlohmann::json& spec, const std::string& jobId, const BlobStore& blobs);

/// The few numbers a status answer shows, taken from report.json.
nlohmann::json summaryFromReport(const nlohmann::json& report);

} // namespace mm::service
