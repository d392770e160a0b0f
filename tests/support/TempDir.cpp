#include "support/TempDir.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

namespace mm::test {

TempDir::TempDir()
{
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("mixmaster-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t countFilesUnder(const std::filesystem::path& dir)
{
    std::size_t n = 0;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        ++n;
    return n;
}

int runCommand(const std::string& command, std::string* out, std::string* err)
{
    TempDir dir;
    const std::string o = dir.file("out"), e = dir.file("err");
    const int status = std::system((command + " >" + o + " 2>" + e + " </dev/null").c_str());
    if (out)
        *out = readText(o);
    if (err)
        *err = readText(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace mm::test
