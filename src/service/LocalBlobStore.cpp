#include "service/BlobStore.h"

#include "core/Errors.h"

#include <algorithm>
#include <fstream>

namespace fs = std::filesystem;

namespace mm::service {

bool isSafeFileName(const std::string& name)
{
    if (name.empty() || name.size() > 200 || name.front() == '.' || name.find("..") != std::string::npos)
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
    });
}

LocalBlobStore::LocalBlobStore(fs::path root) : root_(std::move(root))
{
    std::error_code ec;
    fs::create_directories(root_ / "jobs", ec);
    if (ec)
        throw InternalError("cannot create the data folder " + (root_ / "jobs").string() + ": " + ec.message());
}

fs::path LocalBlobStore::jobDir(const std::string& jobId) const
{
    if (!isSafeFileName(jobId))
        throw InternalError("bad job id");
    return root_ / "jobs" / jobId;
}

fs::path LocalBlobStore::createJob(const std::string& jobId)
{
    const fs::path dir = jobDir(jobId);
    std::error_code ec;
    fs::create_directories(dir / "inputs", ec);
    if (!ec)
        fs::create_directories(dir / "out", ec);
    if (ec)
        throw InternalError("cannot create " + dir.string() + ": " + ec.message());
    return dir / "inputs";
}

fs::path LocalBlobStore::inputPath(const std::string& jobId, const std::string& name) const
{
    if (!isSafeFileName(name))
        throw InputError("unsafe file name");
    return jobDir(jobId) / "inputs" / name;
}

fs::path LocalBlobStore::outputDir(const std::string& jobId) const
{
    return jobDir(jobId) / "out";
}

void LocalBlobStore::remove(const std::string& jobId)
{
    std::error_code ec;
    fs::remove_all(jobDir(jobId), ec);
}

std::optional<std::uint64_t> LocalBlobStore::outputSize(const std::string& jobId, const std::string& name)
{
    if (!isSafeFileName(name))
        return std::nullopt;
    std::error_code ec;
    const auto size = fs::file_size(outputDir(jobId) / name, ec);
    if (ec)
        return std::nullopt;
    return size;
}

std::size_t LocalBlobStore::readOutput(const std::string& jobId, const std::string& name, std::uint64_t offset, char* buf,
                                       std::size_t size)
{
    if (!isSafeFileName(name))
        return 0;
    std::ifstream in(outputDir(jobId) / name, std::ios::binary);
    if (!in)
        throw StorageError(name + " cannot be read");
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(buf, static_cast<std::streamsize>(size));
    const auto got = in.gcount();
    return got > 0 ? static_cast<std::size_t>(got) : 0;
}

} // namespace mm::service
