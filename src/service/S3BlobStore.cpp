#include "service/S3BlobStore.h"

#include "core/Errors.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace mm::service {
namespace {

std::string inputKey(const std::string& jobId, const std::string& name)
{
    return "jobs/" + jobId + "/inputs/" + name;
}

std::string outputKey(const std::string& jobId, const std::string& name)
{
    return "jobs/" + jobId + "/out/" + name;
}

} // namespace

S3BlobStore::S3BlobStore(S3Location where, fs::path scratch) : s3_(std::move(where)), local_(scratch), scratch_(std::move(scratch)) {}

fs::path S3BlobStore::createJob(const std::string& jobId)
{
    return local_.createJob(jobId);
}

fs::path S3BlobStore::inputPath(const std::string& jobId, const std::string& name) const
{
    return local_.inputPath(jobId, name);
}

fs::path S3BlobStore::outputDir(const std::string& jobId) const
{
    return local_.outputDir(jobId);
}

void S3BlobStore::remove(const std::string& jobId)
{
    local_.remove(jobId);
    if (!isSafeFileName(jobId))
        return;
    for (const auto& key : s3_.list("jobs/" + jobId + "/"))
        s3_.remove(key);
}

void S3BlobStore::commitInputs(const std::string& jobId, const std::vector<std::string>& names)
{
    for (const auto& n : names)
        s3_.put(inputKey(jobId, n), inputPath(jobId, n));
}

void S3BlobStore::fetchInputs(const std::string& jobId, const std::vector<std::string>& names)
{
    createJob(jobId);
    for (const auto& n : names)
        s3_.get(inputKey(jobId, n), inputPath(jobId, n));
}

void S3BlobStore::commitOutputs(const std::string& jobId)
{
    const fs::path dir = outputDir(jobId);
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file())
            files.push_back(it->path());
    if (ec)
        throw StorageError("cannot list the outputs of job " + jobId + ": " + ec.message());
    // report.json last: a reader that sees the report sees every file it names.
    std::stable_partition(files.begin(), files.end(), [](const fs::path& p) { return p.filename() != "report.json"; });
    for (const auto& f : files)
        s3_.put(outputKey(jobId, fs::relative(f, dir).generic_string()), f);
}

void S3BlobStore::releaseLocal(const std::string& jobId)
{
    local_.remove(jobId);
}

std::optional<std::uint64_t> S3BlobStore::outputSize(const std::string& jobId, const std::string& name)
{
    if (!isSafeFileName(name))
        return std::nullopt;
    return s3_.size(outputKey(jobId, name));
}

std::size_t S3BlobStore::readOutput(const std::string& jobId, const std::string& name, std::uint64_t offset, char* buf,
                                    std::size_t size)
{
    if (!isSafeFileName(name))
        return 0;
    return s3_.getRange(outputKey(jobId, name), offset, buf, size);
}

std::optional<std::string> S3BlobStore::presignedUrl(const std::string& jobId, const std::string& name, int seconds)
{
    if (!isSafeFileName(name))
        return std::nullopt;
    return s3_.presignGet(outputKey(jobId, name), seconds);
}

} // namespace mm::service
