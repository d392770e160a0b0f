#pragma once
// Helpers shared by the mastering tests: run a processor over a whole buffer in blocks,
// with its latency dropped, and analyse a buffer in blocks.
#include "analysis/Analyzer.h"
#include "core/AudioBuffer.h"
#include "dsp/Processor.h"

#include <algorithm>
#include <cstddef>

namespace mm::test {

/// `in` through `p` (prepared for in.channels()) in blocks of `block`, `latency` leading
/// output samples dropped and the tail flushed with zeros: same length, time-aligned.
inline AudioBuffer runAligned(Processor& p, const AudioBuffer& in, int latency, std::size_t block = 4096)
{
    const std::size_t total = in.frames() + static_cast<std::size_t>(latency);
    AudioBuffer out(in.channels(), in.frames());
    AudioBuffer chunk(in.channels(), block);
    for (std::size_t pos = 0; pos < total; pos += block) {
        const std::size_t n = std::min(block, total - pos);
        chunk.setFrames(n);
        chunk.clear();
        for (int c = 0; c < in.channels(); ++c)
            if (pos < in.frames())
                std::copy_n(in.channel(c) + pos, std::min(n, in.frames() - pos), chunk.channel(c));
        p.process(chunk);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t t = pos + i;
            if (t < static_cast<std::size_t>(latency))
                continue;
            for (int c = 0; c < in.channels(); ++c)
                out.channel(c)[t - static_cast<std::size_t>(latency)] = chunk.channel(c)[i];
        }
    }
    return out;
}

inline AudioMetrics analyse(const AudioBuffer& b, double fs, bool truePeak = false)
{
    AnalyzerOptions o;
    o.truePeak = truePeak;
    Analyzer a(fs, b.channels(), o);
    AudioBuffer chunk(b.channels(), 4096);
    for (std::size_t pos = 0; pos < b.frames(); pos += 4096) {
        const std::size_t n = std::min<std::size_t>(4096, b.frames() - pos);
        chunk.setFrames(n);
        for (int c = 0; c < b.channels(); ++c)
            std::copy_n(b.channel(c) + pos, n, chunk.channel(c));
        a.process(chunk);
    }
    return a.finish();
}

} // namespace mm::test
