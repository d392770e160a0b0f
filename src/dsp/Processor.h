#pragma once
// The shape every DSP processor shares: prepare() allocates for the largest block,
// process() works in place on a planar block without allocating, locking, throwing or
// doing I/O, reset() clears state. Processors carry state, so they are not copyable.
#include "core/AudioBuffer.h"

#include <cstddef>

namespace mm {

struct ProcessSpec {
    double sampleRate = 48000.0;
    int channels = 2;
    std::size_t maxBlock = 4096;
};

class Processor {
public:
    Processor() = default;
    virtual ~Processor() = default;
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    virtual void prepare(const ProcessSpec& spec) = 0;
    /// Processes block.frames() frames in place; block.frames() ≤ spec.maxBlock.
    virtual void process(AudioBuffer& block) noexcept = 0;
    virtual void reset() noexcept = 0;
};

} // namespace mm
