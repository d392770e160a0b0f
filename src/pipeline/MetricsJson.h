#pragma once
// JSON forms of the analysis results, as the `analyze --json` and report contracts name them.
// Non-finite numbers (the −inf loudness of silence) become null.
#include "analysis/AudioMetrics.h"

#include <nlohmann/json.hpp>

namespace mm {

/// A number, or null when it is not finite; rounded to `decimals` places.
nlohmann::json jsonNumber(double value, int decimals = 2);

/// The `analyze` contract fields (path … width_pct) plus rms, dc offset, clipping, warnings.
nlohmann::json metricsToJson(const AudioMetrics& m);

/// metricsToJson plus the plot series: short-term loudness per second, third-octave
/// spectrum (with its band centres) and waveform peaks.
nlohmann::json metricsWithSeriesToJson(const AudioMetrics& m);

} // namespace mm
