#pragma once
// API keys and job ids. The keys file holds one SHA-256 hex digest per line (blank lines
// and '#' comments ignored), so the server never stores a key itself; a request's
// `Authorization: Bearer <key>` is hashed and looked up. The hash is also the job's owner.
#include <optional>
#include <set>
#include <string>

namespace mm::service {

/// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string sha256Hex(const std::string& data);

/// 128 random bits from std::random_device, as 32 hex digits: unguessable job ids.
std::string randomId();

class ApiKeys {
public:
    ApiKeys() = default;
    /// Reads the file; InputError when it is missing or a line is not a SHA-256 hex digest.
    static ApiKeys fromFile(const std::string& path);
    static ApiKeys fromHashes(std::set<std::string> hashes);

    bool enabled() const { return !hashes_.empty(); }
    /// The owner (the key's hash) for an Authorization header value; nullopt when it is
    /// not "Bearer <a known key>".
    std::optional<std::string> ownerFor(const std::string& authorizationHeader) const;

private:
    std::set<std::string> hashes_;
};

} // namespace mm::service
