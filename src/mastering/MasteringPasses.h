#pragma once
// The pieces of one pass over the mix in MasteringChain (internal to src/mastering):
// streaming with latency compensation, the cached and per-render stages, and the guard
// that stops helper threads when a pass is abandoned.
#include "core/AudioBuffer.h"
#include "core/AudioSource.h"
#include "core/ThreadPool.h"
#include "dsp/Gain.h"
#include "dsp/StereoWidth.h"
#include "dsp/TruePeakLimiter.h"
#include "mastering/MasteringChain.h"
#include "mastering/MasteringSettings.h"
#include "mastering/MultibandCompressor.h"
#include "mastering/ToneMatch.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <vector>

namespace mm::detail {

inline constexpr std::size_t kPassBlock = MasteringChain::kBlock;

// Streams the mix through `pre1`, `pre2` then the post stage (in place, per block) and
// hands `emit` exactly the mix's frames, time-aligned with it: `preLatency` +
// `postLatency` leading output frames are dropped and as many zeros fed after the end.
// Between `pre2` and the post stage, frames outside the programme (the first preLatency,
// a linear-phase FIR's pre-ringing, and those after it, its tail) are zeroed: they are
// cut from the file anyway, and the limiter in the post stage must see the cut, or the
// step it leaves at the file's ends makes inter-sample peaks it never measured (seen:
// +0.7 dB over the ceiling at the end of a limited fs/4 sine). The post stage is
// `postPart(i, block)` for each i < postParts (independent of one another: the limiter's
// detector per channel), then `postJoin(block)`. Returns the number of frames emitted.
//
// With a pool, the pass is a four-stage pipeline over rotating buffers: block k is read
// and goes through `pre1` while block k − 1 goes through `pre2` and the cut, the parts of
// block k − 2 run side by side, and block k − 3 is joined and emitted. Each stage sees its
// blocks in order, one at a time, so every processor's output is what a block-by-block
// loop gives (bit-identical). Without a pool (passes that already run beside each other)
// the stages run one after another. Blocks of `blockFrames` (the processors must be
// prepared for them).
template <class Pre1, class Pre2, class PostPart, class PostJoin, class Emit>
std::int64_t streamAligned(AudioSource& source, int preLatency, int postLatency, Pre1&& pre1, Pre2&& pre2, std::size_t postParts,
                           PostPart&& postPart, PostJoin&& postJoin, Emit&& emit, ThreadPool* pool,
                           std::size_t blockFrames = kPassBlock)
{
    const int ch = source.channels();
    struct Slot {
        AudioBuffer block;
        std::int64_t pos = 0;    // stream position of the block's first frame
        std::int64_t keepTo = 0; // frames at or after this are cut (see above)
        bool live = false;
    };
    constexpr std::size_t kSlots = 4;
    std::array<Slot, kSlots> slots;
    for (auto& s : slots)
        s.block.resize(ch, blockFrames);
    AudioBuffer out(ch, blockFrames);
    const std::int64_t latency = preLatency + postLatency;
    std::int64_t skip = latency;
    std::int64_t zerosLeft = latency;
    std::int64_t fed = 0;          // frames read (or zero-fed) so far
    std::int64_t end = -1;         // the mix's length once known
    std::int64_t emitted = 0;
    bool inputDone = false;

    const auto readNext = [&](Slot& s) {
        s.live = false;
        if (inputDone)
            return;
        AudioBuffer& block = s.block;
        block.setFrames(blockFrames);
        std::size_t n = 0;
        if (end < 0) {
            n = source.read(block);
            if (n == 0)
                end = fed;
        }
        if (end >= 0) {
            if (zerosLeft == 0) {
                inputDone = true;
                return;
            }
            n = static_cast<std::size_t>(std::min<std::int64_t>(zerosLeft, static_cast<std::int64_t>(blockFrames)));
            block.setFrames(n);
            block.clear();
            zerosLeft -= static_cast<std::int64_t>(n);
        }
        s.pos = fed;
        s.keepTo = end >= 0 ? end + preLatency : fed + static_cast<std::int64_t>(n);
        s.live = true;
        fed += static_cast<std::int64_t>(n);
        pre1(block);
    };
    const auto cut = [&](Slot& s) {
        if (!s.live)
            return;
        AudioBuffer& block = s.block;
        pre2(block);
        // Keep only positions [preLatency, keepTo) of what enters the post stage.
        for (std::size_t i = 0; i < block.frames(); ++i) {
            const std::int64_t p = s.pos + static_cast<std::int64_t>(i);
            if (p < preLatency || p >= s.keepTo)
                for (int c = 0; c < ch; ++c)
                    block.channel(c)[i] = 0.0f;
        }
    };
    const auto part = [&](Slot& s, std::size_t i) {
        if (s.live)
            postPart(i, s.block);
    };
    const auto finish = [&](Slot& s) {
        if (!s.live)
            return;
        postJoin(s.block);
        const std::size_t n = s.block.frames();
        const auto drop = static_cast<std::size_t>(std::min<std::int64_t>(skip, static_cast<std::int64_t>(n)));
        skip -= static_cast<std::int64_t>(drop);
        if (drop == n)
            return;
        out.setFrames(n - drop);
        for (int c = 0; c < ch; ++c)
            std::copy(s.block.channel(c) + drop, s.block.channel(c) + n, out.channel(c));
        emit(static_cast<const AudioBuffer&>(out));
        emitted += static_cast<std::int64_t>(n - drop);
    };
    for (std::size_t k = 0;; ++k) {
        Slot& s1 = slots[k % kSlots];       // block k: read, pre1
        Slot& s2 = slots[(k + 3) % kSlots]; // block k − 1: pre2, cut
        Slot& s3 = slots[(k + 2) % kSlots]; // block k − 2: post parts
        Slot& s4 = slots[(k + 1) % kSlots]; // block k − 3: post join, emit
        if (inputDone && !s2.live && !s3.live && !s4.live)
            break;
        if (!pool) {
            finish(s4);
            for (std::size_t i = 0; i < postParts; ++i)
                part(s3, i);
            cut(s2);
            readNext(s1);
        } else {
            pool->parallelFor(postParts + 3, [&](std::size_t t) {
                if (t < postParts)
                    part(s3, t);
                else if (t == postParts)
                    cut(s2);
                else if (t == postParts + 1)
                    finish(s4);
                else
                    readNext(s1);
            });
        }
        s4.live = false; // emitted; its buffer takes block k + 1
    }
    return emitted;
}

// The stages before the gain: tone match and multiband (and StereoWidth's crossover,
// applied in preLimiterLoudness()'s sink). They do not depend on the gain the search
// varies, so they run once (in preLimiterLoudness()) and their output is kept, as mid and
// side, in a float file beside the master, read by every render.
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

// The stages of one render after the width (the stage file holds mid and side after the
// width's crossover; a render applies its factor with StereoWidth::fromMidSide), prepared
// afresh (prepare() allocates; process() doesn't).
struct RenderStages {
    SmoothedGain gain;
    TruePeakLimiter limiter;

    /// `samplePeakProbe`: the limiter's cheap sample-peak detector (gain-search probes only).
    RenderStages(const MasteringSettings& s, const ProcessSpec& spec, double gainDb, double limiterCeilingDb, bool samplePeakProbe = false)
    {
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
