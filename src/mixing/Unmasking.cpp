// Unmasking EQ: a stem that competes with a higher-priority stem (lead vocal, kick, bass …)
// in a band where that stem matters gets a small cut there. Competition is judged frame by
// frame (~170 ms) on the band energies after the faders, not on long-term averages: two
// parts that share a band but never play at once do not mask each other.
#include "mixing/RulePolicy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mm {
namespace {

constexpr double kPresentDb = 10.0;   // H "present" in a frame: within 10 dB of its band average
constexpr double kCompeteDb = 3.0;    // S competes: within 3 dB of H in that band, or louder
constexpr double kMinFraction = 0.25; // share of H's frames with competition before cutting
constexpr std::size_t kMaxCutsPerStem = 3;

double toDb(double ms)
{
    return ms > 1e-14 ? 10.0 * std::log10(ms) : -140.0;
}

struct Cut {
    int band = 0;
    double fraction = 0.0;
    std::size_t masked = 0;
};

} // namespace

void addUnmaskingCuts(const std::vector<StemInfo>& stems, const MixSettings& s, std::vector<StemDecision>& decisions)
{
    const auto& edges = mixBandEdges();
    const auto& names = mixBandNames();
    for (std::size_t si = 0; si < stems.size(); ++si) {
        if (decisions[si].muted)
            continue;
        const auto& S = stems[si].features;
        const int sPriority = s.role(stems[si].role).priority;
        std::vector<Cut> cuts;
        for (std::size_t hi = 0; hi < stems.size(); ++hi) {
            if (hi == si || decisions[hi].muted || s.role(stems[hi].role).priority <= sPriority)
                continue;
            const auto& H = stems[hi].features;
            const std::size_t frames = std::min(S.bandFrames.size(), H.bandFrames.size());
            if (frames == 0)
                continue;
            const double hMax = *std::max_element(H.bandDb.begin(), H.bandDb.end());
            for (int b = 1; b < kMixBands - 1; ++b) { // sub and air are left to the high-pass and the master
                const auto ub = static_cast<std::size_t>(b);
                if (H.bandDb[ub] < hMax - 10.0)
                    continue; // not a band where the higher-priority stem matters
                std::size_t present = 0, competing = 0;
                for (std::size_t t = 0; t < frames; ++t) {
                    const double h = toDb(H.bandFrames[t][ub]) + decisions[hi].gainDb;
                    if (h < H.bandDb[ub] + decisions[hi].gainDb - kPresentDb)
                        continue;
                    ++present;
                    const double sv = toDb(S.bandFrames[t][ub]) + decisions[si].gainDb;
                    if (sv >= h - kCompeteDb)
                        ++competing;
                }
                if (present == 0)
                    continue;
                const double fraction = static_cast<double>(competing) / static_cast<double>(present);
                if (fraction < kMinFraction)
                    continue;
                auto it = std::find_if(cuts.begin(), cuts.end(), [b](const Cut& c) { return c.band == b; });
                if (it == cuts.end())
                    cuts.push_back({b, fraction, hi});
                else if (fraction > it->fraction)
                    *it = {b, fraction, hi};
            }
        }
        std::sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) { return a.fraction > b.fraction; });
        if (cuts.size() > kMaxCutsPerStem)
            cuts.resize(kMaxCutsPerStem);
        for (const auto& c : cuts) {
            const auto ub = static_cast<std::size_t>(c.band);
            const double fc = std::sqrt(edges[ub] * edges[ub + 1]);
            // 1 dB at the threshold fraction, up to the guardrail's 4 dB when it always competes.
            const double depth = std::min(s.eqMaxDb, 1.0 + 3.0 * (c.fraction - kMinFraction) / (1.0 - kMinFraction));
            EqDecision e;
            e.band = EqBand{FilterType::Peak, fc, 1.2, -depth, true};
            char buf[256];
            std::snprintf(buf, sizeof buf, "cut %.1f dB at %.0f Hz: masks the %s (%s) in the %s band %.0f %% of the time",
                          depth, fc, toString(stems[c.masked].role).c_str(), stems[c.masked].name.c_str(),
                          names[ub], 100.0 * c.fraction);
            e.reason = buf;
            decisions[si].eq.push_back(e);
        }
    }
}

} // namespace mm
