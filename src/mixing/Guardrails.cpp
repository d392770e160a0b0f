#include "mixing/Guardrails.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mm {
namespace {

bool clampNoted(double& value, double lo, double hi, const char* what, std::vector<std::string>& notes)
{
    if (!std::isfinite(value)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s was not a number: set to %.1f", what, lo > 0 ? lo : 0.0);
        notes.emplace_back(buf);
        value = lo > 0 ? lo : 0.0;
        return true;
    }
    if (value >= lo && value <= hi)
        return false;
    const double clamped = std::clamp(value, lo, hi);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s %.2f clamped to %.2f (allowed %.1f … %.1f)", what, value, clamped, lo, hi);
    notes.emplace_back(buf);
    value = clamped;
    return true;
}

} // namespace

int applyGuardrails(std::vector<StemDecision>& decisions, const GuardrailLimits& l)
{
    int clamps = 0;
    for (auto& d : decisions) {
        auto& n = d.guardrails;
        clamps += clampNoted(d.gainDb, l.gainMinDb, l.gainMaxDb, "gain dB", n);
        clamps += clampNoted(d.hpfHz, l.hpfMinHz, l.hpfMaxHz, "high-pass Hz", n);
        clamps += clampNoted(d.pan, -1.0, 1.0, "pan", n);
        for (auto& e : d.eq)
            clamps += clampNoted(e.band.gainDb, -l.eqMaxDb, l.eqMaxDb, "EQ band dB", n);
        if (d.compress) {
            clamps += clampNoted(d.comp.ratio, 1.0, l.ratioMax, "compressor ratio", n);
            clamps += clampNoted(d.comp.attackMs, l.attackMinMs, 1000.0, "attack ms", n);
            clamps += clampNoted(d.comp.releaseMs, l.releaseMinMs, 5000.0, "release ms", n);
            clamps += clampNoted(d.comp.thresholdDb, -90.0, 0.0, "threshold dBFS", n);
        }
    }
    return clamps;
}

} // namespace mm
