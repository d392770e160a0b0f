#pragma once
// options.reference_track_url: a reference track fetched by the server (libcurl), only
// from the hosts of an allow-list the operator gave (--reference-hosts). HTTPS only, at
// most `maxBytes`, within `timeoutSeconds`, redirects followed only to the same host.
// Fetched while the upload is answered, so its limits hold before the job is queued.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace mm::service {

struct ReferenceFetchLimits {
    std::vector<std::string> hosts; ///< allowed host names, compared case-insensitively; empty: none
    std::size_t maxBytes = 0;
    long timeoutSeconds = 60;
    std::string caFile;             ///< extra CA bundle (tests with a self-signed certificate); empty: the system's
};

/// Splits "a.example, b.example" into host names (lower case, trimmed, no empty ones).
std::vector<std::string> parseHostList(const std::string& text);

/// The URL's file extension when it is a plain one (".wav"), else "".
std::string urlExtension(const std::string& url);

/// Downloads `url` to `out`. Throws ApiError: 422 reference_url_not_allowed (no
/// allow-list), reference_url_not_https, reference_host_not_allowed, bad_reference_url,
/// reference_redirect_refused, reference_fetch_failed; 413 reference_too_large. `out` is
/// removed on failure.
void fetchReference(const std::string& url, const ReferenceFetchLimits& limits, const std::filesystem::path& out);

} // namespace mm::service
