#pragma once
// A small S3 client over libcurl: requests signed with curl's AWS SigV4 support
// (CURLOPT_AWS_SIGV4), path-style URLs (endpoint/bucket/key, what MinIO and s3rver
// expect) when an endpoint is given, else AWS's virtual-host style. Bodies stream from
// and to files: nothing is held whole in memory. Key encoding and presigned URLs, which
// curl does not do, are S3Signing.h's.
#include "service/S3Signing.h"

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mm::service {

struct S3Location {
    std::string bucket;
    std::string endpoint;  ///< "http://127.0.0.1:9000"; empty: https://BUCKET.s3.REGION.amazonaws.com (us-east-1: BUCKET.s3.amazonaws.com)
    std::string region = "us-east-1";
    std::string prefix;    ///< prepended to every key, e.g. "mixmaster/"
    std::string accessKey, secretKey;
};

/// s3://BUCKET[/PREFIX]?endpoint=URL&region=R — keys from AWS_ACCESS_KEY_ID and
/// AWS_SECRET_ACCESS_KEY. InputError for a malformed URL.
S3Location parseS3Url(const std::string& url);

class S3Client {
public:
    explicit S3Client(S3Location where);
    const S3Location& location() const { return where_; }

    /// Streams a local file to `key`. StorageError.
    void put(const std::string& key, const std::filesystem::path& file);
    /// Streams `key` into a local file (written beside it, then renamed: never half there). StorageError.
    void get(const std::string& key, const std::filesystem::path& file);
    /// Up to `size` bytes from `offset`; 0 past the end. StorageError.
    std::size_t getRange(const std::string& key, std::uint64_t offset, char* buf, std::size_t size);
    /// The object's size; nullopt when missing. StorageError.
    std::optional<std::uint64_t> size(const std::string& key);
    /// No error when it is missing. StorageError.
    void remove(const std::string& key);
    /// Keys under a prefix (all pages). StorageError.
    std::vector<std::string> list(const std::string& prefix);
    /// A presigned GET URL valid for `seconds` from `now` (SigV4 query signing, S3Signing.h).
    std::string presignGet(const std::string& key, int seconds, std::time_t now) const;
    std::string presignGet(const std::string& key, int seconds) const { return presignGet(key, seconds, std::time(nullptr)); }

    /// AWS's virtual-host name of the bucket (no endpoint given).
    std::string awsHost() const;

private:
    std::string objectUrl(const std::string& key, const std::string& query = "") const;
    S3Location where_;
};

} // namespace mm::service
