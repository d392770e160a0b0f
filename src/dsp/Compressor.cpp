#include "dsp/Compressor.h"

#include "dsp/FastMath.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

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

namespace {

// detect()'s per-frame work for two channels, one SIMD lane each (the side-chain filter's
// and the RMS smoother's recursions of both channels as one). Every value sees the same
// operations in the same order as in detect() (0 + a + b, max(max(0, a), b)): bit-
// identical (FastPathTest). The state lives in registers from construction to end().
template <bool Sidechain, bool Rms, bool LinkMax>
class StereoDetector {
public:
    StereoDetector(Biquad& hp, std::vector<double>& meanSquare, double rmsCoef) noexcept
        : hp_(hp), meanSquare_(meanSquare), coef_{rmsCoef, rmsCoef}, rest_{1.0 - rmsCoef, 1.0 - rmsCoef},
          ms_{meanSquare[0], meanSquare[1]}
    {
    }
    /// Frame i of (l, r): its sample peak and linked detector power.
    void operator()(const float* l, const float* r, std::size_t i, double* linked, double* inputPeak) noexcept
    {
        inputPeak[i] = std::max(std::max(0.0, static_cast<double>(std::abs(l[i]))), static_cast<double>(std::abs(r[i])));
        Double2 d{static_cast<double>(l[i]), static_cast<double>(r[i])};
        if constexpr (Sidechain)
            d = hp_.step(d);
        Double2 p = d * d;
        if constexpr (Rms) {
            ms_ = coef_ * ms_ + rest_ * p;
            p = ms_;
        }
        linked[i] = LinkMax ? std::max(std::max(0.0, p[0]), p[1]) : ((0.0 + p[0]) + p[1]) / 2;
    }
    void end() noexcept
    {
        if constexpr (Sidechain)
            hp_.end();
        meanSquare_[0] = ms_[0];
        meanSquare_[1] = ms_[1];
    }

private:
    Biquad::StereoStepper hp_;
    std::vector<double>& meanSquare_;
    Double2 coef_, rest_, ms_;
};

} // namespace

// The gain smoother and its statistics for one chunk, frame by frame, with the state in
// locals (as members, the stores to gainDb[] — which might alias them — made the compiler
// load and store each of them every frame, a store-forwarding round trip on the critical
// path). `side(i)` runs in the same loop for frames i < sideFrames: the stereo detector of
// the next chunk, whose recursions are independent of the smoother's, so the two dependency
// chains overlap instead of following each other. Same operations, same order per value
// as separate loops: bit-identical.
template <class Side>
void Compressor::smoothChunk(const double* xL, const double* inputPeak, std::size_t n, double* gainDb, double makeupTarget,
                             double floorLin, Side&& side, std::size_t sideFrames) noexcept
{
    // Two exact shortcuts shorten the smoother's chains: with x_L = 0 throughout (below
    // the knee) and y_L ≥ 0, the release step a·y + (1 − a)·0 is a·y bit for bit; and a
    // make-up smoother at its fixed point (one step leaves it unchanged) stays there.
    bool belowKnee = grDb_ >= 0.0;
    for (std::size_t i = 0; i < n && belowKnee; ++i)
        belowKnee = xL[i] == 0.0;
    const bool makeupSettled = makeupCoef_ * makeupDb_ + (1.0 - makeupCoef_) * makeupTarget == makeupDb_;
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
    // frame(i) for i < n and side(i) for i < sideFrames, in one loop where both run.
    const auto interleaved = [&](auto&& frame) {
        const std::size_t both = std::min(n, sideFrames);
        std::size_t i = 0;
        for (; i < both; ++i) {
            side(i);
            frame(i);
        }
        for (; i < n; ++i)
            frame(i);
        for (; i < sideFrames; ++i)
            side(i);
    };
    if (belowKnee && makeupSettled) {
        interleaved([&](std::size_t i) {
            gr = releaseCoef * gr;
            gainDb[i] = makeup - gr;
            stats(i, gr);
        });
    } else {
        // Both branches' steps are computed and one is selected, so the chain from one y_L
        // to the next is a multiply, an add and a select (the comparison runs beside the
        // multiply). (1 − a)·x_L is the same double as before either way.
        const double attackIn = 1.0 - attackCoef, releaseIn = 1.0 - releaseCoef;
        interleaved([&](std::size_t i) {
            const double x = xL[i];
            const double up = attackCoef * gr + attackIn * x;
            const double down = releaseCoef * gr + releaseIn * x;
            gr = x > gr ? up : down;
            makeup = makeupCoef * makeup + (1.0 - makeupCoef) * makeupTarget;
            gainDb[i] = makeup - gr;
            stats(i, gr);
        });
    }
    grDb_ = gr;
    makeupDb_ = makeup;
    floorEnv_ = floorEnv;
    grSum_ = grSum;
    maxGr_ = maxGr;
    grCount_ = grCount;
}

template <class StereoDet>
void Compressor::processChunks(AudioBuffer& block, StereoDet&& det) noexcept
{
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
    constexpr bool kFused = !std::is_same_v<std::decay_t<StereoDet>, std::nullptr_t>;

    // Chunk-wise passes, each a simple loop over the frames, so the independent ones
    // (detector, gain computer, dB to gain, gain per channel) vectorise or at least
    // pipeline; the smoother runs frame by frame, in stereo together with the next chunk's
    // detector (smoothChunk). The detector runs one chunk ahead: chunk k + 1's input is
    // read before chunk k's gain is applied (it changes only chunk k). Every frame sees the
    // same arithmetic in the same order as a per-frame loop would.
    double linkedBuf[2][kChunk], peakBuf[2][kChunk], gainDb[kChunk];
    float gain[kChunk];
    const std::size_t total = block.frames();
    const auto detectChunk = [&](std::size_t from, std::size_t n, double* linked, double* peak) {
        if constexpr (kFused) {
            const float* l = block.channel(0) + from;
            const float* r = block.channel(1) + from;
            for (std::size_t i = 0; i < n; ++i)
                det(l, r, i, linked, peak);
        } else {
            detect(block, from, n, linked, peak);
        }
    };
    int cur = 0;
    if (total > 0)
        detectChunk(0, std::min(kChunk, total), linkedBuf[0], peakBuf[0]);
    for (std::size_t from = 0; from < total; from += kChunk) {
        const std::size_t n = std::min(kChunk, total - from);
        const std::size_t next = from + n;
        const std::size_t m = next < total ? std::min(kChunk, total - next) : 0;
        double* linked = linkedBuf[cur];
        const double* inputPeak = peakBuf[cur];

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

        if constexpr (kFused) {
            const float* l = block.channel(0) + next;
            const float* r = block.channel(1) + next;
            double* nextLinked = linkedBuf[1 - cur];
            double* nextPeak = peakBuf[1 - cur];
            smoothChunk(linked, inputPeak, n, gainDb, makeupTarget, floorLin,
                        [&](std::size_t i) { det(l, r, i, nextLinked, nextPeak); }, m);
        } else {
            smoothChunk(linked, inputPeak, n, gainDb, makeupTarget, floorLin, [](std::size_t) {}, 0);
            if (m > 0)
                detect(block, next, m, linkedBuf[1 - cur], peakBuf[1 - cur]);
        }

        std::fill(gainDb + n, gainDb + n4, 0.0);
        for (std::size_t f = 0; f < n4; f += 4) {
            const Float4 g = fast::dbToGain(toFloat4(gainDb + f));
            std::memcpy(gain + f, &g, sizeof g);
        }
        for (int c = 0; c < std::min(block.channels(), channels_); ++c) {
            float* x = block.channel(c) + from;
            for (std::size_t i = 0; i < n; ++i)
                x[i] *= gain[i];
        }
        cur = 1 - cur;
    }
}

void Compressor::process(AudioBuffer& block) noexcept
{
    const int channels = std::min(block.channels(), channels_);
    if (channels == 0)
        return;
    const bool stereo = channels == 2;
    const bool rms = params_.detector == Detector::Rms;
    const bool linkMax = params_.link == StereoLink::Max;
    // One instantiation of the chunk loop per detector variant (compile-time flags keep
    // the fused loop's body tight); other channel counts use detect() without fusion.
    if (stereo) {
        const auto run = [&]<bool S, bool R, bool M>() {
            StereoDetector<S, R, M> det(sidechainHp_, meanSquare_, rmsCoef_);
            processChunks(block, [&](const float* l, const float* r, std::size_t i, double* linked, double* peak) {
                det(l, r, i, linked, peak);
            });
            det.end();
        };
        if (sidechainOn_)
            rms ? (linkMax ? run.template operator()<true, true, true>() : run.template operator()<true, true, false>())
                : (linkMax ? run.template operator()<true, false, true>() : run.template operator()<true, false, false>());
        else
            rms ? (linkMax ? run.template operator()<false, true, true>() : run.template operator()<false, true, false>())
                : (linkMax ? run.template operator()<false, false, true>() : run.template operator()<false, false, false>());
    } else {
        processChunks(block, nullptr);
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
