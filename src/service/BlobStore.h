#pragma once
// Where a job's files live: its uploads (stems, reference) and its outputs (mix, master,
// preview, report). The embedded backend is a local folder (LocalBlobStore); the interface
// is small so an object store can stand behind it.
#include <filesystem>
#include <string>

namespace mm::service {

class BlobStore {
public:
    virtual ~BlobStore() = default;
    /// Creates the job's folders; returns its input folder.
    virtual std::filesystem::path createJob(const std::string& jobId) = 0;
    /// An uploaded file, by its sanitised name (see isSafeFileName).
    virtual std::filesystem::path inputPath(const std::string& jobId, const std::string& name) const = 0;
    /// The folder the pipeline writes into.
    virtual std::filesystem::path outputDir(const std::string& jobId) const = 0;
    /// Removes everything of the job; no error when it is already gone.
    virtual void remove(const std::string& jobId) = 0;
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

private:
    std::filesystem::path jobDir(const std::string& jobId) const;
    std::filesystem::path root_;
};

} // namespace mm::service
