#include "dsp/Compressor.h"

#include "dsp/FastMath.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace mm {
namespace {

double coefFor(double ms, double fs) noexcept
{
    return ms > 0.0 ? std::exp(-1.0 / (ms * 1e-3 * fs)) : 0.0;
}

constexpr double kMakeupSmoothingMs = 20.0;
constexpr double kFloorReleaseMs = 100.0;
constexpr double kMinPower = 1e-20; // -200 dBFS; keeps log10 finite on silence

} // namespace

double Compressor::staticCurveDb(double x, const CompressorParams& p) noexcept
{
    const double t = p.thresholdDb;
    const double r = std::max(p.ratio, 1.0);
    const double w = std::max(p.kneeDb, 0.0);
    const double over = x - t;
    if (2.0 * over < -w)
        return x;
    if (2.0 * std::abs(over) <= w && w > 0.0) {
        const double d = over + w / 2.0;
        return x + (1.0 / r - 1.0) * d * d / (2.0 * w);
    }
    return t + over / r;
}

void Compressor::setParams(const CompressorParams& p) noexcept
{
    params_ = p;
    if (snapNext_)
        makeupDb_ = p.makeupDb;
    updateCoefficients();
}

void Compressor::updateCoefficients() noexcept
{
    attackCoef_ = coefFor(params_.attackMs, sampleRate_);
    releaseCoef_ = coefFor(params_.releaseMs, sampleRate_);
    rmsCoef_ = coefFor(params_.rmsWindowMs, sampleRate_);
    sidechainOn_ = params_.sidechainHpHz > 0.0;
    if (sidechainOn_)
        sidechainHp_.setCoeffs(designHighPass(params_.sidechainHpHz, 0.70710678118654752, sampleRate_));
}

void Compressor::prepare(const ProcessSpec& spec)
{
    sampleRate_ = spec.sampleRate;
    channels_ = std::max(spec.channels, 1);
    meanSquare_.assign(static_cast<std::size_t>(channels_), 0.0);
    sidechainHp_.prepare(spec);
    makeupCoef_ = coefFor(kMakeupSmoothingMs, sampleRate_);
    floorCoef_ = coefFor(kFloorReleaseMs, sampleRate_);
    updateCoefficients();
    reset();
}

void Compressor::reset() noexcept
{
    sidechainHp_.reset();
    std::fill(meanSquare_.begin(), meanSquare_.end(), 0.0);
    grDb_ = 0.0;
    makeupDb_ = params_.makeupDb;
    floorEnv_ = 0.0;
    snapNext_ = true;
    resetStats();
}

void Compressor::resetStats() noexcept
{
    grSum_ = 0.0;
    maxGr_ = 0.0;
    grCount_ = 0;
}

double Compressor::averageGainReductionDb() const noexcept
{
    return grCount_ > 0 ? grSum_ / static_cast<double>(grCount_) : 0.0;
}

void Compressor::detect(const AudioBuffer& block, std::size_t from, std::size_t n, double* linked, double* inputPeak) noexcept
{
    const int channels = std::min(block.channels(), channels_);
    const bool rms = params_.detector == Detector::Rms;
    const bool linkMax = params_.link == StereoLink::Max;
    std::fill_n(linked, n, 0.0);
    std::fill_n(inputPeak, n, 0.0);
    double power[kChunk];
    for (int c = 0; c < channels; ++c) {
        const float* x = block.channel(c) + from;
        for (std::size_t i = 0; i < n; ++i)
            inputPeak[i] = std::max(inputPeak[i], static_cast<double>(std::abs(x[i])));
        if (sidechainOn_) {
            for (std::size_t i = 0; i < n; ++i) {
                const double d = sidechainHp_.processSample(c, x[i]);
                power[i] = d * d;
            }
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const double d = x[i];
                power[i] = d * d;
            }
        }
        if (rms) {
            double ms = meanSquare_[static_cast<std::size_t>(c)];
            for (std::size_t i = 0; i < n; ++i) {
                ms = rmsCoef_ * ms + (1.0 - rmsCoef_) * power[i];
                power[i] = ms;
            }
            meanSquare_[static_cast<std::size_t>(c)] = ms;
        }
        if (linkMax)
            for (std::size_t i = 0; i < n; ++i)
                linked[i] = std::max(linked[i], power[i]);
        else
            for (std::size_t i = 0; i < n; ++i)
                linked[i] += power[i];
    }
    if (!linkMax)
        for (std::size_t i = 0; i < n; ++i)
            linked[i] /= channels;
}

void Compressor::detectStereo(const float* l, const float* r, std::size_t n, double* linked, double* inputPeak) noexcept
{
    // detect() for two channels, one SIMD lane each: the side-chain filters' and RMS
    // smoothers' recursions of the two channels run as one. Every value sees the same
    // operations in the same order as in detect() (0 + a + b, max(max(0, a), b)), so the
    // output is bit-identical (FastPathTest).
    const bool rms = params_.detector == Detector::Rms;
    const bool linkMax = params_.link == StereoLink::Max;
    const Double2 coef{rmsCoef_, rmsCoef_}, rest{1.0 - rmsCoef_, 1.0 - rmsCoef_};
    Double2 ms{meanSquare_[0], meanSquare_[1]};
    const auto frame = [&](std::size_t i, Double2 d) {
        inputPeak[i] = std::max(std::max(0.0, static_cast<double>(std::abs(l[i]))), static_cast<double>(std::abs(r[i])));
        Double2 p = d * d;
        if (rms) {
            ms = coef * ms + rest * p;
            p = ms;
        }
        linked[i] = linkMax ? std::max(std::max(0.0, p[0]), p[1]) : ((0.0 + p[0]) + p[1]) / 2;
    };
    if (sidechainOn_)
        sidechainHp_.processStereoSamples(l, r, n, frame);
    else
        for (std::size_t i = 0; i < n; ++i)
            frame(i, Double2{static_cast<double>(l[i]), static_cast<double>(r[i])});
    meanSquare_[0] = ms[0];
    meanSquare_[1] = ms[1];
}

void Compressor::process(AudioBuffer& block) noexcept
{
    const int channels = std::min(block.channels(), channels_);
    if (channels == 0)
        return;
    snapNext_ = false;
    const double floorLin = std::pow(10.0, kStatsFloorDb / 20.0);
    // Below the knee the gain computer returns its input (x_L = 0): no logarithm needed.
    const double kneeStartPower = std::pow(10.0, (params_.thresholdDb - std::max(params_.kneeDb, 0.0) / 2.0) / 10.0);
    const double makeupTarget = params_.makeupDb;
    // staticCurveDb() for four inputs in single precision (SIMD lanes): every branch
    // computed, the right one selected.
    const float curveT = static_cast<float>(params_.thresholdDb);
    const float curveR = static_cast<float>(std::max(params_.ratio, 1.0));
    const float curveW = static_cast<float>(std::max(params_.kneeDb, 0.0));
    const float kneeSlope = 1.0f / curveR - 1.0f, kneeDiv = curveW > 0.0f ? 2.0f * curveW : 1.0f;
    const std::int32_t kneeOn = curveW > 0.0f ? -1 : 0;
    const auto curve4 = [&](Float4 x) {
        const Float4 over = x - curveT;
        const auto below = 2.0f * over < -curveW;
        const Float4 absOver = over < 0.0f ? -over : over;
        const auto inKnee = (2.0f * absOver <= curveW) & kneeOn;
        const Float4 d = over + curveW / 2.0f;
        const Float4 knee = x + kneeSlope * d * d / kneeDiv;
        const Float4 above = curveT + over / curveR;
        return below ? x : (inKnee ? knee : above);
    };
    const auto toFloat4 = [](const double* p) {
        Double2 a, b;
        std::memcpy(&a, p, sizeof a);
        std::memcpy(&b, p + 2, sizeof b);
        return Float4{static_cast<float>(a[0]), static_cast<float>(a[1]), static_cast<float>(b[0]), static_cast<float>(b[1])};
    };
    const auto kneeStart = static_cast<float>(kneeStartPower);
    constexpr float kMinPowerF = static_cast<float>(kMinPower);

    // Chunk-wise passes, each a simple loop over the frames, so the independent ones
    // (detector per channel, gain computer, dB to gain, gain per channel) vectorise or
    // at least pipeline; only the two smoothers run frame by frame. Every frame sees the
    // same arithmetic in the same order as a per-frame loop would.
    double linked[kChunk], inputPeak[kChunk], gainDb[kChunk];
    float gain[kChunk];
    for (std::size_t from = 0; from < block.frames(); from += kChunk) {
        const std::size_t n = std::min(kChunk, block.frames() - from);
        if (channels == 2)
            detectStereo(block.channel(0) + from, block.channel(1) + from, n, linked, inputPeak);
        else
            detect(block, from, n, linked, inputPeak);

        // Gain computer: x_L per frame, into `linked`; four frames per step (SIMD lanes),
        // in single precision (x_L to ~1e-5 dB; the gain ends as a float anyway). A last
        // partial step runs on padding: zero power is below the knee.
        const std::size_t n4 = (n + 3) & ~std::size_t{3};
        std::fill(linked + n, linked + n4, 0.0);
        for (std::size_t f = 0; f < n4; f += 4) {
            const Float4 p = toFloat4(linked + f);
            const auto on = p >= kneeStart;
            if (!(on[0] | on[1] | on[2] | on[3])) {
                std::fill_n(linked + f, 4, 0.0);
                continue;
            }
            const Float4 xG = fast::powerToDb(p < kMinPowerF ? Float4{} + kMinPowerF : p);
            const Float4 xL = on ? xG - curve4(xG) : Float4{};
            for (int k = 0; k < 4; ++k)
                linked[f + static_cast<std::size_t>(k)] = xL[k];
        }

        // Smoothers, frame by frame. Two exact shortcuts shorten their dependency chains:
        // with x_L = 0 throughout (below the knee) and y_L ≥ 0, the release step
        // a·y + (1 − a)·0 is a·y bit for bit; and a make-up smoother at its fixed point
        // (one step leaves it unchanged) stays there.
        bool belowKnee = grDb_ >= 0.0;
        for (std::size_t i = 0; i < n && belowKnee; ++i)
            belowKnee = linked[i] == 0.0;
        const bool makeupSettled = makeupCoef_ * makeupDb_ + (1.0 - makeupCoef_) * makeupTarget == makeupDb_;
        // The statistics of the smoothed gain reduction y_L ride in the same loops, so
        // their dependency chains overlap the smoother's. All loop-carried state lives in
        // locals: as members, the stores to gainDb[] (which might alias them) made the
        // compiler load and store each of them every frame, a store-forwarding round trip
        // on the critical path. Same operations, same order: bit-identical.
        double gr = grDb_, makeup = makeupDb_, floorEnv = floorEnv_, grSum = grSum_, maxGr = maxGr_;
        std::size_t grCount = grCount_;
        const double releaseCoef = releaseCoef_, attackCoef = attackCoef_, makeupCoef = makeupCoef_, floorCoef = floorCoef_;
        const auto stats = [&](std::size_t i, double yL) {
            floorEnv = std::max(inputPeak[i], floorCoef * floorEnv);
            if (floorEnv > floorLin) {
                grSum += yL;
                ++grCount;
            }
            maxGr = std::max(maxGr, yL);
        };
        if (belowKnee && makeupSettled) {
            for (std::size_t i = 0; i < n; ++i) {
                gr = releaseCoef * gr;
                gainDb[i] = makeup - gr;
                stats(i, gr);
            }
        } else {
            // Both branches' steps are computed and one is selected, so the chain from one
            // y_L to the next is a multiply, an add and a select (the comparison runs beside
            // the multiply). (1 − a)·x_L is the same double as before either way.
            const double attackIn = 1.0 - attackCoef, releaseIn = 1.0 - releaseCoef;
            for (std::size_t i = 0; i < n; ++i) {
                const double xL = linked[i];
                const double up = attackCoef * gr + attackIn * xL;
                const double down = releaseCoef * gr + releaseIn * xL;
                gr = xL > gr ? up : down;
                makeup = makeupCoef * makeup + (1.0 - makeupCoef) * makeupTarget;
                gainDb[i] = makeup - gr;
                stats(i, gr);
            }
        }
        grDb_ = gr;
        makeupDb_ = makeup;
        floorEnv_ = floorEnv;
        grSum_ = grSum;
        maxGr_ = maxGr;
        grCount_ = grCount;

        std::fill(gainDb + n, gainDb + n4, 0.0);
        for (std::size_t f = 0; f < n4; f += 4) {
            const Float4 g = fast::dbToGain(toFloat4(gainDb + f));
            std::memcpy(gain + f, &g, sizeof g);
        }
        for (int c = 0; c < channels; ++c) {
            float* x = block.channel(c) + from;
            for (std::size_t i = 0; i < n; ++i)
                x[i] *= gain[i];
        }
    }
    // Decayed state to zero before it turns denormal (long releases into silence).
    if (grDb_ < 1e-12)
        grDb_ = 0.0;
    for (double& ms : meanSquare_)
        if (ms < 1e-100)
            ms = 0.0;
    if (sidechainOn_)
        sidechainHp_.snapToZero();
}

} // namespace mm
