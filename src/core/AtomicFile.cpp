#include "core/AtomicFile.h"

#include "core/Errors.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

namespace mm {

std::string temporaryPathBeside(const std::string& path)
{
    std::random_device rd;
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp%08x", rd());
    return path + suffix;
}

void moveIntoPlace(const std::string& temp, const std::string& path)
{
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(temp, ec);
        throw InternalError(path + ": cannot move file into place (" + why + ")");
    }
}

void writeFileAtomically(const std::string& path, const std::string& content)
{
    const std::string temp = temporaryPathBeside(path);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw InternalError(path + ": cannot create file");
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(temp, ec);
            throw InternalError(path + ": write failed");
        }
    }
    moveIntoPlace(temp, path);
}

} // namespace mm
