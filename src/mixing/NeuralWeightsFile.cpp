#include "mixing/NeuralWeightsFile.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <zlib.h>

namespace mm {
namespace {

std::string hex32(std::uint32_t v)
{
    char s[9];
    std::snprintf(s, sizeof s, "%08x", v);
    return s;
}

/// Little-endian bytes to a value, whatever the host's byte order.
template <typename U>
U littleEndian(const unsigned char* p)
{
    U u = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i)
        u |= static_cast<U>(p[i]) << (8 * i);
    return u;
}

} // namespace

std::uint32_t NeuralWeightsFile::crc32(const unsigned char* data, std::size_t size)
{
    return static_cast<std::uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0), data, size));
}

NeuralWeightsFile NeuralWeightsFile::read(const std::string& path, std::uint64_t bytes, std::uint32_t crc)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw std::runtime_error("weights file " + path + " not found");
    const auto end = in.tellg();
    if (end < 0)
        throw std::runtime_error("weights file " + path + " cannot be read");
    const auto size = static_cast<std::uint64_t>(end);
    // Checked before reading: a wrong file is refused without reading all of it.
    if (size != bytes)
        throw std::runtime_error("weights file " + path + " holds " + std::to_string(size) + " bytes, the header says " +
                                 std::to_string(bytes) + (size < bytes ? " (truncated)" : " (another model's?)"));
    NeuralWeightsFile f;
    f.path_ = path;
    f.data_.resize(size);
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(f.data_.data()), static_cast<std::streamsize>(size)))
        throw std::runtime_error("weights file " + path + " cannot be read");
    if (const std::uint32_t got = crc32(f.data_.data(), f.data_.size()); got != crc)
        throw std::runtime_error("weights file " + path + " fails its checksum (CRC-32 " + hex32(got) + ", the header says " +
                                 hex32(crc) + "): corrupt, or another model's");
    return f;
}

std::vector<double> NeuralWeightsFile::values(std::uint64_t offset, std::uint64_t count, Type type) const
{
    const std::uint64_t width = sizeOf(type);
    if (offset > data_.size() || count > (data_.size() - offset) / width)
        throw std::runtime_error(std::to_string(count) + " values at byte " + std::to_string(offset) + " run past the end of " +
                                 path_ + " (" + std::to_string(data_.size()) + " bytes)");
    std::vector<double> out(count);
    const unsigned char* p = data_.data() + offset;
    for (std::uint64_t i = 0; i < count; ++i, p += width) {
        const double v = type == Type::Float32 ? static_cast<double>(std::bit_cast<float>(littleEndian<std::uint32_t>(p)))
                                               : std::bit_cast<double>(littleEndian<std::uint64_t>(p));
        if (!std::isfinite(v))
            throw std::runtime_error("a non-finite number at byte " + std::to_string(offset + i * width) + " of " + path_);
        out[i] = v;
    }
    return out;
}

} // namespace mm
