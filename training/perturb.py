"""Perturbations of ground-truth stems that a mixing policy should undo.

- gain: uniform +-12 dB per stem;
- EQ: per stem, a tilt over the seven neural EQ bands plus a bump on one band, realised with
  the same peaking filters (RBJ cookbook, Q = 1, at the band centres) the neural policy
  applies, so the exact inverse is the negated band gains;
- mono fold-down: a stereo part becomes (L+R)/2, one channel; the pan that restores its
  left/right balance is the target.
The filters are applied as zero-phase magnitude responses in the frequency domain.
"""
import numpy as np

EDGES = [20, 60, 150, 400, 1000, 2500, 5000, 10000, 20000]
EQ_CENTRES = [float(np.sqrt(EDGES[b] * EDGES[b + 1])) for b in range(1, 8)]  # bands 1..7
EQ_Q = 1.0
EQ_LIMIT_DB = 5.0


def peak_magnitude(freqs, fc, q, gain_db, fs):
    """|H(f)| of the RBJ peaking EQ (as src/dsp/BiquadDesign designPeak)."""
    a = 10 ** (gain_db / 40.0)
    w0 = 2 * np.pi * fc / fs
    alpha = np.sin(w0) / (2 * q)
    b = np.array([1 + alpha * a, -2 * np.cos(w0), 1 - alpha * a])
    den = np.array([1 + alpha / a, -2 * np.cos(w0), 1 - alpha / a])
    z = np.exp(-1j * 2 * np.pi * freqs / fs)
    num = b[0] + b[1] * z + b[2] * z * z
    dd = den[0] + den[1] * z + den[2] * z * z
    return np.abs(num / dd)


def random_eq(rng):
    """Band gains (dB) of a random tilt plus bump, each band within +-EQ_LIMIT_DB."""
    tilt = rng.uniform(-3.0, 3.0)
    g = np.array([tilt * (k - 3) / 3.0 for k in range(7)])
    g[rng.integers(0, 7)] += rng.uniform(-5.0, 5.0)
    return np.clip(g, -EQ_LIMIT_DB, EQ_LIMIT_DB)


def apply_eq(audio, gains_db, fs):
    """audio: frames x channels float array; returns the filtered copy. The response is
    computed on a 4096-point grid and interpolated (within 0.02 dB of the exact response)."""
    n = audio.shape[0]
    grid = np.linspace(0.0, fs / 2, 4096)
    mag_db = np.zeros_like(grid)
    for fc, g in zip(EQ_CENTRES, gains_db):
        if abs(g) > 1e-6:
            mag_db += 20 * np.log10(peak_magnitude(grid, fc, EQ_Q, g, fs))
    freqs = np.fft.rfftfreq(n, 1.0 / fs)
    mag = 10 ** (np.interp(freqs, grid, mag_db) / 20)
    rows = np.ascontiguousarray(audio.T, dtype=np.float64)
    out = np.fft.irfft(np.fft.rfft(rows, axis=1) * mag, n=n, axis=1)
    return np.ascontiguousarray(out.T, dtype=np.float32)


def fold_mono(audio):
    return (0.5 * (audio[:, 0] + audio[:, 1]))[:, None].astype(np.float32)
