#include "service/ApiKeys.h"

#include "core/Errors.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>

namespace mm::service {
namespace {

std::string toHex(const unsigned char* data, std::size_t n)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0xf]);
    }
    return out;
}

std::string trim(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

} // namespace

std::string sha256Hex(const std::string& data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw InternalError("SHA-256 failed");
    return toHex(digest, len);
}

std::string randomId()
{
    std::random_device rd;
    unsigned char bytes[16];
    for (std::size_t i = 0; i < sizeof bytes; i += 4) {
        const std::uint32_t v = rd();
        for (std::size_t k = 0; k < 4; ++k)
            bytes[i + k] = static_cast<unsigned char>(v >> (8 * k));
    }
    return toHex(bytes, sizeof bytes);
}

ApiKeys ApiKeys::fromFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw InputError("cannot read the API keys file " + path);
    std::set<std::string> hashes;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        line = trim(line);
        if (line.empty() || line.front() == '#')
            continue;
        std::transform(line.begin(), line.end(), line.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (line.size() != 64 || !std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isxdigit(c); }))
            throw InputError(path + ":" + std::to_string(n) + ": not a SHA-256 hex digest (64 hex digits); store "
                             "`printf %s KEY | sha256sum`, never the key itself");
        hashes.insert(line);
    }
    if (hashes.empty())
        throw InputError("the API keys file " + path + " holds no keys");
    return fromHashes(std::move(hashes));
}

ApiKeys ApiKeys::fromHashes(std::set<std::string> hashes)
{
    ApiKeys k;
    k.hashes_ = std::move(hashes);
    return k;
}

std::optional<std::string> ApiKeys::ownerFor(const std::string& header) const
{
    static const std::string kBearer = "Bearer ";
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0)
        return std::nullopt;
    const std::string hash = sha256Hex(trim(header.substr(kBearer.size())));
    if (hashes_.count(hash) == 0)
        return std::nullopt;
    return hash;
}

} // namespace mm::service
