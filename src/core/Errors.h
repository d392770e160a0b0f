#pragma once
// Typed errors at library boundaries. The CLI maps InputError to exit code 2 and
// everything else to 1; the service maps InputError to a 4xx with its message.
#include <stdexcept>
#include <string>

namespace mm {

/// The user's input is at fault (missing file, bad format, bad option). The message
/// names the offending thing and the cause, in one line.
class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

/// Something inside MixMaster failed (I/O error while writing, library failure).
class InternalError : public std::runtime_error {
public:
    explicit InternalError(const std::string& what) : std::runtime_error(what) {}
};

} // namespace mm
