#pragma once
// What a preset tells the mixer: per-role targets and processing, the buses, the limits.
// Filled from data/presets/*.json by the pipeline; no numbers here are the product's
// taste — they are defaults for a settings struct nobody filled.
#include "dsp/Compressor.h"
#include "mixing/StemRole.h"

#include <map>

namespace mm {

struct RoleSettings {
    double targetLu = -12.0;   ///< stem loudness relative to the mix (De Man 2017 for the defaults in presets)
    double hpfHz = 40.0;       ///< high-pass corner
    bool centre = false;       ///< kept in the centre (kick, snare, bass, lead vocal)
    int priority = 0;          ///< higher wins a masking conflict (vocal > kick > bass > rest)
    bool compress = true;
    CompressorParams comp{};   ///< threshold is set per stem from its level statistics
    double targetGrDb = 2.0;   ///< average gain reduction aimed for (1-3 dB)
};

struct MixSettings {
    std::map<Role, RoleSettings> roles;
    // Drum bus: parallel ("New York") compression blended under the dry drums.
    double drumParallelMix = 0.3;      ///< wet gain, linear, added to the dry bus
    CompressorParams drumParallel{-20.0, 4.0, 6.0, 5.0, 80.0, 0.0, Detector::Peak, 50.0, 60.0, StereoLink::Max};
    double drumParallelGrDb = 6.0;     ///< heavy on purpose: it is blended under the dry signal
    // Mix bus glue compressor: gentle, slow attack.
    CompressorParams glue{-20.0, 1.5, 6.0, 30.0, 250.0, 0.0, Detector::Rms, 50.0, 0.0, StereoLink::Max};
    double glueTargetGrDb = 1.0;
    double headroomPeakDbfs = -3.0;    ///< the premaster's sample peak
    double eqMaxDb = 4.0;              ///< guardrail: EQ per band
    double maxAverageGrDb = 3.0;       ///< guardrail: average GR per stem and per bus
    bool respectUserGains = false;
    bool bypassParallelComp = false;

    const RoleSettings& role(Role r) const
    {
        static const RoleSettings fallback{};
        const auto it = roles.find(r);
        return it == roles.end() ? fallback : it->second;
    }
};

} // namespace mm
