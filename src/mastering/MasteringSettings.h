#pragma once
// What the mastering chain is asked to do: plain structs, filled by the pipeline from a
// preset (and a reference track), read once by MasteringChain. Defaults are a moderate
// streaming master: −14 LUFS, −1 dBTP (EBU R128 s1 / AES TD1008 recommend ≤ −1 dBTP
// for material that will be lossy-encoded).
#include "core/AudioWriter.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace mm {

struct MixAnalysis; // MasteringChain.h
class AudioBuffer;

/// Receives every render's output as it is written (after the limiter, before
/// quantisation and dither), block after block (from the render's pool threads, one call
/// at a time): a job encodes its master preview
/// from it while the chain renders instead of decoding master.wav afterwards. Renders
/// come one after another (begin, blocks, end); the chain names the render that became
/// the master with kept() (a later call replaces an earlier one: the QC loop masters again).
class RenderTap {
public:
    virtual ~RenderTap() = default;
    /// A render starts; returns its token for kept().
    virtual int begin(int sampleRate, int channels) = 0;
    virtual void block(const AudioBuffer& audio) = 0;
    /// The render's last block was given (not called when the render throws).
    virtual void end() = 0;
    virtual void kept(int token) = 0;
};

struct ToneMatchSettings {
    double amount = 0.5;           ///< 0 = off … 1 = full correction towards the target shape
    std::vector<double> targetDb;  ///< target spectrum at thirdOctaveCentres(); empty = off
    double maxBandDb = 4.0;        ///< per-band clamp (DESIGN.md guardrail: EQ ±4 dB)
};

/// One band of the multiband compressor. The threshold is relative to the band's own
/// RMS level over the programme (measured before compression), so the same preset gives
/// a similar, gentle gain reduction (≈ 1–2 dB on average) whatever the mix's balance.
struct MultibandBandSettings {
    double thresholdRelDb = 2.0;
    double ratio = 2.0;
    double attackMs = 20.0;
    double releaseMs = 150.0;
    double kneeDb = 6.0;
};

struct MultibandSettings {
    bool enabled = true;
    std::vector<double> crossoversHz{120.0, 1000.0, 6000.0}; ///< 1–3 ascending → 2–4 bands
    /// One entry per band (crossoversHz.size() + 1); missing entries take the defaults.
    std::vector<MultibandBandSettings> bands;
};

struct LimiterSettings {
    double lookaheadMs = 2.0;
    double releaseMs = 80.0;
};

struct MasteringSettings {
    ToneMatchSettings toneMatch;
    MultibandSettings multiband;
    double widthPct = 100.0;     ///< output stereo width target and cap, 0 … 140 %
    double monoBelowHz = 0.0;    ///< side below this frequency faded out (LR4); 0 = off
    double targetLufs = -14.0;   ///< integrated loudness of the written master
    double ceilingDbtp = -1.0;   ///< true peak of the written master, libebur128
    LimiterSettings limiter;
    OutputFormat format = OutputFormat::Wav24;
    std::uint64_t ditherSeed = 1;
    /// The mix's analysis, measured while the mix was made (MixOptions::onMixBlock):
    /// spares MasteringChain its analysis pass over the mix file. Used only when its
    /// crossoversHz equal multiband.crossoversHz; null = the chain analyses the mix itself.
    std::shared_ptr<const MixAnalysis> mixAnalysis;
    /// Called with the chain's progress (0..1, rough) at every block it processes: a job
    /// cancels by throwing from here (the service's cancel points), so every pass over the
    /// audio stops within one block.
    std::function<void(double fraction)> progress;
    /// Not owned; outlives the chain. Null: no tap.
    RenderTap* renderTap = nullptr;
    /// Threads for the passes that split their work (0 = the machine's cores, 1 = none).
    int threads = 0;
};

} // namespace mm
