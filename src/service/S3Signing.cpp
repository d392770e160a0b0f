#include "service/S3Signing.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cctype>

namespace mm::service {
namespace {

std::string hex(const unsigned char* p, std::size_t n)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

std::string sha256Hex(const std::string& s)
{
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out);
    return hex(out, sizeof out);
}

std::string hmac(const std::string& key, const std::string& msg)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}

} // namespace

std::string s3Encode(const std::string& s, bool keepSlash)
{
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keepSlash && ch == '/')) {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += digits[ch >> 4];
            out += digits[ch & 15];
        }
    }
    return out;
}

std::string presignGetUrl(const std::string& base, const std::string& path, const SigV4Key& key, int seconds, std::time_t now)
{
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[17], day[9];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    std::strftime(day, sizeof day, "%Y%m%d", &utc);
    const std::string scope = std::string(day) + "/" + key.region + "/s3/aws4_request";
    const std::string host = base.substr(base.find("://") + 3);
    const std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + s3Encode(key.accessKey + "/" + scope, false) +
                              "&X-Amz-Date=" + stamp + "&X-Amz-Expires=" + std::to_string(seconds) + "&X-Amz-SignedHeaders=host";
    const std::string canonical = "GET\n" + path + "\n" + query + "\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD";
    const std::string toSign = std::string("AWS4-HMAC-SHA256\n") + stamp + "\n" + scope + "\n" + sha256Hex(canonical);
    const std::string kDate = hmac("AWS4" + key.secretKey, day);
    const std::string kSigning = hmac(hmac(hmac(kDate, key.region), "s3"), "aws4_request");
    const std::string sig = hmac(kSigning, toSign);
    return base + path + "?" + query + "&X-Amz-Signature=" + hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

} // namespace mm::service
