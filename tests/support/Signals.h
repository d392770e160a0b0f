#pragma once
// Known test signals, generated from their definitions.
#include "core/AudioBuffer.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace mm::test {

inline double dbToGain(double db) { return std::pow(10.0, db / 20.0); }

/// A sine of `freq` Hz at `dbfs` peak level in every channel (same phase), `seconds` long.
AudioBuffer sine(double sampleRate, int channels, double seconds, double freq, double dbfs, double phase = 0.0);

/// Gaussian white noise with `dbfs` RMS, independent per channel, seeded.
AudioBuffer whiteNoise(double sampleRate, int channels, double seconds, double dbfs, std::uint64_t seed);

/// Pink noise (Voss-McCartney / Kellet filter) with `dbfs` RMS, independent per channel.
AudioBuffer pinkNoise(double sampleRate, int channels, double seconds, double dbfs, std::uint64_t seed);

/// Appends `tail` to `head` (same channel count).
void append(AudioBuffer& head, const AudioBuffer& tail);

/// Writes `buffer` to `path` with libsndfile; `sfFormat` is an SF_FORMAT_* combination.
void writeFile(const std::string& path, const AudioBuffer& buffer, int sampleRate, int sfFormat);

/// Reads a whole file into memory (tests only).
AudioBuffer readFile(const std::string& path, int* sampleRate = nullptr);

} // namespace mm::test
