#pragma once
#include <string>

namespace mm {

/// Writes `content` to `path` atomically: a temporary file in the same folder, flushed,
/// then renamed onto `path`. Throws InternalError on failure; never leaves a partial file.
void writeFileAtomically(const std::string& path, const std::string& content);

/// A fresh temporary name in the folder of `path` (so a later rename is atomic).
std::string temporaryPathBeside(const std::string& path);

/// Renames `temp` onto `path`; on failure removes `temp` and throws InternalError.
void moveIntoPlace(const std::string& temp, const std::string& path);

} // namespace mm
