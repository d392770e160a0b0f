// Whole passes built on Analyzer: a file analysed end to end (analyzeFile), and the
// analysis with libebur128's readings split into parts for parallel threads (SplitAnalysis).
#include "analysis/Analyzer.h"

#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace mm {

namespace {
AnalyzerOptions splitOptions(std::int64_t expectedFrames)
{
    AnalyzerOptions o;
    o.expectedFrames = expectedFrames;
    o.truePeakElsewhere = true;
    return o;
}
} // namespace

SplitAnalysis::SplitAnalysis(double sampleRate, int channels, std::int64_t expectedFrames)
    : analyzer_(sampleRate, channels, splitOptions(expectedFrames))
{
    for (int c = 0; c < channels; ++c)
        peaks_.push_back(std::make_unique<Ebur128ChannelPeak>(sampleRate));
}

void SplitAnalysis::processPart(std::size_t part, const AudioBuffer& block)
{
    if (part < peaks_.size())
        peaks_[part]->process(block.channel(static_cast<int>(part)), block.frames());
    else
        analyzer_.process(block);
}

AudioMetrics SplitAnalysis::finish()
{
    AudioMetrics m = analyzer_.finish();
    double peak = 0.0;
    for (const auto& p : peaks_)
        peak = std::max(peak, p->truePeak());
    m.truePeakDbtp = peak > 0.0 ? 20.0 * std::log10(peak) : -std::numeric_limits<double>::infinity();
    return m;
}

void noteReaderFindings(AudioMetrics& m, const std::string& path, const AudioReader& reader)
{
    m.path = path;
    m.nonFiniteSamples = reader.nonFiniteSamples();
    m.warnings = reader.warnings();
    if (reader.framesRead() == 0)
        m.warnings.push_back(path + ": no samples could be read");
}

AudioMetrics analyzeFile(const std::string& path, AnalyzerOptions options, StemFeatures* features)
{
    AudioSource source(path, 0, 8192);
    options.expectedFrames = source.expectedFrames();
    if (features)
        options.features = true;
    Analyzer analyzer(source.sampleRate(), source.channels(), options);
    AudioBuffer block(source.channels(), source.blockSize());
    while (source.read(block) > 0)
        analyzer.process(block);
    AudioMetrics m = analyzer.finish();
    noteReaderFindings(m, path, source.reader());
    if (features)
        *features = analyzer.features();
    return m;
}

} // namespace mm
