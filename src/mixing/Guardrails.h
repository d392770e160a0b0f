#pragma once
// Guardrails clamp every decision into safe ranges before anything is processed, and say
// in words what they changed. (Output checks — average gain reduction per stem and bus —
// are made on the rendered mix by the engine.)
#include "mixing/MixPolicy.h"

namespace mm {

struct GuardrailLimits {
    double eqMaxDb = 4.0;
    double gainMinDb = -60.0, gainMaxDb = 30.0;
    double hpfMinHz = 0.0, hpfMaxHz = 500.0;
    double ratioMax = 8.0;
    double attackMinMs = 0.1, releaseMinMs = 10.0;
};

/// Clamps `decisions` in place; appends a note to StemDecision::guardrails for each clamp.
/// Returns the number of clamps.
int applyGuardrails(std::vector<StemDecision>& decisions, const GuardrailLimits& limits);

} // namespace mm
