#include "analysis/LoudnessMeter.h"

#include "core/Errors.h"
#include "dsp/SimdLanes.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm {

struct LoudnessMeter::Ebur128 {
    ebur128_state* state = nullptr;
};

LoudnessMeter::LoudnessMeter(double sampleRate, int channels, bool measureTruePeak, bool integratedOnly)
    : channels_(channels), truePeak_(measureTruePeak), integratedOnly_(integratedOnly)
{
    // A mono file is measured as one channel (weight 1): the loudness it has once panned
    // to the centre with the constant-power law (−3 dB in each of two channels).
    if (measureTruePeak) {
        // libebur128's true peak is read per channel (peaks_, screened), not by this state.
        const int mode = EBUR128_MODE_I | (integratedOnly ? 0 : EBUR128_MODE_LRA);
        ebu_ = new Ebur128{ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(std::lround(sampleRate)), mode)};
        if (!ebu_->state) {
            delete ebu_;
            throw InternalError("libebur128 initialisation failed");
        }
    }
    if (truePeak_)
        for (int c = 0; c < channels; ++c)
            peaks_.push_back(std::make_unique<Ebur128ChannelPeak>(sampleRate));
    if (!integratedOnly_)
        sliding_.prepare(sampleRate, channels);
    else if (!ebu_)
        integrated_.prepare(sampleRate, channels);
}

LoudnessMeter::~LoudnessMeter()
{
    if (ebu_) {
        if (ebu_->state)
            ebur128_destroy(&ebu_->state);
        delete ebu_;
    }
}

void LoudnessMeter::process(const AudioBuffer& block)
{
    if (block.frames() == 0)
        return;
    processLibrary(block);
    if (!integratedOnly_)
        sliding_.process(block);
    else if (!ebu_)
        integrated_.process(block);
}

void LoudnessMeter::processPair(LoudnessMeter& a, const AudioBuffer& x, LoudnessMeter& b, const AudioBuffer& y)
{
    if (x.frames() == 0 || y.frames() == 0 || a.integratedOnly_ || b.integratedOnly_) {
        a.process(x);
        b.process(y);
        return;
    }
    a.processLibrary(x);
    b.processLibrary(y);
    SlidingLoudness::processPair(a.sliding_, x, b.sliding_, y);
}

void LoudnessMeter::processLibrary(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    if (ebu_) {
        interleaved_.resize(n * static_cast<std::size_t>(channels_));
        for (int c = 0; c < channels_; ++c) {
            const float* src = block.channel(c);
            for (std::size_t i = 0; i < n; ++i)
                interleaved_[i * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(c)] = src[i];
        }
        if (ebur128_add_frames_float(ebu_->state, interleaved_.data(), n) != EBUR128_SUCCESS)
            throw InternalError("libebur128 failed to add frames");
    }
    for (std::size_t c = 0; c < peaks_.size(); ++c)
        peaks_[c]->process(block.channel(static_cast<int>(c)), n);
}

LoudnessResult LoudnessMeter::result() const
{
    LoudnessResult r;
    constexpr double kNegInf = -std::numeric_limits<double>::infinity();
    double v = 0.0;
    if (ebu_) {
        r.integratedLufs = ebur128_loudness_global(ebu_->state, &v) == EBUR128_SUCCESS ? v : kNegInf;
        if (!integratedOnly_)
            r.lraLu = ebur128_loudness_range(ebu_->state, &v) == EBUR128_SUCCESS ? v : 0.0;
    } else if (integratedOnly_) {
        r.integratedLufs = integrated_.integratedLufs();
    } else {
        r.integratedLufs = sliding_.integratedLufs();
        r.lraLu = sliding_.loudnessRangeLu();
    }
    if (!std::isfinite(r.lraLu))
        r.lraLu = 0.0;
    if (truePeak_) {
        double peak = 0.0;
        for (const auto& p : peaks_)
            peak = std::max(peak, p->truePeak());
        r.truePeakDbtp = peak > 0.0 ? 20.0 * std::log10(peak) : kNegInf;
    } else {
        r.truePeakDbtp = std::numeric_limits<double>::quiet_NaN();
    }
    if (integratedOnly_)
        return r;
    r.maxMomentaryLufs = sliding_.maxMomentaryLufs();
    r.maxShortTermLufs = sliding_.maxShortTermLufs();
    r.shortTermPerSecond = sliding_.shortTermPerSecond();
    return r;
}

struct Ebur128ChannelPeak::State {
    ebur128_state* state = nullptr;
};

Ebur128ChannelPeak::Ebur128ChannelPeak(double sampleRate)
    : state_(new State{ebur128_init(1, static_cast<unsigned long>(std::lround(sampleRate)), EBUR128_MODE_TRUE_PEAK)})
{
    if (!state_->state) {
        delete state_;
        throw InternalError("libebur128 initialisation failed");
    }
    screen_.prepare(1, sampleRate);
    buf_.assign(static_cast<std::size_t>(screen_.history() + Ebur128TruePeak::kChunk), 0.0f);
    scratch_.assign(Ebur128TruePeak::kChunk, 0.0f);
}

Ebur128ChannelPeak::~Ebur128ChannelPeak()
{
    ebur128_destroy(&state_->state);
    delete state_;
}

void Ebur128ChannelPeak::feed(const float* samples, std::size_t n, bool counted)
{
    if (ebur128_add_frames_float(state_->state, samples, n) != EBUR128_SUCCESS)
        throw InternalError("libebur128 failed to add frames");
    measured_ += static_cast<std::int64_t>(n);
    double p = 0.0;
    if (counted && ebur128_prev_true_peak(state_->state, 0, &p) == EBUR128_SUCCESS)
        peak_ = std::max(peak_, p);
}

void Ebur128ChannelPeak::process(const float* samples, std::size_t n)
{
    constexpr std::size_t kChunk = Ebur128TruePeak::kChunk;
    const auto h = static_cast<std::size_t>(screen_.history());
    // Float and double readings of a point differ by < 2e-6 of the input peak (13 float
    // roundings of coefficients and sums, Σ|c| < 1.9); 1e-5 leaves a wide margin.
    constexpr float kScreenMargin = 1e-5f;
    for (std::size_t from = 0; from < n; from += kChunk) {
        const std::size_t m = std::min(kChunk, n - from);
        std::copy(samples + from, samples + from + m, buf_.begin() + static_cast<std::ptrdiff_t>(h));
        const float* cur = buf_.data() + h;
        const float inPeak = peakAbs(buf_.data(), h + m); // every sample the chunk's points read
        bool wanted = inPeak * screen_.gainBound() >= peak_;
        if (wanted)
            wanted = screen_.chunkPeak(cur, static_cast<int>(m), scratch_.data()) + kScreenMargin * inPeak >= peak_;
        if (wanted) {
            if (!lastFed_)
                feed(buf_.data(), h, false); // history: libebur128's delay line reads it
            feed(cur, m, true);
        }
        lastFed_ = wanted;
        std::copy(buf_.begin() + static_cast<std::ptrdiff_t>(m), buf_.begin() + static_cast<std::ptrdiff_t>(m + h), buf_.begin());
    }
}

} // namespace mm
