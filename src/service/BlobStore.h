#pragma once
// Where a job's files live: its uploads (stems, reference) and its outputs (mix, master,
// preview, report). The pipeline reads and writes local files, so every backend works
// through a local folder per job: the embedded LocalBlobStore *is* that folder; an object
// store (S3BlobStore) copies inputs and outputs between the folder and the bucket at the
// hand-over points (commit after an upload, fetch before a run, commit after a run).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mm::service {

/// The storage backend cannot be reached or refused a request: worth retrying later.
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class BlobStore {
public:
    virtual ~BlobStore() = default;
    /// Creates the job's local folders; returns its input folder.
    virtual std::filesystem::path createJob(const std::string& jobId) = 0;
    /// An uploaded file's local path, by its sanitised name (see isSafeFileName).
    virtual std::filesystem::path inputPath(const std::string& jobId, const std::string& name) const = 0;
    /// The local folder the pipeline writes into.
    virtual std::filesystem::path outputDir(const std::string& jobId) const = 0;
    /// Removes everything of the job, stored and local; no error when it is already gone.
    virtual void remove(const std::string& jobId) = 0;

    /// After an accepted upload: stores the named input files durably. StorageError.
    virtual void commitInputs(const std::string& /*jobId*/, const std::vector<std::string>& /*names*/) {}
    /// Before a run, on any machine: the named inputs at inputPath(). StorageError.
    virtual void fetchInputs(const std::string& /*jobId*/, const std::vector<std::string>& /*names*/) {}
    /// After a run: stores every file of outputDir(). StorageError.
    virtual void commitOutputs(const std::string& /*jobId*/) {}
    /// Drops this machine's working copies of the job (not the stored files).
    virtual void releaseLocal(const std::string& /*jobId*/) {}

    /// A stored output's size in bytes; nullopt when it does not exist. StorageError.
    virtual std::optional<std::uint64_t> outputSize(const std::string& jobId, const std::string& name) = 0;
    /// Reads up to `size` bytes of a stored output from `offset` into `buf`; returns the
    /// bytes read (0 past the end). StorageError.
    virtual std::size_t readOutput(const std::string& jobId, const std::string& name, std::uint64_t offset, char* buf,
                                   std::size_t size) = 0;
    /// A time-limited URL a client can download the output from directly; nullopt when
    /// the backend has none (then the server streams it).
    virtual std::optional<std::string> presignedUrl(const std::string& /*jobId*/, const std::string& /*name*/, int /*seconds*/)
    {
        return std::nullopt;
    }
};

/// A plain file name: 1..200 bytes, no '/', '\\', NUL or control characters, not "." or
/// "..", no leading '.', no "..". Upload part names must pass it before they touch disk.
bool isSafeFileName(const std::string& name);

class LocalBlobStore final : public BlobStore {
public:
    explicit LocalBlobStore(std::filesystem::path root);
    std::filesystem::path createJob(const std::string& jobId) override;
    std::filesystem::path inputPath(const std::string& jobId, const std::string& name) const override;
    std::filesystem::path outputDir(const std::string& jobId) const override;
    void remove(const std::string& jobId) override;
    std::optional<std::uint64_t> outputSize(const std::string& jobId, const std::string& name) override;
    std::size_t readOutput(const std::string& jobId, const std::string& name, std::uint64_t offset, char* buf,
                           std::size_t size) override;

private:
    std::filesystem::path jobDir(const std::string& jobId) const;
    std::filesystem::path root_;
};

} // namespace mm::service
