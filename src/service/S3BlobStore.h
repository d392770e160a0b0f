#pragma once
// Job files in an S3-compatible bucket (AWS, MinIO): jobs/<id>/inputs/<name> and
// jobs/<id>/out/<name>. The pipeline works on a local scratch copy of the job
// (<scratch>/jobs/<id>/…, the layout of LocalBlobStore) that commit/fetch copy to and
// from the bucket; a PUT appears whole or not at all, so a killed worker leaves no
// half-written object, and the job's row only says "succeeded" after every output is in.
#include "service/BlobStore.h"
#include "service/S3Client.h"

namespace mm::service {

class S3BlobStore final : public BlobStore {
public:
    S3BlobStore(S3Location where, std::filesystem::path scratch);
    std::filesystem::path createJob(const std::string& jobId) override;
    std::filesystem::path inputPath(const std::string& jobId, const std::string& name) const override;
    std::filesystem::path outputDir(const std::string& jobId) const override;
    void remove(const std::string& jobId) override;
    void commitInputs(const std::string& jobId, const std::vector<std::string>& names) override;
    void fetchInputs(const std::string& jobId, const std::vector<std::string>& names) override;
    void commitOutputs(const std::string& jobId) override;
    void releaseLocal(const std::string& jobId) override;
    std::optional<std::uint64_t> outputSize(const std::string& jobId, const std::string& name) override;
    std::size_t readOutput(const std::string& jobId, const std::string& name, std::uint64_t offset, char* buf,
                           std::size_t size) override;
    std::optional<std::string> presignedUrl(const std::string& jobId, const std::string& name, int seconds) override;

private:
    S3Client s3_;
    LocalBlobStore local_;
    std::filesystem::path scratch_;
};

} // namespace mm::service
