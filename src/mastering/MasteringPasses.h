#pragma once
// The pieces of one pass over the mix in MasteringChain (internal to src/mastering):
// streaming with latency compensation, the cached and per-render stages, and the guard
// that stops helper threads when a pass is abandoned.
#include "core/AudioBuffer.h"
#include "core/AudioSource.h"
#include "dsp/Gain.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"
#include "mastering/MasteringChain.h"
#include "mastering/MasteringSettings.h"
#include "mastering/MultibandCompressor.h"
#include "mastering/ToneMatch.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <vector>

namespace mm::detail {

inline constexpr std::size_t kPassBlock = MasteringChain::kBlock;

// Streams the mix through `pre` then `post` (in place, per block) and hands `emit`
// exactly the mix's frames, time-aligned with it: `preLatency` + `postLatency` leading
// output frames are dropped and as many zeros fed after the end. Between the two, frames
// outside the programme (the first preLatency, a linear-phase FIR's pre-ringing, and
// those after it, its tail) are zeroed: they are cut from the file anyway, and the
// limiter in `post` must see the cut, or the step it leaves at the file's ends makes
// inter-sample peaks it never measured (seen: +0.7 dB over the ceiling at the end of a
// limited fs/4 sine). Returns the number of frames emitted.
template <class Pre, class Post, class Emit>
std::int64_t streamAligned(AudioSource& source, int preLatency, int postLatency, Pre&& pre, Post&& post, Emit&& emit)
{
    const int ch = source.channels();
    AudioBuffer block(ch, kPassBlock);
    AudioBuffer out(ch, kPassBlock);
    const std::int64_t latency = preLatency + postLatency;
    std::int64_t skip = latency;
    std::int64_t zerosLeft = latency;
    std::int64_t fed = 0;          // frames fed so far
    std::int64_t end = -1;         // the mix's length once known
    std::int64_t emitted = 0;
    for (;;) {
        block.setFrames(kPassBlock);
        std::size_t n = 0;
        if (end < 0) {
            n = source.read(block);
            if (n == 0)
                end = fed;
        }
        if (end >= 0) {
            if (zerosLeft == 0)
                break;
            n = static_cast<std::size_t>(std::min<std::int64_t>(zerosLeft, static_cast<std::int64_t>(kPassBlock)));
            block.setFrames(n);
            block.clear();
            zerosLeft -= static_cast<std::int64_t>(n);
        }
        pre(block);
        // Keep only positions [preLatency, end + preLatency) of what enters `post`.
        const std::int64_t keepFrom = preLatency;
        const std::int64_t keepTo = end >= 0 ? end + preLatency : fed + static_cast<std::int64_t>(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t p = fed + static_cast<std::int64_t>(i);
            if (p < keepFrom || p >= keepTo)
                for (int c = 0; c < ch; ++c)
                    block.channel(c)[i] = 0.0f;
        }
        post(block);
        fed += static_cast<std::int64_t>(n);
        const auto drop = static_cast<std::size_t>(std::min<std::int64_t>(skip, static_cast<std::int64_t>(n)));
        skip -= static_cast<std::int64_t>(drop);
        if (drop == n)
            continue;
        out.setFrames(n - drop);
        for (int c = 0; c < ch; ++c)
            std::copy(block.channel(c) + drop, block.channel(c) + n, out.channel(c));
        emit(static_cast<const AudioBuffer&>(out));
        emitted += static_cast<std::int64_t>(n - drop);
    }
    return emitted;
}

// The stages before the gain: tone match and multiband. They do not depend on the gain
// the search varies, so they run once (in preLimiterLoudness()) and their output is kept
// in a float file beside the master, read by every render.
struct CachedStages {
    ToneMatch tone;
    MultibandCompressor multiband;

    CachedStages(const MasteringSettings& s, const ProcessSpec& spec, const std::vector<double>& curve,
                 const std::vector<double>& bandLevels)
    {
        tone.setCurve(curve);
        tone.prepare(spec);
        multiband.setSettings(s.multiband, bandLevels);
        multiband.prepare(spec);
    }
};

// The stages of one render, prepared afresh (prepare() allocates; process() doesn't).
struct RenderStages {
    StereoWidth width;
    SmoothedGain gain;
    TruePeakLimiter limiter;

    /// `samplePeakProbe`: the limiter's cheap sample-peak detector (gain-search probes only).
    RenderStages(const MasteringSettings& s, const ProcessSpec& spec, double widthFactor, double gainDb, double limiterCeilingDb,
                 bool samplePeakProbe = false)
    {
        width.prepare(spec);
        width.setParams({widthFactor, s.monoBelowHz});
        gain.prepare(spec);
        gain.setGainDb(gainDb);
        TruePeakLimiterParams lp;
        lp.ceilingDbTP = static_cast<float>(limiterCeilingDb);
        lp.lookaheadMs = static_cast<float>(s.limiter.lookaheadMs);
        lp.releaseMs = static_cast<float>(s.limiter.releaseMs);
        lp.samplePeakDetector = samplePeakProbe;
        limiter.setParams(lp);
        limiter.prepare(spec);
    }
};

// Sets `flag` when the scope is left by an exception (a cancel thrown from a progress
// callback), so that helper threads reading the same files stop at their next block
// instead of running to the end while the caller waits for them.
class RaiseOnUnwind {
public:
    explicit RaiseOnUnwind(std::atomic<bool>& flag) : flag_(flag), count_(std::uncaught_exceptions()) {}
    ~RaiseOnUnwind()
    {
        if (std::uncaught_exceptions() > count_)
            flag_.store(true);
    }
    RaiseOnUnwind(const RaiseOnUnwind&) = delete;
    RaiseOnUnwind& operator=(const RaiseOnUnwind&) = delete;

private:
    std::atomic<bool>& flag_;
    int count_;
};


} // namespace mm::detail
