#pragma once
// Block writer of Ogg Opus files (libopusenc), for the browser previews. Like
// AudioWriter: written to a temporary file beside the target and renamed onto it by
// commit(), removed if never committed.
//
// Why Opus and not Vorbis: at the same bitrate (128 kb/s stereo) libopus at complexity 5
// encodes a 4-minute song in ≈ 1.3 s of CPU where libvorbis (quality 0.4, through
// libsndfile) takes ≈ 2.7 s (measured on this project's 2-core VM); a job writes three
// previews. Opus codes at 48 kHz inside: other rates are resampled by libopusenc, and the
// header keeps the input rate.
//
// Packets of 120 ms (six 20 ms CELT frames each, the same coding as 20 ms packets):
// libopusenc queries the encoder twice per packet, and on this VM each query runs
// libopus' CPU detection (the CPUID instruction, a hypervisor exit); with 20 ms packets
// that was ≈ 30 % of the encoding time (perf). For 4 minutes: 20 ms 1.8-2.0 s, 60 ms
// 1.36-1.73 s, 120 ms 1.26-1.44 s (alternating runs).
#include "core/AudioBuffer.h"

#include <cstdint>
#include <string>
#include <vector>

struct OggOpusEnc;

namespace mm {

class OpusWriter {
public:
    /// Bit rate per channel, bits/s (128 kb/s stereo); transparent enough for A/B listening.
    static constexpr int kBitsPerChannel = 64000;
    /// libopus complexity 0-10: 5 costs 0.6× of 10's time at this rate.
    static constexpr int kComplexity = 5;
    /// Packet duration (ms): 120 (see above), the longest Opus packet (RFC 6716), which
    /// every decoder plays.
    static constexpr int kPacketMs = 120;

    /// channels must be 1 or 2.
    OpusWriter(const std::string& path, int sampleRate, int channels);
    ~OpusWriter();
    OpusWriter(const OpusWriter&) = delete;
    OpusWriter& operator=(const OpusWriter&) = delete;

    /// Appends block.frames() frames; block.channels() must equal channels().
    void write(const AudioBuffer& block);
    /// Flushes the encoder, closes the file and renames it onto the target path.
    void commit();

    int channels() const noexcept { return channels_; }

private:
    std::string path_;
    std::string tempPath_;
    OggOpusEnc* encoder_ = nullptr;
    int channels_;
    std::vector<float> interleaved_;
};

} // namespace mm
