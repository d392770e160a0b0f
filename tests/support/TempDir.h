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

/// Runs a shell command, capturing stdout and stderr separately. Returns the exit code.
int runCommand(const std::string& command, std::string* out = nullptr, std::string* err = nullptr);

} // namespace mm::test
