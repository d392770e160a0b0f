#include "dsp/Biquad.h"

#include <algorithm>
#include <cmath>

namespace mm {

void Biquad::prepare(const ProcessSpec& spec)
{
    state_.assign(static_cast<std::size_t>(std::max(spec.channels, 1)), {0.0, 0.0, 0.0, 0.0});
}

void Biquad::process(AudioBuffer& block) noexcept
{
    const int channels = std::min(block.channels(), static_cast<int>(state_.size()));
    if (channels == 2) { // both channels in one pair of lanes: bit-identical (FastPathTest)
        float* l = block.channel(0);
        float* r = block.channel(1);
        processStereoSamples(l, r, block.frames(), [l, r](std::size_t i, Double2 y) {
            l[i] = static_cast<float>(y[0]);
            r[i] = static_cast<float>(y[1]);
        });
        snapToZero();
        return;
    }
    for (int c = 0; c < channels; ++c) { // the state in registers for the run (Stepper)
        Stepper f(*this, c);
        float* x = block.channel(c);
        for (std::size_t i = 0; i < block.frames(); ++i)
            x[i] = static_cast<float>(f.step(x[i]));
        f.end();
    }
    snapToZero();
}

namespace {
constexpr double kSnapThreshold = 1e-100;
template <std::size_t N>
void snap(std::array<double, N>& s) noexcept
{
    for (double& v : s)
        if (std::abs(v) < kSnapThreshold)
            v = 0.0;
}
} // namespace

void Biquad::snapToZero() noexcept
{
    for (auto& s : state_)
        snap(s);
}

void Biquad::reset() noexcept
{
    std::fill(state_.begin(), state_.end(), std::array<double, 4>{0.0, 0.0, 0.0, 0.0});
}

// ---------------------------------------------------------------------------------------

void ParametricEq::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    channels_ = std::max(spec.channels, 1);
    state_.assign(kMaxBands * static_cast<std::size_t>(channels_), {0.0, 0.0});
    // One-pole step per sub-block: coef = exp(-T / tau) with T = kSubBlock / fs.
    smoothCoef_ = std::exp(-static_cast<double>(kSubBlock) / (kSmoothingMs * 1e-3 * sampleRate_));
    updateTargetLogs();
    reset();
}

void ParametricEq::reset() noexcept
{
    std::fill(state_.begin(), state_.end(), std::array<double, 2>{0.0, 0.0});
    jumpNext_ = true;
    snapToTargets();
}

void ParametricEq::setBands(std::span<const EqBand> bands) noexcept
{
    for (std::size_t b = 0; b < kMaxBands; ++b)
        targets_[b] = b < bands.size() ? bands[b] : EqBand{};
    updateTargetLogs();
    if (jumpNext_) {
        snapToTargets();
        jumpNext_ = false;
    }
}

double ParametricEq::targetMagnitudeDb(double freq) const noexcept
{
    double db = 0.0;
    for (const auto& t : targets_)
        if (t.enabled)
            db += magnitudeDb(design(t.type, t.freq, t.q, t.gainDb, sampleRate_), freq, sampleRate_);
    return db;
}

void ParametricEq::updateTargetLogs() noexcept
{
    for (std::size_t b = 0; b < kMaxBands; ++b)
        targetLogs_[b] = {std::log(std::max(targets_[b].freq, 1.0)), std::log(std::max(targets_[b].q, 0.01))};
}

void ParametricEq::redesign(Live& live) const noexcept
{
    live.coeffs = design(live.type, std::exp(live.logFreq), std::exp(live.logQ), live.gainDb, sampleRate_);
}

void ParametricEq::snapToTargets() noexcept
{
    for (std::size_t b = 0; b < kMaxBands; ++b) {
        const auto& t = targets_[b];
        auto& l = live_[b];
        l.type = t.type;
        l.logFreq = targetLogs_[b][0];
        l.logQ = targetLogs_[b][1];
        l.gainDb = t.gainDb;
        l.wet = t.enabled ? 1.0 : 0.0;
        redesign(l);
    }
}

void ParametricEq::advanceSmoothing() noexcept
{
    const double k = smoothCoef_;
    auto approach = [k](double& v, double target, double eps) {
        if (std::abs(v - target) <= eps) {
            const bool changed = v != target;
            v = target;
            return changed;
        }
        v = target + k * (v - target);
        return true;
    };
    for (std::size_t b = 0; b < kMaxBands; ++b) {
        const auto& t = targets_[b];
        auto& l = live_[b];
        const bool sameType = t.type == l.type;
        const double wetTarget = (t.enabled && sameType) ? 1.0 : 0.0;
        approach(l.wet, wetTarget, 1e-4);
        if (l.wet == 0.0) {
            // Silent band (not processed): take the new type and parameters at once and
            // clear its state, so it fades in from rest rather than from stale history.
            for (int c = 0; c < channels_; ++c)
                state_[b * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(c)] = {0.0, 0.0};
            // Redesigned only when its target moved: most bands stay silent for a whole song.
            const double logFreq = targetLogs_[b][0];
            const double logQ = targetLogs_[b][1];
            if (l.type != t.type || l.logFreq != logFreq || l.logQ != logQ || l.gainDb != t.gainDb) {
                l.type = t.type;
                l.logFreq = logFreq;
                l.logQ = logQ;
                l.gainDb = t.gainDb;
                redesign(l);
            }
            continue;
        }
        bool changed = approach(l.logFreq, targetLogs_[b][0], 1e-5);
        changed |= approach(l.logQ, targetLogs_[b][1], 1e-5);
        changed |= approach(l.gainDb, t.gainDb, 1e-4);
        if (changed)
            redesign(l);
    }
}

namespace {
typedef float Float2 __attribute__((vector_size(8)));
} // namespace

void ParametricEq::processStereo(float* left, float* right, std::size_t start, std::size_t end, Biquad* pre) noexcept
{
    // The bands in series for both channels at once, frame by frame: each band's
    // recursion waits on its own previous output only, so the bands (and the two lanes)
    // overlap in the pipeline instead of running one latency-bound loop per band and
    // channel. Same operations per band and channel as the plain loop, including the
    // float rounding between bands, so the output is bit-identical.
    struct Active {
        BiquadLanes k;
        Double2 wet, s0, s1;
        bool full;
        std::size_t band;
    };
    Active act[kMaxBands];
    std::size_t count = 0;
    const auto ch = static_cast<std::size_t>(channels_);
    for (std::size_t b = 0; b < kMaxBands; ++b) {
        const Live& l = live_[b];
        if (l.wet == 0.0)
            continue;
        const BiquadCoeffs& k = l.coeffs;
        const auto& sl = state_[b * ch];
        const auto& sr = state_[b * ch + 1];
        act[count++] = {BiquadLanes(k.b0, k.b1, k.b2, k.a1, k.a2), Double2{l.wet, l.wet}, Double2{sl[0], sr[0]}, Double2{sl[1], sr[1]},
                        l.wet == 1.0, b};
    }
    const auto bands = [&](std::size_t i, Float2 v) {
        for (std::size_t j = 0; j < count; ++j) {
            Active& a = act[j];
            const Double2 in = __builtin_convertvector(v, Double2);
            const Double2 y = tdf2(a.k, a.s0, a.s1, in);
            v = __builtin_convertvector(a.full ? y : in + a.wet * (y - in), Float2);
        }
        left[i] = v[0];
        right[i] = v[1];
    };
    if (pre) {
        // The pre-filter's output is rounded to float, as when it wrote the block itself.
        Biquad::StereoStepper p(*pre);
        for (std::size_t i = start; i < end; ++i) {
            const Double2 y = p.step(Double2{static_cast<double>(left[i]), static_cast<double>(right[i])});
            bands(i, __builtin_convertvector(y, Float2));
        }
        p.end();
    } else {
        for (std::size_t i = start; i < end; ++i)
            bands(i, Float2{left[i], right[i]});
    }
    for (std::size_t j = 0; j < count; ++j) {
        state_[act[j].band * ch] = {act[j].s0[0], act[j].s1[0]};
        state_[act[j].band * ch + 1] = {act[j].s0[1], act[j].s1[1]};
    }
}

void ParametricEq::process(AudioBuffer& block) noexcept { processBlock(block, nullptr); }

void ParametricEq::process(AudioBuffer& block, Biquad& pre) noexcept
{
    if (std::min(block.channels(), channels_) != 2) {
        pre.process(block);
        processBlock(block, nullptr);
        return;
    }
    processBlock(block, &pre);
    pre.snapToZero();
}

void ParametricEq::processBlock(AudioBuffer& block, Biquad* pre) noexcept
{
    jumpNext_ = false;
    const int channels = std::min(block.channels(), channels_);
    const std::size_t frames = block.frames();
    for (std::size_t start = 0; start < frames; start += kSubBlock) {
        const std::size_t end = std::min(frames, start + kSubBlock);
        advanceSmoothing();
        if (channels == 2) {
            processStereo(block.channel(0), block.channel(1), start, end, pre);
            continue;
        }
        for (std::size_t b = 0; b < kMaxBands; ++b) {
            const Live& l = live_[b];
            if (l.wet == 0.0)
                continue;
            const BiquadCoeffs& k = l.coeffs;
            for (int c = 0; c < channels; ++c) {
                auto& s = state_[b * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(c)];
                float* x = block.channel(c);
                for (std::size_t i = start; i < end; ++i) {
                    const double in = x[i];
                    const double y = k.b0 * in + s[0];
                    s[0] = (k.b1 * in + s[1]) - k.a1 * y;
                    s[1] = k.b2 * in - k.a2 * y;
                    x[i] = static_cast<float>(l.wet == 1.0 ? y : in + l.wet * (y - in));
                }
            }
        }
    }
    for (auto& s : state_)
        snap(s);
}

} // namespace mm
