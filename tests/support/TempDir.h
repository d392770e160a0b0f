#pragma once
#include <filesystem>
#include <string>

namespace mm::test {

/// A fresh folder under the system temp directory, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// A file's whole content (binary-safe); "" when it cannot be read.
std::string readText(const std::string& path);
/// Entries (files and folders) below `dir`, recursively; 0 when it does not exist.
std::size_t countFilesUnder(const std::filesystem::path& dir);

/// Runs a shell command, capturing stdout and stderr separately. Returns the exit code.
int runCommand(const std::string& command, std::string* out = nullptr, std::string* err = nullptr);

} // namespace mm::test
