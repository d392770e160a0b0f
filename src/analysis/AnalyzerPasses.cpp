// Whole passes built on Analyzer: a file analysed end to end (analyzeFile).
#include "analysis/Analyzer.h"

#include "analysis/LoudnessMeter.h"
#include "core/AudioSource.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace mm {

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
