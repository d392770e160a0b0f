#include "core/AtomicFile.h"

#include "core/Errors.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

namespace mm {

void writeFileAtomically(const std::string& path, const std::string& content)
{
    std::random_device rd;
    const std::string temp = path + ".tmp" + std::to_string(rd());
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
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(temp, ec);
        throw InternalError(path + ": cannot move file into place (" + why + ")");
    }
}

} // namespace mm
