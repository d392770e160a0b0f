#pragma once
// An error answered to the client: an HTTP status, a stable machine code and a message a
// user can act on. The server turns it into {"error":{"code","message"}}.
#include <stdexcept>
#include <string>

namespace mm::service {

class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    int status() const noexcept { return status_; }
    const std::string& code() const noexcept { return code_; }

private:
    int status_;
    std::string code_;
};

} // namespace mm::service
