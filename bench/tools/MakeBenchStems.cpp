// make_bench_stems OUTDIR [SECONDS] — writes the 12 benchmark stems, 48 kHz 24-bit
// stereo WAV, SECONDS long (default 240), into OUTDIR: kick, snare, hats, bass, keys,
// pad, guitar, strings, lead_vox, backing_vox, synth, fx (.wav). A 120 bpm song in A
// minor (Am–F–C–G, one chord per bar), synthesised from simple models: pitch-swept sine
// kicks, noise-and-tone snares, high-passed noise hats, a filtered-saw bass, decaying
// harmonic keys, detuned-saw pads, Karplus–Strong guitar, vibrato strings, formant-
// filtered pulse vocals (three vowel resonances), a square arpeggio and noise risers.
// Deterministic: every stem has its own seed, so the files are identical on every run
// and thread count. Each stem is normalised to a −3 dBFS sample peak.
#include "core/AudioWriter.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kRate = 48000;
constexpr double kPi = std::numbers::pi;
constexpr double kBeat = 0.5; // 120 bpm
constexpr double kBar = 4 * kBeat;

struct Rng {
    std::uint64_t s;
    double uniform() // [−1, 1)
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return static_cast<double>(s >> 11) * 0x1.0p-52 - 1.0;
    }
};

double midiHz(double note) { return 440.0 * std::pow(2.0, (note - 69.0) / 12.0); }

// Am, F, C, G: root (bass octave) and triad notes.
constexpr int kRoots[4] = {45, 41, 48, 43};
constexpr int kTriads[4][3] = {{57, 60, 64}, {53, 57, 60}, {60, 64, 67}, {55, 59, 62}};
int chordAt(double t) { return static_cast<int>(std::fmod(t / kBar, 4.0)); }

/// Two-pole resonator (band-pass around f, bandwidth bw Hz): the formant filter.
struct Resonator {
    double a1 = 0, a2 = 0, g = 0, y1 = 0, y2 = 0;
    void set(double f, double bw)
    {
        const double r = std::exp(-kPi * bw / kRate);
        a1 = 2.0 * r * std::cos(2.0 * kPi * f / kRate);
        a2 = -r * r;
        g = 1.0 - r;
    }
    double run(double x)
    {
        const double y = g * x + a1 * y1 + a2 * y2;
        y2 = y1;
        y1 = y;
        return y;
    }
};

struct OnePole { // low-pass, coefficient from a cutoff
    double z = 0;
    double run(double x, double fc)
    {
        const double a = 1.0 - std::exp(-2.0 * kPi * fc / kRate);
        z += a * (x - z);
        return z;
    }
};

double saw(double phase) { return 2.0 * (phase - std::floor(phase)) - 1.0; }

using Renderer = std::function<void(std::vector<float>&, std::vector<float>&, std::size_t, Rng&)>;

void kick(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng&)
{
    double phase = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, kBeat);
        phase += (48.0 + 110.0 * std::exp(-b * 35.0)) / kRate;
        const double v = std::exp(-b * 9.0) * std::sin(2 * kPi * phase) + 0.3 * std::exp(-b * 400.0);
        l[i] = r[i] = static_cast<float>(v);
    }
}

void snare(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng& rng)
{
    OnePole lp;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t + kBeat, 2 * kBeat);
        const double w = rng.uniform();
        const double noise = w - lp.run(w, 1500.0);
        const double v = std::exp(-b * 22.0) * (0.7 * noise + 0.5 * std::sin(2 * kPi * 185.0 * b));
        l[i] = static_cast<float>(v);
        r[i] = static_cast<float>(v * 0.9);
    }
}

void hats(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng& rng)
{
    OnePole lp;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, kBeat / 2);
        const bool open = std::fmod(t, kBeat) >= kBeat / 2 && std::fmod(t, kBar) >= 3 * kBeat;
        const double w = rng.uniform();
        const double v = (w - lp.run(w, 7000.0)) * std::exp(-b * (open ? 12.0 : 60.0));
        l[i] = static_cast<float>(v * 0.8);
        r[i] = static_cast<float>(v);
    }
}

void bass(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng&)
{
    double phase = 0;
    OnePole f1, f2;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, kBeat / 2);
        const int octave = static_cast<int>(t / (kBeat / 2)) % 4 == 3 ? 12 : 0;
        phase += midiHz(kRoots[chordAt(t)] - 12 + octave) / kRate;
        const double env = std::min(1.0, b * 400.0) * (0.5 + 0.5 * std::exp(-b * 8.0));
        const double v = f2.run(f1.run(saw(phase), 300.0 + 900.0 * std::exp(-b * 15.0)), 900.0) * env;
        l[i] = r[i] = static_cast<float>(v);
    }
}

void keys(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng&)
{
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, kBeat);
        const int c = chordAt(t);
        double vl = 0, vr = 0;
        for (int k = 0; k < 3; ++k) {
            const double f = midiHz(kTriads[c][k]);
            for (int h = 1; h <= 5; ++h) {
                const double s = std::sin(2 * kPi * f * h * t) * std::exp(-b * (3.0 + 2.0 * h)) / (h * h);
                vl += s * (k == 0 ? 1.0 : 0.6);
                vr += s * (k == 2 ? 1.0 : 0.6);
            }
        }
        const double attack = std::min(1.0, b * 1000.0);
        l[i] = static_cast<float>(vl * attack);
        r[i] = static_cast<float>(vr * attack);
    }
}

void pad(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng&)
{
    double ph[3][2] = {};
    OnePole fl, fr;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, kBar);
        const int c = chordAt(t);
        double vl = 0, vr = 0;
        for (int k = 0; k < 3; ++k) {
            const double f = midiHz(kTriads[c][k] - 12);
            ph[k][0] += f * 0.997 / kRate;
            ph[k][1] += f * 1.003 / kRate;
            vl += saw(ph[k][0]);
            vr += saw(ph[k][1]);
        }
        const double env = std::min(1.0, b / 0.4) * std::min(1.0, (kBar - b) / 0.1);
        const double cutoff = 800.0 + 500.0 * std::sin(2 * kPi * t / 16.0);
        l[i] = static_cast<float>(fl.run(0.7 * vl + 0.3 * vr, cutoff) * env); // ≈ 80 % width
        r[i] = static_cast<float>(fr.run(0.3 * vl + 0.7 * vr, cutoff) * env);
    }
}

void guitar(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng& rng)
{
    // Karplus–Strong: a noise burst in a delay line of one period, averaged each pass.
    std::vector<double> line(2048, 0.0);
    std::size_t len = 100, pos = 0;
    double last = 0;
    OnePole pick; // a softer pluck: less inter-sample overshoot than white noise
    const std::size_t step = static_cast<std::size_t>(kBeat / 2 * kRate);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % step == 0) {
            const double t = static_cast<double>(i) / kRate;
            const int note = kTriads[chordAt(t)][(i / step) % 3] - 12 + ((i / step) % 4 == 3 ? 12 : 0);
            len = static_cast<std::size_t>(std::lround(kRate / midiHz(note)));
            for (std::size_t k = 0; k < len; ++k)
                line[k] = pick.run(rng.uniform(), 3000.0);
            pos = 0;
        }
        const double y = line[pos];
        const double next = 0.498 * (y + last);
        last = y;
        line[pos] = next;
        pos = pos + 1 == len ? 0 : pos + 1;
        l[i] = static_cast<float>(y * 0.7);
        r[i] = static_cast<float>(y * 0.35);
    }
}

void strings(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng&)
{
    double ph[3] = {};
    OnePole fl;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, 2 * kBar);
        const int c = chordAt(t);
        const double vib = 1.0 + 0.004 * std::sin(2 * kPi * 5.5 * t);
        double v = 0;
        for (int k = 0; k < 3; ++k) {
            ph[k] += midiHz(kTriads[c][k]) * vib / kRate;
            v += saw(ph[k]);
        }
        const double swell = 0.3 + 0.7 * std::sin(kPi * b / (2 * kBar));
        const double y = fl.run(v, 2500.0) * swell;
        l[i] = static_cast<float>(y * 0.6);
        r[i] = static_cast<float>(y);
    }
}

// Formant vocal: a pulse train at the melody pitch, through F1–F3 of a vowel sequence.
void voice(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng& rng, int transpose, double panL, double panR, double phraseOffset)
{
    constexpr double kVowels[4][3] = {{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}}; // a i u e
    constexpr int kMelody[8] = {69, 72, 71, 69, 67, 69, 64, 67};
    Resonator f[3];
    double phase = 0, bright = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate + phraseOffset;
        const double inBar = std::fmod(t, 2 * kBar);
        const bool singing = inBar < 1.6 * kBar;
        const int note = kMelody[static_cast<int>(t / kBeat) % 8] + transpose;
        const double hz = midiHz(note) * (1.0 + 0.006 * std::sin(2 * kPi * 5.0 * t));
        phase += hz / kRate;
        const double pulse = phase - std::floor(phase) < 0.4 ? 1.0 : -0.6667; // glottal-ish
        if (i % 256 == 0) {
            const auto& v = kVowels[static_cast<int>(t / kBeat) % 4];
            for (int k = 0; k < 3; ++k)
                f[k].set(v[k], 60.0 + 40.0 * k);
        }
        bright += 0.001 * ((singing ? 1.0 : 0.0) - bright);
        const double src = pulse * bright + 0.02 * rng.uniform() * bright;
        const double y = f[0].run(src) + 0.5 * f[1].run(src) + 0.25 * f[2].run(src);
        l[i] = static_cast<float>(y * panL);
        r[i] = static_cast<float>(y * panR);
    }
}

void synth(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng&)
{
    double phase = 0;
    OnePole f;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, b = std::fmod(t, kBeat / 4);
        const int step = static_cast<int>(t / (kBeat / 4));
        const int note = kTriads[chordAt(t)][step % 3] + 12 * (step / 3 % 2);
        phase += midiHz(note) / kRate;
        const double sq = phase - std::floor(phase) < 0.5 ? 1.0 : -1.0;
        const double cutoff = 600.0 + 3000.0 * (0.5 + 0.5 * std::sin(2 * kPi * t / 8.0));
        const double y = f.run(sq, cutoff) * std::exp(-b * 20.0);
        const double swing = std::sin(2 * kPi * t / 4.0);
        l[i] = static_cast<float>(y * (0.7 + 0.3 * swing));
        r[i] = static_cast<float>(y * (0.7 - 0.3 * swing));
    }
}

void fx(std::vector<float>& l, std::vector<float>& r, std::size_t n, Rng& rng)
{
    OnePole fl, fr;
    const double period = 8 * kBar;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / kRate, p = std::fmod(t, period);
        const double rise = p > period - 2 * kBar ? (p - (period - 2 * kBar)) / (2 * kBar) : 0.0; // riser
        const double impact = std::exp(-p * 4.0) * std::sin(2 * kPi * 40.0 * p);                  // boom on the one
        const double cutoff = 200.0 + 8000.0 * rise * rise;
        const double nl = fl.run(rng.uniform(), cutoff), nr = fr.run(rng.uniform(), cutoff);
        l[i] = static_cast<float>(nl * rise * 2.0 + impact);
        r[i] = static_cast<float>(nr * rise * 2.0 + impact);
    }
}

struct Stem {
    const char* name;
    Renderer render;
};

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: make_bench_stems OUTDIR [SECONDS]\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const double seconds = argc > 2 ? std::atof(argv[2]) : 240.0;
    if (!(seconds > 0.0)) {
        std::fprintf(stderr, "make_bench_stems: SECONDS must be > 0\n");
        return 2;
    }
    std::filesystem::create_directories(dir);
    const std::vector<Stem> stems = {
        {"kick", kick}, {"snare", snare}, {"hats", hats}, {"bass", bass}, {"keys", keys}, {"pad", pad},
        {"guitar", guitar}, {"strings", strings},
        {"lead_vox", [](auto& l, auto& r, std::size_t n, Rng& g) { voice(l, r, n, g, 0, 1.0, 1.0, 0.0); }},
        {"backing_vox", [](auto& l, auto& r, std::size_t n, Rng& g) { voice(l, r, n, g, -5, 1.0, 0.4, kBeat); }},
        {"synth", synth}, {"fx", fx},
    };
    const auto frames = static_cast<std::size_t>(seconds * kRate);
    std::atomic<std::size_t> next{0};
    std::atomic<int> failed{0};
    auto worker = [&] {
        for (std::size_t s; (s = next++) < stems.size();) {
            try {
                std::vector<float> l(frames), r(frames);
                Rng rng{0x5EED0000ull + s * 7919ull};
                stems[s].render(l, r, frames, rng);
                float peak = 1e-9f;
                for (std::size_t i = 0; i < frames; ++i)
                    peak = std::max({peak, std::fabs(l[i]), std::fabs(r[i])});
                const float g = static_cast<float>(std::pow(10.0, -3.0 / 20.0)) / peak;
                mm::AudioWriter w((dir / (std::string(stems[s].name) + ".wav")).string(), kRate, 2, mm::OutputFormat::Wav24);
                mm::AudioBuffer block(2, 8192);
                for (std::size_t at = 0; at < frames; at += 8192) {
                    const std::size_t m = std::min<std::size_t>(8192, frames - at);
                    block.setFrames(m);
                    for (std::size_t i = 0; i < m; ++i) {
                        block.channel(0)[i] = l[at + i] * g;
                        block.channel(1)[i] = r[at + i] * g;
                    }
                    w.write(block);
                }
                w.commit();
            } catch (const std::exception& e) {
                std::fprintf(stderr, "make_bench_stems: %s: %s\n", stems[s].name, e.what());
                ++failed;
            }
        }
    };
    const unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(worker);
    for (auto& t : pool)
        t.join();
    if (failed)
        return 1;
    std::printf("make_bench_stems: %zu stems, %.0f s, 48 kHz 24-bit stereo in %s\n", stems.size(), seconds, dir.string().c_str());
    return 0;
}
