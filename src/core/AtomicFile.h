#pragma once
#include <string>

namespace mm {

/// Writes `content` to `path` atomically: a temporary file in the same folder, flushed,
/// then renamed onto `path`. Throws InternalError on failure; never leaves a partial file.
void writeFileAtomically(const std::string& path, const std::string& content);

} // namespace mm
