#include "service/S3Client.h"

#include "core/Errors.h"
#include "service/BlobStore.h"

#include <curl/curl.h>

#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace mm::service {
namespace {

// A dead endpoint fails fast; a stalled transfer (under 1 byte/s for 30 s) is abandoned.
constexpr long kConnectTimeoutS = 3;
constexpr long kStallSeconds = 30;
// Transient failures (connection, 5xx) are retried this often inside one call, 200 ms apart;
// longer outages are the job queue's business (the job is retried later).
constexpr int kTries = 2;

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string envOr(const char* name, const char* fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

std::string queryParam(const std::string& query, const std::string& key)
{
    std::size_t pos = 0;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        if (amp == std::string::npos)
            amp = query.size();
        const std::string kv = query.substr(pos, amp - pos);
        const auto eq = kv.find('=');
        if (kv.substr(0, eq) == key)
            return eq == std::string::npos ? "" : kv.substr(eq + 1);
        pos = amp + 1;
    }
    return "";
}

struct Response {
    long status = 0;
    std::string body;       ///< error bodies and listings (small)
    CURLcode code = CURLE_OK;
    std::string error;
    curl_off_t contentLength = -1;
};

struct Request {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;
    std::FILE* upload = nullptr;
    curl_off_t uploadSize = 0;
    std::ostream* sink = nullptr;   ///< 2xx body goes here when set
    char* buf = nullptr;            ///< or here, up to bufSize
    std::size_t bufSize = 0, bufUsed = 0;
};

struct Transfer {
    Request* req;
    Response* res;
    CURL* curl;
};

std::size_t onWrite(char* data, std::size_t, std::size_t n, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
        if (t->req->sink) {
            t->req->sink->write(data, static_cast<std::streamsize>(n));
            return *t->req->sink ? n : 0;
        }
        if (t->req->buf) {
            const std::size_t take = std::min(n, t->req->bufSize - t->req->bufUsed);
            std::copy(data, data + take, t->req->buf + t->req->bufUsed);
            t->req->bufUsed += take;
            return n;
        }
    }
    if (t->res->body.size() < (1u << 20))
        t->res->body.append(data, n);
    return n;
}

Response perform(const S3Location& where, Request& req)
{
    initCurlOnce();
    Response res;
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        throw StorageError("cannot start an HTTP request (curl)");
    CURL* c = curl.get();
    Transfer t{&req, &res, c};
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutS);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, kStallSeconds);
    const std::string sigv4 = "aws:amz:" + where.region + ":s3";
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, where.accessKey.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, where.secretKey.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onWrite);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    // curl signs but does not send the payload hash S3 requires; streamed bodies go unsigned.
    curl_slist* headers = curl_slist_append(nullptr, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    for (const auto& h : req.headers)
        headers = curl_slist_append(headers, h.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (req.method == "PUT") {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READDATA, req.upload);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, req.uploadSize);
    } else if (req.method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req.method != "GET") {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    res.code = curl_easy_perform(c);
    curl_slist_free_all(headers);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &res.contentLength);
    if (res.code != CURLE_OK)
        res.error = errbuf[0] ? errbuf : curl_easy_strerror(res.code);
    return res;
}

bool transient(const Response& r)
{
    return r.code != CURLE_OK || r.status >= 500;
}

/// The S3 error's <Code> and <Message>, else the start of the body.
std::string describe(const Response& r)
{
    if (r.code != CURLE_OK)
        return r.error;
    const auto tag = [&](const std::string& name) {
        const auto a = r.body.find("<" + name + ">");
        const auto b = r.body.find("</" + name + ">");
        return a != std::string::npos && b != std::string::npos && b > a ? r.body.substr(a + name.size() + 2, b - a - name.size() - 2)
                                                                         : std::string();
    };
    std::string what = "HTTP " + std::to_string(r.status);
    if (const auto code = tag("Code"); !code.empty())
        what += " " + code;
    if (const auto msg = tag("Message"); !msg.empty())
        what += ": " + msg;
    return what;
}

} // namespace

S3Location parseS3Url(const std::string& url)
{
    if (url.rfind("s3://", 0) != 0)
        throw InputError("storage URL `" + url + "` is not s3://BUCKET[/PREFIX]?endpoint=URL");
    std::string rest = url.substr(5), query;
    if (const auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest.resize(q);
    }
    S3Location l;
    const auto slash = rest.find('/');
    l.bucket = rest.substr(0, slash);
    if (slash != std::string::npos) {
        l.prefix = rest.substr(slash + 1);
        if (!l.prefix.empty() && l.prefix.back() != '/')
            l.prefix += '/';
    }
    if (l.bucket.size() < 3 || l.bucket.size() > 63 || l.bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
        throw InputError("storage URL `" + url + "`: bucket name must be 3-63 lowercase letters, digits, '.' or '-'");
    l.endpoint = queryParam(query, "endpoint");
    while (!l.endpoint.empty() && l.endpoint.back() == '/')
        l.endpoint.pop_back();
    if (!l.endpoint.empty() && l.endpoint.rfind("http://", 0) != 0 && l.endpoint.rfind("https://", 0) != 0)
        throw InputError("storage URL `" + url + "`: endpoint must start with http:// or https://");
    if (const auto r = queryParam(query, "region"); !r.empty())
        l.region = r;
    else
        l.region = envOr("AWS_REGION", "us-east-1");
    l.accessKey = envOr("AWS_ACCESS_KEY_ID", "");
    l.secretKey = envOr("AWS_SECRET_ACCESS_KEY", "");
    if (l.accessKey.empty() || l.secretKey.empty())
        throw InputError("S3 storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
    return l;
}

S3Client::S3Client(S3Location where) : where_(std::move(where)) {}

std::string S3Client::objectUrl(const std::string& key, const std::string& query) const
{
    const std::string path = s3Encode(where_.prefix + key, true);
    std::string url = where_.endpoint.empty() ? "https://" + awsHost() + "/" + path
                                              : where_.endpoint + "/" + where_.bucket + "/" + path;
    return query.empty() ? url : url + "?" + query;
}

void S3Client::put(const std::string& key, const fs::path& file)
{
    std::error_code ec;
    const auto bytes = fs::file_size(file, ec);
    if (ec)
        throw StorageError("cannot read " + file.filename().string() + " to store it: " + ec.message());
    for (int attempt = 1;; ++attempt) {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), std::fclose);
        if (!in)
            throw StorageError("cannot open " + file.filename().string() + " to store it");
        Request req;
        req.method = "PUT";
        req.url = objectUrl(key);
        req.upload = in.get();
        req.uploadSize = static_cast<curl_off_t>(bytes);
        const Response r = perform(where_, req);
        if (r.code == CURLE_OK && r.status >= 200 && r.status < 300)
            return;
        if (!transient(r) || attempt >= kTries)
            throw StorageError("object storage: cannot store " + key + ": " + describe(r));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void S3Client::get(const std::string& key, const fs::path& file)
{
    const fs::path part = file.string() + ".part";
    for (int attempt = 1;; ++attempt) {
        Response r;
        {
            std::ofstream out(part, std::ios::binary | std::ios::trunc);
            if (!out)
                throw StorageError("cannot write " + part.string());
            Request req;
            req.url = objectUrl(key);
            req.sink = &out;
            r = perform(where_, req);
            out.close();
            if (r.code == CURLE_OK && r.status == 200 && out) {
                std::error_code ec;
                fs::rename(part, file, ec);
                if (ec)
                    throw StorageError("cannot write " + file.string() + ": " + ec.message());
                return;
            }
        }
        std::error_code ec;
        fs::remove(part, ec);
        if (!transient(r) || attempt >= kTries)
            throw StorageError("object storage: cannot fetch " + key + ": " + describe(r));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

std::size_t S3Client::getRange(const std::string& key, std::uint64_t offset, char* buf, std::size_t size)
{
    if (size == 0)
        return 0;
    Request req;
    req.url = objectUrl(key);
    req.headers.push_back("Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + size - 1));
    req.buf = buf;
    req.bufSize = size;
    const Response r = perform(where_, req);
    if (r.code == CURLE_OK && (r.status == 206 || r.status == 200)) {
        if (r.status == 200 && offset > 0) // a server that ignores Range: only the start is usable
            throw StorageError("object storage ignored a Range request for " + key);
        return req.bufUsed;
    }
    if (r.code == CURLE_OK && r.status == 416)
        return 0;
    throw StorageError("object storage: cannot read " + key + ": " + describe(r));
}

std::optional<std::uint64_t> S3Client::size(const std::string& key)
{
    for (int attempt = 1;; ++attempt) {
        Request req;
        req.method = "HEAD";
        req.url = objectUrl(key);
        const Response r = perform(where_, req);
        if (r.code == CURLE_OK && r.status == 404)
            return std::nullopt;
        if (r.code == CURLE_OK && r.status == 200 && r.contentLength >= 0)
            return static_cast<std::uint64_t>(r.contentLength);
        if (!transient(r) || attempt >= kTries)
            throw StorageError("object storage: cannot look up " + key + ": " + describe(r));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void S3Client::remove(const std::string& key)
{
    for (int attempt = 1;; ++attempt) {
        Request req;
        req.method = "DELETE";
        req.url = objectUrl(key);
        const Response r = perform(where_, req);
        if (r.code == CURLE_OK && ((r.status >= 200 && r.status < 300) || r.status == 404))
            return;
        if (!transient(r) || attempt >= kTries)
            throw StorageError("object storage: cannot delete " + key + ": " + describe(r));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

std::vector<std::string> S3Client::list(const std::string& prefix)
{
    std::vector<std::string> keys;
    std::string token;
    for (;;) {
        // Signed as sent: parameters sorted by name, values percent-encoded.
        std::string query;
        if (!token.empty())
            query += "continuation-token=" + s3Encode(token, false) + "&";
        query += "list-type=2&prefix=" + s3Encode(where_.prefix + prefix, false);
        Request req;
        req.url = (where_.endpoint.empty() ? "https://" + awsHost() + "/"
                                           : where_.endpoint + "/" + where_.bucket + "/") + "?" + query;
        Response r = perform(where_, req);
        if (r.code != CURLE_OK || r.status != 200)
            throw StorageError("object storage: cannot list " + prefix + ": " + describe(r));
        for (std::size_t pos = 0;;) {
            const auto a = r.body.find("<Key>", pos);
            if (a == std::string::npos)
                break;
            const auto b = r.body.find("</Key>", a);
            if (b == std::string::npos)
                break;
            std::string key = r.body.substr(a + 5, b - a - 5);
            for (const auto& [esc, ch] : {std::pair<const char*, const char*>{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}})
                for (std::size_t at; (at = key.find(esc)) != std::string::npos;)
                    key.replace(at, std::strlen(esc), ch);
            if (key.rfind(where_.prefix, 0) == 0)
                keys.push_back(key.substr(where_.prefix.size()));
            pos = b;
        }
        const auto t = r.body.find("<NextContinuationToken>");
        if (r.body.find("<IsTruncated>true</IsTruncated>") == std::string::npos || t == std::string::npos)
            break;
        const auto e = r.body.find("</NextContinuationToken>", t);
        token = r.body.substr(t + 23, e - t - 23);
    }
    return keys;
}

std::string S3Client::awsHost() const
{
    return where_.region == "us-east-1" ? where_.bucket + ".s3.amazonaws.com" : where_.bucket + ".s3." + where_.region + ".amazonaws.com";
}

std::string S3Client::presignGet(const std::string& key, int seconds, std::time_t now) const
{
    // Path-style under an endpoint, virtual-host style on AWS, as objectUrl.
    const std::string base = where_.endpoint.empty() ? "https://" + awsHost() : where_.endpoint;
    const std::string path = (where_.endpoint.empty() ? "/" : "/" + where_.bucket + "/") + s3Encode(where_.prefix + key, true);
    return presignGetUrl(base, path, {where_.region, where_.accessKey, where_.secretKey}, seconds, now);
}

} // namespace mm::service
