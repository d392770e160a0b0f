#include "mixing/RulePolicy.h"

#include "analysis/KWeighting.h"
#include "analysis/Spectrum.h"
#include "dsp/BiquadDesign.h"
#include "dsp/Panner.h"
#include "mixing/CompressionPrediction.h"
#include "mixing/ReasonText.h"

#include <algorithm>
#include <cmath>

namespace mm {
namespace {

double powerSumDb(const std::vector<double>& levelsDb)
{
    double p = 0.0;
    for (double l : levelsDb)
        p += std::pow(10.0, l / 10.0);
    return p > 0.0 ? 10.0 * std::log10(p) : -200.0;
}

/// Share of a stem's energy below 150 Hz (sub and bass bands).
double lowShare(const StemFeatures& f)
{
    double total = 0.0, low = 0.0;
    for (std::size_t b = 0; b < f.bandDb.size(); ++b) {
        const double p = std::pow(10.0, f.bandDb[b] / 10.0);
        total += p;
        if (b <= 1)
            low += p;
    }
    return total > 0.0 ? low / total : 0.0;
}

constexpr double kMixLoudnessLufs = -20.0; // working level of the mix before headroom normalisation

void decideGains(const std::vector<StemInfo>& stems, const MixSettings& s, std::vector<StemDecision>& out)
{
    std::vector<double> targets;
    for (std::size_t i = 0; i < stems.size(); ++i)
        if (!out[i].muted)
            targets.push_back(s.role(stems[i].role).targetLu);
    // Role targets are loudness relative to the whole mix; if they do not sum to the mix in
    // power (uncorrelated stems add as powers), all move by the same amount so that their
    // relations hold: relative = target − 10·log10(Σ 10^(target/10)).
    const double shift = powerSumDb(targets);
    double anchor = kMixLoudnessLufs;
    if (s.respectUserGains) {
        // The user's faders stay; place the others around where the user put theirs.
        double sum = 0.0;
        int n = 0;
        for (std::size_t i = 0; i < stems.size(); ++i)
            if (!out[i].muted && stems[i].userGainDb) {
                sum += stems[i].metrics.integratedLufs + *stems[i].userGainDb - (s.role(stems[i].role).targetLu - shift);
                ++n;
            }
        if (n > 0)
            anchor = sum / n;
    }
    for (std::size_t i = 0; i < stems.size(); ++i) {
        auto& d = out[i];
        if (d.muted)
            continue;
        const double target = s.role(stems[i].role).targetLu;
        d.expectedRelativeLu = target - shift;
        if (s.respectUserGains && stems[i].userGainDb) {
            d.gainDb = *stems[i].userGainDb;
            d.gainReason = reasonText("user gain %+.1f dB kept (respect_user_gains)", d.gainDb);
            continue;
        }
        const double want = anchor + d.expectedRelativeLu;
        d.gainDb = want - stems[i].metrics.integratedLufs;
        d.gainReason = reasonText("%+.1f dB: stem at %.1f LUFS brought to %+.1f LU relative to the mix", d.gainDb,
                              stems[i].metrics.integratedLufs, d.expectedRelativeLu) +
                       " (" + toString(stems[i].role) + reasonText(" target %+.1f LU)", target);
    }
}

void decideFilters(const std::vector<StemInfo>& stems, const MixSettings& s, std::vector<StemDecision>& out)
{
    for (std::size_t i = 0; i < stems.size(); ++i) {
        auto& d = out[i];
        if (d.muted)
            continue;
        const auto& rs = s.role(stems[i].role);
        d.hpfHz = rs.hpfHz;
        d.hpfReason = reasonText("high-pass at %.0f Hz: ", rs.hpfHz) + toString(stems[i].role) + " has nothing useful below";
        const double share = lowShare(stems[i].features);
        if (rs.hpfHz > 60.0 && share > 0.25 && !isDrumRole(stems[i].role)) {
            d.hpfHz = 40.0;
            d.hpfReason = reasonText("high-pass lowered to 40 Hz (role default %.0f Hz): %.0f %% of this stem's energy is below 150 Hz",
                                 rs.hpfHz, 100.0 * share);
        }
        if (std::fabs(stems[i].metrics.dcOffset) > 0.001)
            d.hpfReason += reasonText("; also removes its DC offset (%.4f)", stems[i].metrics.dcOffset);
    }
}

void decideCompression(const std::vector<StemInfo>& stems, const MixSettings& s, std::vector<StemDecision>& out)
{
    for (std::size_t i = 0; i < stems.size(); ++i) {
        auto& d = out[i];
        if (d.muted || !s.role(stems[i].role).compress || stems[i].features.levelHistogram.empty())
            continue;
        // The fader was set from the uncompressed loudness: it gives back what the
        // compressor takes, weighted by power (the loud parts, where it reduces most).
        d.gainDb += fitCompressor(stems[i], d, s);
    }
}

void decidePans(const std::vector<StemInfo>& stems, const MixSettings& s, std::vector<StemDecision>& out)
{
    // Non-central mono stems, ordered by role then name, take alternating sides; two stems
    // of the same role form a pair at ±0.5, others alternate at ±0.3.
    std::vector<std::size_t> spread;
    for (std::size_t i = 0; i < stems.size(); ++i) {
        auto& d = out[i];
        if (d.muted)
            continue;
        if (s.respectUserGains && stems[i].userPan) {
            d.pan = std::clamp(*stems[i].userPan, -1.0, 1.0);
            d.panReason = reasonText("user pan %+.2f kept (respect_user_gains)", d.pan);
            continue;
        }
        if (s.role(stems[i].role).centre) {
            d.pan = 0.0;
            d.panReason = "centre: " + toString(stems[i].role) + " anchors the mix";
            continue;
        }
        if (stems[i].metrics.channels == 2 && stems[i].metrics.widthPct > 20.0) {
            d.pan = 0.0;
            d.panReason = reasonText("centre: already stereo (width %.0f %%), its own image kept", stems[i].metrics.widthPct);
            continue;
        }
        spread.push_back(i);
    }
    std::stable_sort(spread.begin(), spread.end(), [&](std::size_t a, std::size_t b) {
        return stems[a].role < stems[b].role;
    });
    double side = -1.0;
    for (std::size_t k = 0; k < spread.size(); ++k) {
        const std::size_t i = spread[k];
        const bool paired = (k + 1 < spread.size() && stems[spread[k + 1]].role == stems[i].role) ||
                            (k > 0 && stems[spread[k - 1]].role == stems[i].role);
        double amount = paired ? 0.5 : 0.3;
        std::string why = paired ? "spread as a pair with the other " + toString(stems[i].role)
                                 : std::string("placed off-centre to make room in the middle");
        const double share = lowShare(stems[i].features);
        if (share > 0.3) {
            amount *= 0.3;
            why += reasonText("; kept near the centre: %.0f %% of its energy is below 150 Hz", 100.0 * share);
        }
        out[i].pan = side * amount;
        out[i].panReason = reasonText("pan %+.2f: ", out[i].pan) + why;
        side = -side;
    }
}

void compensatePans(const std::vector<StemInfo>& stems, const MixSettings& s, std::vector<StemDecision>& out)
{
    for (std::size_t i = 0; i < stems.size(); ++i) {
        auto& d = out[i];
        if (d.muted || (s.respectUserGains && stems[i].userGainDb))
            continue;
        const double change = panLoudnessChangeDb(stems[i], d.pan);
        if (std::fabs(change) >= 0.05) {
            d.gainDb -= change;
            d.gainReason += reasonText("; %+.1f dB more for the balance pan of a stereo stem (%.1f LU)", -change, change);
        }
    }
}

void compensateFilters(const std::vector<StemInfo>& stems, std::vector<StemDecision>& out)
{
    for (std::size_t i = 0; i < stems.size(); ++i) {
        auto& d = out[i];
        if (d.muted || (stems[i].userGainDb && !d.gainReason.empty() && d.gainReason.find("user gain") == 0))
            continue;
        const double fs = stems[i].metrics.sampleRate > 0 ? stems[i].metrics.sampleRate : 48000.0;
        const double change = filterLoudnessChangeDb(stems[i], d, fs);
        if (std::fabs(change) >= 0.05) {
            d.gainDb -= change;
            d.gainReason += reasonText("; %+.1f dB more to make up for the high-pass and EQ (%.1f LU)", -change, change);
        }
    }
}

} // namespace

double panLoudnessChangeDb(const StemInfo& stem, double pan)
{
    if (stem.metrics.channels != 2)
        return 0.0;
    const PanGains g = balanceGains(pan);
    return 10.0 * std::log10(std::max(1e-12, (g.left * g.left + g.right * g.right) / 2.0));
}

double fitCompressor(const StemInfo& stem, StemDecision& d, const MixSettings& s)
{
    const auto& rs = s.role(stem.role);
    d.compress = true;
    d.comp = rs.comp;
    d.comp.makeupDb = 0.0; // loudness is set by the fader
    // Thresholds live on the stem's own level scale after its high-pass and EQ (the chain
    // applies the fader after the compressor); aimed a little below the guardrail.
    const double fs = stem.metrics.sampleRate > 0 ? stem.metrics.sampleRate : 48000.0;
    const double shift = filterLoudnessChangeDb(stem, d, fs, false);
    const double aim = std::min(rs.targetGrDb, s.maxAverageGrDb - 0.75);
    d.comp.thresholdDb = thresholdForTargetGr(stem.features, rs.comp, aim, shift);
    const auto predicted = predictCompression(stem.features, d.comp, shift);
    d.compLossDb = predicted.loudnessLossDb;
    d.compReason = reasonText("ratio %.1f:1, threshold %.1f dBFS from the stem's levels over time: ~%.1f dB average gain reduction",
                              d.comp.ratio, d.comp.thresholdDb, predicted.averageGrDb) +
                   reasonText(" (attack %.0f ms, release %.0f ms); fader raised %.1f dB for the loudness it takes", d.comp.attackMs,
                              d.comp.releaseMs, predicted.loudnessLossDb);
    return predicted.loudnessLossDb;
}

double filterLoudnessChangeDb(const StemInfo& stem, const StemDecision& d, double fs, bool kWeighted)
{
    const auto k = designKWeighting(fs);
    const BiquadCoeffs shelf{k.shelfB[0], k.shelfB[1], k.shelfB[2], k.shelfA[1], k.shelfA[2]};
    const BiquadCoeffs rlb{k.hpB[0], k.hpB[1], k.hpB[2], k.hpA[1], k.hpA[2]};
    const auto& centres = thirdOctaveCentres();
    const auto& spec = stem.metrics.thirdOctaveDb;
    double before = 0.0, after = 0.0;
    for (std::size_t b = 0; b < centres.size() && b < spec.size(); ++b) {
        const double f = centres[b];
        if (f >= 0.45 * fs)
            break;
        double db = spec[b] + (kWeighted ? magnitudeDb(shelf, f, fs) + magnitudeDb(rlb, f, fs) : 0.0);
        const double p = std::pow(10.0, db / 10.0);
        before += p;
        if (d.hpfHz > 0.0)
            db += magnitudeDb(designHighPass(d.hpfHz, 0.7071, fs), f, fs);
        for (const auto& e : d.eq)
            db += magnitudeDb(designPeak(e.band.freq, e.band.q, e.band.gainDb, fs), f, fs);
        after += std::pow(10.0, db / 10.0);
    }
    return before > 0.0 && after > 0.0 ? 10.0 * std::log10(after / before) : 0.0;
}

double predictAverageGrDb(const std::vector<float>& histogram, const CompressorParams& params)
{
    double sum = 0.0, count = 0.0;
    for (std::size_t b = 0; b < histogram.size(); ++b) {
        if (histogram[b] <= 0.0f)
            continue;
        const double level = StemFeatures::kHistFloorDb + (static_cast<double>(b) + 0.5) * StemFeatures::kHistStepDb;
        const double gr = level - Compressor::staticCurveDb(level, params);
        sum += gr * histogram[b];
        count += histogram[b];
    }
    return count > 0.0 ? sum / count : 0.0;
}

double thresholdForAverageGr(const std::vector<float>& histogram, CompressorParams params, double targetGrDb)
{
    double lo = -90.0, hi = 0.0; // GR falls as the threshold rises
    for (int it = 0; it < 40; ++it) {
        const double mid = 0.5 * (lo + hi);
        params.thresholdDb = mid;
        if (predictAverageGrDb(histogram, params) > targetGrDb)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

std::vector<StemDecision> RulePolicy::decide(const std::vector<StemInfo>& stems, const MixSettings& settings) const
{
    std::vector<StemDecision> out(stems.size());
    for (std::size_t i = 0; i < stems.size(); ++i) {
        out[i].drumBus = isDrumRole(stems[i].role);
        if (stems[i].userMute) {
            out[i].muted = true;
            out[i].muteReason = "muted in the stem metadata";
        } else if (stems[i].features.silent || !std::isfinite(stems[i].metrics.integratedLufs)) {
            out[i].muted = true;
            out[i].muteReason = "silent: left out of the mix";
        }
    }
    decideGains(stems, settings, out);
    decideFilters(stems, settings, out);
    addUnmaskingCuts(stems, settings, out);
    decideCompression(stems, settings, out); // after the EQ, which changes what it sees
    compensateFilters(stems, out);
    decidePans(stems, settings, out);
    compensatePans(stems, settings, out);
    return out;
}

} // namespace mm
