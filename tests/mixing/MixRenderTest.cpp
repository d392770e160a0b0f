// The second render's pre-fader cache: stems whose high-pass, EQ and compressor did not
// change are replayed from the first render's files. The mix must be bit-identical to a
// render of the same decisions from the stems themselves, and the replayed stems'
// compressor statistics must be the first render's; their post-fader loudness is read
// from the first render's meters through the fader change.
#include "core/AudioSource.h"
#include "core/ThreadPool.h"
#include "mixing/MixRender.h"
#include "support/Signals.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <filesystem>

namespace mm {
namespace {

std::vector<float> readAll(const std::string& path)
{
    AudioSource src(path, 0, 4096);
    AudioBuffer b(src.channels(), 4096);
    std::vector<float> all;
    while (src.read(b) > 0) {
        for (std::size_t k = 0; k < b.frames(); ++k)
            for (int c = 0; c < b.channels(); ++c)
                all.push_back(b.channel(c)[k]);
        b.setFrames(4096);
    }
    return all;
}

TEST(MixRender, ReplayFromPreFaderCacheIsBitIdentical)
{
    test::TempDir dir;
    const double fs = 48000.0;
    std::vector<StemInput> inputs;
    std::vector<StemDecision> decisions(3);
    // A stereo stem with EQ and compressor, a mono stem with a high-pass, a mono stem shorter than the others.
    test::writeFile(dir.file("a.wav"), test::pinkNoise(fs, 2, 3.0, -14.0, 1), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    test::writeFile(dir.file("b.wav"), test::sine(fs, 1, 3.0, 80.0, -6.0), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    test::writeFile(dir.file("c.wav"), test::whiteNoise(fs, 1, 2.2, -20.0, 2), 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    for (const char* n : {"a.wav", "b.wav", "c.wav"})
        inputs.push_back({dir.file(n), n, std::nullopt, std::nullopt, std::nullopt, false});
    decisions[0].eq.push_back({EqBand{FilterType::Peak, 250.0, 1.2, -3.0, true}, "test"});
    decisions[0].compress = true;
    decisions[0].comp.thresholdDb = -24.0;
    decisions[0].comp.ratio = 3.0;
    decisions[1].hpfHz = 100.0;
    decisions[1].pan = -0.4;
    decisions[2].compress = true;
    decisions[2].comp.thresholdDb = -30.0;
    decisions[2].drumBus = true;

    MixSettings settings;
    BusResult drum{"drum bus", true, "", settings.drumParallel};
    drum.comp.thresholdDb = -30.0;
    BusResult mixBus{"mix bus", true, "glue", settings.glue};
    mixBus.comp.thresholdDb = -20.0;
    MixOptions options;
    options.outDir = dir.path().string();
    ThreadPool pool(2);
    const std::int64_t total = 3 * 48000;

    PreFaderCache cache(dir.path().string());
    const auto first = renderMix(inputs, decisions, settings, drum, mixBus, 48000, total, dir.file("first.wav"), options, pool, &cache);
    ASSERT_TRUE(cache.written);
    EXPECT_EQ(first.reusedStems, 0);
    for (const auto& p : cache.paths)
        EXPECT_TRUE(std::filesystem::exists(p)) << p;

    // Second decisions: faders and pan changed everywhere, stem 2's compressor threshold too.
    auto second = decisions;
    second[0].gainDb = -2.5;
    second[1].gainDb = 1.5;
    second[1].pan = 0.3;
    second[2].gainDb = -1.0;
    second[2].comp.thresholdDb = -28.0;
    const auto replayed = renderMix(inputs, second, settings, drum, mixBus, 48000, total, dir.file("replayed.wav"), options, pool, &cache);
    EXPECT_EQ(replayed.reusedStems, 2); // a and b replayed, c rendered again
    const auto direct = renderMix(inputs, second, settings, drum, mixBus, 48000, total, dir.file("direct.wav"), options, pool, nullptr);

    const auto x = readAll(dir.file("replayed.wav")), y = readAll(dir.file("direct.wav"));
    ASSERT_EQ(x.size(), y.size());
    ASSERT_EQ(x.size(), static_cast<std::size_t>(2 * total));
    EXPECT_TRUE(x == y) << "replayed mix differs from the direct render";
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_DOUBLE_EQ(replayed.averageGr[i], direct.averageGr[i]) << i;
    // Stem a (replayed, pan and mute unchanged) is not metered again: its loudness is the
    // first render's meter read through the fader change, −2.5 dB. It matches the direct
    // render's meter to float rounding of the faded samples (≤ 1e-4 LU); b (pan changed)
    // and c (compressor changed) are metered, bit for bit as the direct render.
    EXPECT_NEAR(replayed.postLufs[0], direct.postLufs[0], 1e-4);
    EXPECT_NEAR(replayed.postLufs[0] - first.postLufs[0], -2.5, 1e-4);
    EXPECT_DOUBLE_EQ(replayed.postLufs[1], direct.postLufs[1]);
    EXPECT_DOUBLE_EQ(replayed.postLufs[2], direct.postLufs[2]);
    EXPECT_GT(direct.averageGr[0], 0.5); // the compressor did work, so the statistics mean something
    EXPECT_DOUBLE_EQ(replayed.mixLufs, direct.mixLufs);

    // The cache's files go with it.
    const auto paths = cache.paths;
    { PreFaderCache gone(std::move(cache.folder)); gone.paths = paths; }
    for (const auto& p : paths)
        EXPECT_FALSE(std::filesystem::exists(p)) << p;
}

} // namespace
} // namespace mm
