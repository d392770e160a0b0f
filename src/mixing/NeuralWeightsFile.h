#pragma once
// The neural model's binary weights file (models/mix_policy.weights, written by
// training/model_file.py; format in docs/ENGINE.md "Model file"): the tensors' values back to
// back, little-endian IEEE-754 float32 or float64, no padding. The JSON header names the file,
// its byte size and CRC-32 (zlib's, as Python's zlib.crc32), and where each tensor lies.
#include <cstdint>
#include <string>
#include <vector>

namespace mm {

class NeuralWeightsFile {
public:
    enum class Type { Float32, Float64 };

    /// Reads the whole file and checks it against the header's byte size and CRC-32. Throws
    /// std::runtime_error naming the file and what is wrong (missing, truncated or longer,
    /// corrupt or another model's); NeuralModel::load turns it into an InputError.
    static NeuralWeightsFile read(const std::string& path, std::uint64_t bytes, std::uint32_t crc32);

    /// The CRC-32 of `size` bytes (zlib's crc32: the header's `weights.crc32`).
    static std::uint32_t crc32(const unsigned char* data, std::size_t size);

    /// `count` values of `type` from byte `offset` on, widened to double. Throws
    /// std::runtime_error if they do not lie inside the file or one is not finite.
    std::vector<double> values(std::uint64_t offset, std::uint64_t count, Type type) const;

    static std::uint64_t sizeOf(Type type) { return type == Type::Float32 ? 4 : 8; }
    std::uint64_t size() const { return data_.size(); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::vector<unsigned char> data_;
};

} // namespace mm
