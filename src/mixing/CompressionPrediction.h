#pragma once
// What a stem compressor (dsp/Compressor.h) will do to a stem, predicted before the mix is
// rendered, from the stem's 10 ms envelope (StemFeatures::envelopeMeanSquare and
// envelopePeakPower). The compressor's own stages run at one step per 10 ms window:
//   detector   RMS: the one-pole mean square, its coefficient taken to a 10 ms step, fed
//              with the louder channel's window mean square (the compressor links by max);
//              peak: the window's mean square as well (its largest x² over-read drums 2×)
//   gain computer  Compressor::staticCurveDb
//   smoother   the level-domain attack/release smoother, coefficients taken to a 10 ms step;
//              each window's energy meets the mean of the reduction at its start and end
//   statistics the compressor's counting floor (peak envelope above −70 dBFS)
// A static prediction from the level histogram alone under-read the real average gain
// reduction by up to 2× on sustained material, and giving back the *average* gain
// reduction on the fader left dynamic stems (vocals, snare) 1-2 LU short, because loudness
// follows the loud parts, where the reduction is largest. So the fader now gives back the
// loudness the compressor takes: 10·log10(Σ E / Σ E·10^(−GR/10)) over the windows.
#include "analysis/AudioMetrics.h"
#include "dsp/Compressor.h"

namespace mm {

struct CompressionPrediction {
    double averageGrDb = 0.0;   ///< as Compressor::averageGainReductionDb()
    double loudnessLossDb = 0.0; ///< power-weighted over the song: what the fader gives back
};

/// Prediction from the 10 ms envelope. Falls back to the static curve over the level
/// histogram (average GR only, loudness loss = average GR) when the envelope is empty.
/// `levelShiftDb`: what the filters before the compressor do to the stem's power.
CompressionPrediction predictCompression(const StemFeatures& features, const CompressorParams& params, double levelShiftDb = 0.0);

/// Threshold (dBFS) at which predictCompression's average GR equals `targetGrDb`.
double thresholdForTargetGr(const StemFeatures& features, CompressorParams params, double targetGrDb, double levelShiftDb = 0.0);

} // namespace mm
