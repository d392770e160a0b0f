#include "service/ReferenceFetch.h"

#include "mixmaster/Version.h"
#include "service/ApiError.h"
#include "service/BlobStore.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>

namespace mm::service {
namespace {

// Redirects followed (each to the same host) before giving up.
constexpr int kMaxRedirects = 5;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string megabytes(std::size_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

void initCurl()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlParts {
    std::string scheme, host, path;
};

/// Parsed with libcurl's own URL parser, so the host checked is the host curl connects to.
std::optional<UrlParts> parseUrl(const std::string& url)
{
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return std::nullopt;
    UrlParts parts;
    const auto get = [&](CURLUPart what, std::string& into) {
        char* s = nullptr;
        if (curl_url_get(u.get(), what, &s, 0) != CURLUE_OK)
            return false;
        into = s;
        curl_free(s);
        return true;
    };
    if (!get(CURLUPART_SCHEME, parts.scheme) || !get(CURLUPART_HOST, parts.host))
        return std::nullopt;
    get(CURLUPART_PATH, parts.path);
    parts.scheme = lower(parts.scheme);
    parts.host = lower(parts.host);
    return parts;
}

struct Sink {
    std::ofstream out;
    std::size_t bytes = 0, maxBytes = 0;
    bool tooLarge = false;
};

std::size_t onData(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* sink = static_cast<Sink*>(user);
    const std::size_t n = size * count;
    sink->bytes += n;
    if (sink->bytes > sink->maxBytes) {
        sink->tooLarge = true;
        return 0; // aborts the transfer (CURLE_WRITE_ERROR)
    }
    return sink->out.write(data, static_cast<std::streamsize>(n)) ? n : 0;
}

[[noreturn]] void refuse(int status, const char* code, const std::string& message)
{
    throw ApiError(status, code, message);
}

void fetchOnce(const std::string& url, const std::string& allowedHost, const ReferenceFetchLimits& limits,
               const std::filesystem::path& out, std::chrono::steady_clock::time_point deadline, int redirectsLeft)
{
    const auto parts = parseUrl(url);
    if (!parts)
        refuse(422, "bad_reference_url", "options.reference_track_url is not a valid URL");
    if (parts->scheme != "https")
        refuse(422, "reference_url_not_https", "options.reference_track_url must be an https:// URL; or upload the file as a `reference` part");
    if (parts->host != allowedHost)
        refuse(422, "reference_redirect_refused", "the reference URL redirects to another host (" + parts->host +
                                                      "); only redirects within " + allowedHost + " are followed");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0)
        refuse(422, "reference_fetch_failed", "fetching the reference took longer than " + std::to_string(limits.timeoutSeconds) + " s");

    Sink sink;
    sink.maxBytes = limits.maxBytes;
    sink.out.open(out, std::ios::binary | std::ios::trunc);
    if (!sink.out)
        refuse(500, "storage_error", "cannot store the reference track");
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        refuse(500, "internal_error", "cannot start an HTTP client");
    CURL* h = curl.get();
    char errbuf[CURL_ERROR_SIZE] = {0};
    const std::string agent = std::string("MixMaster/") + kVersion;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); // redirects are checked here, one by one
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(left));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(static_cast<long>(left), 10000L));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.maxBytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onData);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, agent.c_str());
    if (!limits.caFile.empty())
        curl_easy_setopt(h, CURLOPT_CAINFO, limits.caFile.c_str());
    const CURLcode rc = curl_easy_perform(h);
    sink.out.close();
    const std::string limit = megabytes(limits.maxBytes);
    if (sink.tooLarge || rc == CURLE_FILESIZE_EXCEEDED)
        refuse(413, "reference_too_large", "the reference track is larger than the limit of " + limit + " for fetched references");
    if (rc == CURLE_OPERATION_TIMEDOUT)
        refuse(422, "reference_fetch_failed", "fetching the reference took longer than " + std::to_string(limits.timeoutSeconds) + " s");
    if (rc != CURLE_OK)
        refuse(422, "reference_fetch_failed", std::string("cannot fetch the reference track: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 300 && code < 400) {
        char* next = nullptr;
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next);
        if (!next)
            refuse(422, "reference_fetch_failed", "the reference URL answered HTTP " + std::to_string(code) + " without a Location");
        if (redirectsLeft <= 0)
            refuse(422, "reference_fetch_failed", "the reference URL redirects more than " + std::to_string(kMaxRedirects) + " times");
        const std::string target = next; // copied before the handle goes
        curl.reset();
        return fetchOnce(target, allowedHost, limits, out, deadline, redirectsLeft - 1);
    }
    if (code < 200 || code >= 300)
        refuse(422, "reference_fetch_failed", "the reference URL answered HTTP " + std::to_string(code));
}

} // namespace

std::vector<std::string> parseHostList(const std::string& text)
{
    std::vector<std::string> hosts;
    std::string cur;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ',' || std::isspace(static_cast<unsigned char>(text[i]))) {
            if (!cur.empty())
                hosts.push_back(lower(cur));
            cur.clear();
        } else {
            cur += text[i];
        }
    }
    return hosts;
}

std::string urlExtension(const std::string& url)
{
    const auto parts = parseUrl(url);
    if (!parts)
        return "";
    const auto slash = parts->path.rfind('/');
    const std::string file = slash == std::string::npos ? parts->path : parts->path.substr(slash + 1);
    const auto dot = file.rfind('.');
    if (dot == std::string::npos)
        return "";
    const std::string ext = lower(file.substr(dot));
    return ext.size() <= 6 && isSafeFileName("x" + ext) ? ext : "";
}

void fetchReference(const std::string& url, const ReferenceFetchLimits& limits, const std::filesystem::path& out)
{
    if (limits.hosts.empty())
        refuse(422, "reference_url_not_allowed",
               "this server fetches no reference URLs; upload the reference track as a `reference` file part");
    const auto parts = parseUrl(url);
    if (!parts)
        refuse(422, "bad_reference_url", "options.reference_track_url is not a valid URL");
    if (parts->scheme != "https")
        refuse(422, "reference_url_not_https", "options.reference_track_url must be an https:// URL; or upload the file as a `reference` part");
    if (std::find(limits.hosts.begin(), limits.hosts.end(), parts->host) == limits.hosts.end())
        refuse(422, "reference_host_not_allowed",
               "this server fetches references only from its allowed hosts, and " + parts->host +
                   " is not one of them; upload the file as a `reference` part instead");
    initCurl();
    try {
        fetchOnce(url, parts->host, limits, out, std::chrono::steady_clock::now() + std::chrono::seconds(limits.timeoutSeconds), kMaxRedirects);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(out, ec);
        throw;
    }
}

} // namespace mm::service
