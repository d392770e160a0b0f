#include "analysis/Analyzer.h"

#include "dsp/SimdLanes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mm {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double toDb(double linear)
{
    return linear > 0.0 ? 20.0 * std::log10(linear) : kNegInf;
}

} // namespace

Analyzer::Analyzer(double sampleRate, int channels, AnalyzerOptions options)
    : rate_(sampleRate), channels_(channels), options_(options),
      loudness_(sampleRate, channels, options.truePeak, false),
      spectrum_(std::make_unique<SpectrumAnalyzer>(sampleRate, options.features,
                                                   options.features ? SpectrumResolution::Stem : SpectrumResolution::Fine)),
      channelSum_(static_cast<std::size_t>(channels), 0.0), clipRun_(static_cast<std::size_t>(channels), 0)
{
    if (options_.expectedFrames > 0) {
        bucketLen_ = std::max<std::int64_t>(1, options_.expectedFrames / 2000);
        waveform_.reserve(static_cast<std::size_t>(options_.expectedFrames / bucketLen_ + 2));
    }
    if (options_.fastTruePeak && !options_.truePeak) {
        fastPeak_ = std::make_unique<Ebur128TruePeak>();
        fastPeak_->prepare(channels, sampleRate);
    }
    winLen_ = static_cast<std::size_t>(std::lround(0.01 * sampleRate));
    winEnergies_.reserve(static_cast<std::size_t>(options_.expectedFrames > 0 ? options_.expectedFrames / static_cast<std::int64_t>(winLen_) + 2 : 1024));
    keepEnvelope_ = options_.features && winLen_ > 0;
    if (keepEnvelope_) {
        winChannelSum_.assign(static_cast<std::size_t>(std::max(channels, 1)), 0.0);
        features_.envelopeMeanSquare.reserve(winEnergies_.capacity());
        features_.envelopePeakPower.reserve(winEnergies_.capacity());
    }
}

Analyzer::~Analyzer() = default;

void Analyzer::process(const AudioBuffer& block)
{
    if (block.frames() == 0)
        return;
    loudness_.process(block);
    processRest(block);
}

void Analyzer::processPair(Analyzer& a, const AudioBuffer& x, Analyzer& b, const AudioBuffer& y)
{
    if (x.frames() == 0 || y.frames() == 0) {
        a.process(x);
        b.process(y);
        return;
    }
    LoudnessMeter::processPair(a.loudness_, x, b.loudness_, y);
    a.processRest(x);
    b.processRest(y);
}

void Analyzer::processRest(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    if (fastPeak_)
        fastPeak_->process(block);
    stereo_.process(block);
    spectrum_->process(block);
    if (channels_ == 2)
        processStereo(block.channel(0), block.channel(1), n);
    else
        processChannels(block);
    frames_ += static_cast<std::int64_t>(n);
}

namespace {

constexpr float kClipLevel = 0.999f;

struct RunStats {
    double energyL = 0.0, energyR = 0.0, sumL = 0.0, sumR = 0.0;
    float peak = 0.0f;
};

// Σl², Σr², Σl, Σr and the largest |l|, |r| of a run, four frames per step: each sum runs
// in four independent lanes (two pairs), so its adds pipeline instead of each waiting on
// the one before.
RunStats stereoRun(const float* l, const float* r, std::size_t n) noexcept
{
    Double2 el0{}, el1{}, er0{}, er1{}, sl0{}, sl1{}, sr0{}, sr1{};
    Float4 pk{};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        Float4 a, b;
        std::memcpy(&a, l + i, sizeof a);
        std::memcpy(&b, r + i, sizeof b);
        pk = max4(pk, max4(abs4(a), abs4(b)));
        const Double2 a0{a[0], a[1]}, a1{a[2], a[3]}, b0{b[0], b[1]}, b1{b[2], b[3]};
        el0 += a0 * a0;
        el1 += a1 * a1;
        er0 += b0 * b0;
        er1 += b1 * b1;
        sl0 += a0;
        sl1 += a1;
        sr0 += b0;
        sr1 += b1;
    }
    float peak = std::max(std::max(pk[0], pk[1]), std::max(pk[2], pk[3]));
    for (; i < n; ++i) {
        const double a = l[i], b = r[i];
        el0[0] += a * a;
        er0[0] += b * b;
        sl0[0] += a;
        sr0[0] += b;
        peak = std::max(peak, std::max(std::fabs(l[i]), std::fabs(r[i])));
    }
    const Double2 el = el0 + el1, er = er0 + er1, sl = sl0 + sl1, sr = sr0 + sr1;
    return {el[0] + el[1], er[0] + er[1], sl[0] + sl[1], sr[0] + sr[1], peak};
}

} // namespace

void Analyzer::processStereo(const float* l, const float* r, std::size_t n)
{
    // In runs that end where a 10 ms window or a waveform bucket does, so the per-frame
    // loop carries no counters.
    float blockPeak = 0.0f;
    for (std::size_t i = 0; i < n;) {
        std::size_t len = n - i;
        if (winLen_ > 0)
            len = std::min(len, winLen_ - winFill_);
        if (bucketLen_ > 0)
            len = std::min(len, static_cast<std::size_t>(bucketLen_ - bucketFill_));
        const RunStats s = stereoRun(l + i, r + i, len);
        i += len;
        channelSum_[0] += s.sumL;
        channelSum_[1] += s.sumR;
        sumSq_ += s.energyL + s.energyR;
        blockPeak = std::max(blockPeak, s.peak);
        if (bucketLen_ > 0) {
            bucketPeak_ = std::max(bucketPeak_, s.peak);
            if ((bucketFill_ += static_cast<std::int64_t>(len)) == bucketLen_) {
                waveform_.push_back(bucketPeak_);
                bucketPeak_ = 0.0f;
                bucketFill_ = 0;
            }
        }
        if (winLen_ > 0) {
            winSum_ += (s.energyL + s.energyR) * 0.5; // the mean over the two channels
            if (keepEnvelope_) {
                winChannelSum_[0] += s.energyL;
                winChannelSum_[1] += s.energyR;
            }
            winPeak_ = std::max(winPeak_, s.peak);
            if ((winFill_ += len) == winLen_)
                closeWindow();
        }
    }
    peak_ = std::max(peak_, static_cast<double>(blockPeak));
    if (blockPeak >= kClipLevel) {
        countClips(0, l, n);
        countClips(1, r, n);
    } else {
        clipRun_[0] = clipRun_[1] = 0; // every sample below the clip level ends a run
    }
}

void Analyzer::countClips(int channel, const float* x, std::size_t n)
{
    int run = clipRun_[static_cast<std::size_t>(channel)];
    for (std::size_t i = 0; i < n; ++i) {
        if (std::fabs(x[i]) >= kClipLevel) {
            if (++run == 3)
                clipped_ += 3;
            else if (run > 3)
                ++clipped_;
        } else {
            run = 0;
        }
    }
    clipRun_[static_cast<std::size_t>(channel)] = run;
}

void Analyzer::processChannels(const AudioBuffer& block)
{
    const std::size_t n = block.frames();
    for (int c = 0; c < channels_; ++c) {
        const float* x = block.channel(c);
        double sum = 0.0, sq = 0.0;
        float peak = 0.0f;
        for (std::size_t i = 0; i < n; ++i) {
            peak = std::max(peak, std::fabs(x[i]));
            sum += x[i];
            sq += static_cast<double>(x[i]) * x[i];
        }
        countClips(c, x, n);
        peak_ = std::max(peak_, static_cast<double>(peak));
        sumSq_ += sq;
        channelSum_[static_cast<std::size_t>(c)] += sum;
    }
    if (bucketLen_ > 0) {
        for (std::size_t i = 0; i < n;) {
            const auto len = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(n - i), bucketLen_ - bucketFill_));
            float peak = bucketPeak_;
            for (std::size_t k = i; k < i + len; ++k)
                for (int c = 0; c < channels_; ++c)
                    peak = std::max(peak, std::fabs(block.channel(c)[k]));
            bucketPeak_ = peak;
            i += len;
            if ((bucketFill_ += static_cast<std::int64_t>(len)) == bucketLen_) {
                waveform_.push_back(bucketPeak_);
                bucketPeak_ = 0.0f;
                bucketFill_ = 0;
            }
        }
    }
    trackTransients(block);
}

void Analyzer::trackTransients(const AudioBuffer& block)
{
    // In runs up to the end of the current 10 ms window.
    const std::size_t n = block.frames();
    if (winLen_ == 0)
        return;
    for (std::size_t i = 0; i < n;) {
        const std::size_t len = std::min(n - i, winLen_ - winFill_);
        double sum = winSum_;
        for (std::size_t k = i; k < i + len; ++k) {
            double e = 0.0;
            for (int c = 0; c < channels_; ++c) {
                const double ec = static_cast<double>(block.channel(c)[k]) * block.channel(c)[k];
                e += ec;
                if (keepEnvelope_)
                    winChannelSum_[static_cast<std::size_t>(c)] += ec;
                winPeak_ = std::max(winPeak_, std::fabs(block.channel(c)[k]));
            }
            sum += e / channels_;
        }
        winSum_ = sum;
        i += len;
        if ((winFill_ += len) == winLen_)
            closeWindow();
    }
}

void Analyzer::closeWindow()
{
    winEnergies_.push_back(static_cast<float>(winSum_ / static_cast<double>(winLen_)));
    winSum_ = 0.0;
    winFill_ = 0;
    if (keepEnvelope_) {
        const double loudest = *std::max_element(winChannelSum_.begin(), winChannelSum_.end());
        features_.envelopeMeanSquare.push_back(static_cast<float>(loudest / static_cast<double>(winLen_)));
        features_.envelopePeakPower.push_back(winPeak_ * winPeak_);
        std::fill(winChannelSum_.begin(), winChannelSum_.end(), 0.0);
    }
    winPeak_ = 0.0f;
}

AudioMetrics Analyzer::finish()
{
    spectrum_->finish();
    AudioMetrics m;
    m.sampleRate = static_cast<int>(std::lround(rate_));
    m.channels = channels_;
    m.durationS = static_cast<double>(frames_) / rate_;
    const LoudnessResult l = loudness_.result();
    m.integratedLufs = l.integratedLufs;
    m.lraLu = l.lraLu;
    m.truePeakDbtp = l.truePeakDbtp;
    if (fastPeak_) {
        const double p = fastPeak_->truePeak();
        m.truePeakDbtp = p > 0.0 ? 20.0 * std::log10(p) : kNegInf;
    }
    m.maxMomentaryLufs = l.maxMomentaryLufs;
    m.maxShortTermLufs = l.maxShortTermLufs;
    m.shortTermPerSecond = l.shortTermPerSecond;
    m.samplePeakDbfs = toDb(peak_);
    const double samples = static_cast<double>(std::max<std::int64_t>(1, frames_)) * channels_;
    m.rmsDbfs = toDb(std::sqrt(sumSq_ / samples));
    m.crestDb = (peak_ > 0.0 && sumSq_ > 0.0) ? m.samplePeakDbfs - m.rmsDbfs : 0.0;
    const StereoResult s = stereo_.result();
    m.correlation = s.correlation;
    m.widthPct = s.widthPct;
    for (double sum : channelSum_) {
        const double mean = sum / static_cast<double>(std::max<std::int64_t>(1, frames_));
        if (std::fabs(mean) > std::fabs(m.dcOffset))
            m.dcOffset = mean;
    }
    m.clippedSamples = clipped_;
    m.thirdOctaveDb = spectrum_->thirdOctaveDb();
    if (bucketLen_ > 0) {
        if (bucketFill_ > 0)
            waveform_.push_back(bucketPeak_);
        m.waveformPeaks = waveform_;
    }

    // Features: activity and transient density from the 10 ms energies.
    StemFeatures& f = features_;
    f.silent = peak_ < 1e-6; // below −120 dBFS: nothing there
    if (options_.features) {
        f.bandDb = spectrum_->mixBandsDb();
        f.bandFrames = spectrum_->frames();
        f.frameSeconds = spectrum_->hopSeconds();
        const auto& tc = thirdOctaveCentres();
        double num = 0.0, den = 0.0;
        for (std::size_t b = 0; b < tc.size() && b < m.thirdOctaveDb.size(); ++b) {
            const double p = std::pow(10.0, m.thirdOctaveDb[b] / 10.0);
            num += tc[b] * p;
            den += p;
        }
        f.spectralCentroidHz = den > 0.0 ? num / den : 0.0;
    }
    constexpr std::size_t kPerBlock = 40; // 400 ms of 10 ms windows
    std::vector<double> blocks;
    for (std::size_t i = 0; i + kPerBlock <= winEnergies_.size(); i += kPerBlock) {
        double e = 0.0;
        for (std::size_t k = 0; k < kPerBlock; ++k)
            e += winEnergies_[i + k];
        blocks.push_back(e / kPerBlock);
    }
    if (blocks.empty() && !winEnergies_.empty())
        blocks.push_back(*std::max_element(winEnergies_.begin(), winEnergies_.end()));
    const double loudest = blocks.empty() ? 0.0 : *std::max_element(blocks.begin(), blocks.end());
    const double gate = std::max(1e-6, loudest * 0.01); // −20 dB below the loudest, above −60 dBFS
    std::size_t active = 0;
    for (double e : blocks)
        active += e >= gate ? 1 : 0;
    f.activity = blocks.empty() || f.silent ? 0.0 : static_cast<double>(active) / static_cast<double>(blocks.size());
    std::size_t onsets = 0, refractory = 0;
    for (std::size_t i = 5; i < winEnergies_.size(); ++i) {
        if (refractory > 0) {
            --refractory;
            continue;
        }
        double prev = 0.0;
        for (std::size_t k = i - 5; k < i; ++k)
            prev += winEnergies_[k];
        prev /= 5.0;
        if (winEnergies_[i] >= gate && winEnergies_[i] > 4.0 * prev + 1e-9) {
            ++onsets;
            refractory = 5; // 50 ms
        }
    }
    f.levelHistogram.assign(static_cast<std::size_t>(-StemFeatures::kHistFloorDb / StemFeatures::kHistStepDb) + 40, 0.0f);
    for (float e : winEnergies_) {
        if (e < gate)
            continue;
        const double db = 10.0 * std::log10(std::max(1e-20, static_cast<double>(e)));
        const auto bin = static_cast<long>((db - StemFeatures::kHistFloorDb) / StemFeatures::kHistStepDb);
        f.levelHistogram[static_cast<std::size_t>(std::clamp<long>(bin, 0, static_cast<long>(f.levelHistogram.size()) - 1))] += 1.0f;
    }
    const double activeSeconds = static_cast<double>(active) * 0.4;
    f.transientsPerSecond = activeSeconds > 0.0 ? static_cast<double>(onsets) / activeSeconds : 0.0;
    return m;
}

} // namespace mm
