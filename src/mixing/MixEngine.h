#pragma once
// The mix stage end to end: stems in (files), mix.wav out, with everything the report needs.
// Three streaming passes, memory flat in song length:
//   1. analysis: each stem once, in parallel (loudness, spectrum, features);
//   2. mix: all stems in step, block by block; each stem's chain runs on the thread pool,
//      the sums are made in stem order on one thread, so the result is bit-identical
//      whatever the thread count; drum bus (parallel compression) and mix bus (glue) follow;
//      the mix goes to a 32-bit float temporary file;
//   3. headroom: the temporary is scaled so its sample peak sits at the preset's headroom
//      (−3 dBFS) and written in the output format — gain only, never limited.
#include "core/AudioWriter.h"
#include "mixing/MixPolicy.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mm {

inline constexpr std::size_t kMaxStems = 12;

struct StemInput {
    std::string path;
    std::string name;              ///< as in the metadata; defaults to the file name
    std::optional<Role> role;      ///< from metadata; guessed when absent
    std::optional<double> gainDb;  ///< user's fader
    std::optional<double> pan;
    bool mute = false;
};

using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

struct MixOptions {
    std::string outDir;
    int threads = 0;            ///< 0 = all cores
    int sampleRate = 0;         ///< 0 = the most common stem rate (44.1 or 48 kHz family)
    OutputFormat format = OutputFormat::Wav24;
    bool exportStems = false;   ///< OUTDIR/stems/<input file name>, post-fader, pre-bus
    /// Called with every block of the mix (kMixBlock frames, the last one shorter), in
    /// order, as the mix render makes it: after the buses, before the headroom gain
    /// (MixResult::headroomGainDb, known once the renders are done), e.g. to measure it for
    /// mastering without reading mix.wav again. `render` counts the mix renders from 1: a
    /// second render (the faders corrected) starts the mix again. Runs on a pool thread,
    /// beside the stems of the next block.
    std::function<void(const AudioBuffer& block, int sampleRate, int render)> onMixBlock;
    /// Called once the mix renders are done, before the write pass of mix.wav, with the
    /// job's sample rate: work that needs only the stems can start here (the stem-sum
    /// preview).
    std::function<void(int sampleRate)> onWriteStart;
    bool stemTruePeak = true;   ///< measure each stem's true peak (in the first mix render, renderMix)
    std::uint64_t ditherSeed = 1;
    ProgressFn progress;
};

struct StemResult {
    StemInfo info;
    std::string path;
    StemDecision decision;
    double postLufs = 0.0;          ///< after the chain, before the buses, at the final mix gain
    double postRelativeLu = 0.0;    ///< postLufs − mix integrated loudness
    double averageGrDb = 0.0, maxGrDb = 0.0;
    std::vector<std::string> warnings;
};

struct BusResult {
    std::string name;
    bool active = false;
    std::string description;
    CompressorParams comp;
    double averageGrDb = 0.0, maxGrDb = 0.0;
};

struct MixCheck {
    std::string name;
    std::string target;
    double measured = 0.0;
    bool passed = true;
    std::string action;
};

struct MixResult {
    int sampleRate = 0;
    std::int64_t frames = 0;
    std::string policy;
    std::vector<StemResult> stems;
    std::vector<BusResult> buses;
    AudioMetrics mix;               ///< of the written mix.wav
    std::string mixPath;
    double headroomGainDb = 0.0;
    int balancePasses = 1;          ///< mix renders (2 when the faders were corrected)
    std::vector<MixCheck> checks;
    std::vector<std::string> warnings;
    double analysisSeconds = 0.0, mixingSeconds = 0.0, writeSeconds = 0.0;
};

/// Throws InputError for bad input (too many stems, duplicate names, unreadable files).
MixResult mixStems(const std::vector<StemInput>& stems, const MixSettings& settings, const MixPolicy& policy,
                   const MixOptions& options);

/// The job rate for stems at these rates: the most common one, mapped to 44.1 or 48 kHz.
int chooseJobRate(const std::vector<int>& stemRates);

} // namespace mm
