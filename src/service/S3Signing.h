#pragma once
// AWS Signature Version 4 for S3, the parts curl does not do for us: the URI encoding SigV4
// canonicalises paths and query values with, and query-string presigning ("Authenticating
// Requests: Using Query Parameters", Amazon S3 API Reference). The requests this service
// sends itself are header-signed by curl (CURLOPT_AWS_SIGV4, S3Client.cpp).
#include <ctime>
#include <string>

namespace mm::service {

/// Percent-encodes for S3: unreserved characters stay; '/' stays when `keepSlash`.
std::string s3Encode(const std::string& s, bool keepSlash);

/// The keys and region a request is signed with.
struct SigV4Key {
    std::string region, accessKey, secretKey;
};

/// A presigned GET of `base` + `path` (base: "scheme://host[:port]"; path: from '/', already
/// s3Encode-d), valid `seconds` from `now`; only the host header is signed, the payload is
/// UNSIGNED-PAYLOAD.
std::string presignGetUrl(const std::string& base, const std::string& path, const SigV4Key& key, int seconds, std::time_t now);

} // namespace mm::service
