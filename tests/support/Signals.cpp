#include "support/Signals.h"

#include <sndfile.h>

#include <algorithm>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

namespace mm::test {

AudioBuffer sine(double sampleRate, int channels, double seconds, double freq, double dbfs, double phase)
{
    const auto n = static_cast<std::size_t>(std::llround(seconds * sampleRate));
    AudioBuffer b(channels, n);
    const double a = dbToGain(dbfs);
    const double w = 2.0 * std::numbers::pi * freq / sampleRate;
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < n; ++i)
            b.channel(c)[i] = static_cast<float>(a * std::sin(w * static_cast<double>(i) + phase));
    return b;
}

AudioBuffer whiteNoise(double sampleRate, int channels, double seconds, double dbfs, std::uint64_t seed)
{
    const auto n = static_cast<std::size_t>(std::llround(seconds * sampleRate));
    AudioBuffer b(channels, n);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0.0, dbToGain(dbfs));
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < n; ++i)
            b.channel(c)[i] = static_cast<float>(g(rng));
    return b;
}

AudioBuffer pinkNoise(double sampleRate, int channels, double seconds, double dbfs, std::uint64_t seed)
{
    AudioBuffer b = whiteNoise(sampleRate, channels, seconds, 0.0, seed);
    for (int c = 0; c < channels; ++c) {
        // Paul Kellet's economy pink filter (±0.5 dB from 9 Hz to Nyquist at 44.1 kHz).
        double b0 = 0, b1 = 0, b2 = 0;
        float* x = b.channel(c);
        double sumSq = 0;
        for (std::size_t i = 0; i < b.frames(); ++i) {
            const double w = x[i];
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            const double p = b0 + b1 + b2 + w * 0.1848;
            x[i] = static_cast<float>(p);
            sumSq += p * p;
        }
        const double rms = std::sqrt(sumSq / static_cast<double>(b.frames()));
        const double g = dbToGain(dbfs) / rms;
        for (std::size_t i = 0; i < b.frames(); ++i)
            x[i] = static_cast<float>(x[i] * g);
    }
    return b;
}

void append(AudioBuffer& head, const AudioBuffer& tail)
{
    AudioBuffer out(head.channels(), head.frames() + tail.frames());
    for (int c = 0; c < head.channels(); ++c) {
        std::copy(head.channel(c), head.channel(c) + head.frames(), out.channel(c));
        std::copy(tail.channel(c), tail.channel(c) + tail.frames(), out.channel(c) + head.frames());
    }
    head = std::move(out);
}

void writeFile(const std::string& path, const AudioBuffer& buffer, int sampleRate, int sfFormat)
{
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = buffer.channels();
    info.format = sfFormat;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f)
        throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
    const int sub = sfFormat & SF_FORMAT_SUBMASK;
    const auto count = buffer.frames() * static_cast<std::size_t>(buffer.channels());
    if (sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE) {
        std::vector<double> inter(count);
        for (int c = 0; c < buffer.channels(); ++c)
            for (std::size_t i = 0; i < buffer.frames(); ++i)
                inter[i * static_cast<std::size_t>(buffer.channels()) + static_cast<std::size_t>(c)] = buffer.channel(c)[i];
        sf_writef_double(f, inter.data(), static_cast<sf_count_t>(buffer.frames()));
    } else {
        // Integer formats: scale by 2^31 ourselves so that reading back (÷ 2^(bits−1)) is
        // exact to the rounding; libsndfile's own double→int path scales by 2^(bits−1) − 1.
        const int bits = sub == SF_FORMAT_PCM_16 ? 16 : sub == SF_FORMAT_PCM_24 ? 24 : sub == SF_FORMAT_PCM_32 ? 32 : 8;
        const double scale = std::ldexp(1.0, bits - 1);
        std::vector<int> inter(count);
        for (int c = 0; c < buffer.channels(); ++c)
            for (std::size_t i = 0; i < buffer.frames(); ++i) {
                const double q = std::clamp(std::nearbyint(buffer.channel(c)[i] * scale), -scale, scale - 1.0);
                inter[i * static_cast<std::size_t>(buffer.channels()) + static_cast<std::size_t>(c)] =
                    static_cast<int>(std::ldexp(q, 32 - bits));
            }
        sf_writef_int(f, inter.data(), static_cast<sf_count_t>(buffer.frames()));
    }
    sf_close(f);
}

AudioBuffer readFile(const std::string& path, int* sampleRate)
{
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f)
        throw std::runtime_error("cannot read " + path);
    std::vector<float> inter(static_cast<std::size_t>(info.frames * info.channels));
    sf_readf_float(f, inter.data(), info.frames);
    sf_close(f);
    AudioBuffer b(info.channels, static_cast<std::size_t>(info.frames));
    for (int c = 0; c < info.channels; ++c)
        for (std::size_t i = 0; i < b.frames(); ++i)
            b.channel(c)[i] = inter[i * static_cast<std::size_t>(info.channels) + static_cast<std::size_t>(c)];
    if (sampleRate)
        *sampleRate = info.samplerate;
    return b;
}

} // namespace mm::test
