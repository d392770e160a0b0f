#!/usr/bin/env python3
"""Measures the demo stems: format, duration, sample peak, RMS, and for the
drum stems whether the hits land on the 16th-note grid (120 BPM).

Usage: check_demo.py [DIR]   (default data/demo). Exit 1 if a stem is silent,
clips, has the wrong format/length, or a drum stem is off the grid.
Needs sox (to decode FLAC); otherwise standard library only.
"""
import array
import json
import math
import os
import subprocess
import sys

RATE = 48000
BPM = 120
GRID_S = 60.0 / BPM / 4            # 16th note
DRUM_STEMS = {"kick", "snare", "hihat"}


def soxi(path, flag):
    return subprocess.run(["soxi", flag, path], check=True, capture_output=True,
                          text=True).stdout.strip()


def decode(path):
    raw = subprocess.run(["sox", path, "-t", "raw", "-e", "signed", "-b", "16", "-"],
                         check=True, capture_output=True).stdout
    a = array.array("h")
    a.frombytes(raw)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def db(x):
    return 20 * math.log10(x) if x > 0 else -math.inf


def onsets(mono):
    """Simple energy-rise onset detector: 2.5 ms hops, 10 ms windows."""
    hop, win = RATE // 400, RATE // 100
    env = []
    for i in range(0, len(mono) - win, hop):
        seg = mono[i:i + win]
        env.append(sum(x * x for x in seg[::4]) / (win / 4) + 1e-9)
    top = max(env)
    found, last = [], -1e9
    for k in range(len(env)):
        before = max(env[k - 8:k - 4]) if k >= 8 else 1e-9   # silence before 0
        rise = 10 * math.log10(env[k] / before)
        t = k * hop / RATE
        if rise > 9 and env[k] > top * 1e-3 and t - last > 0.06:
            found.append(t)
            last = t
    return found


def main(argv):
    d = argv[1] if len(argv) > 1 else "data/demo"
    stems = json.load(open(os.path.join(d, "stems.json")))
    ok, lengths = True, set()
    print("%-14s %-7s %2s %5s %6s %9s %9s  %s" %
          ("stem", "role", "ch", "bits", "dur_s", "peak_dBFS", "rms_dBFS", "notes"))
    for s in stems:
        path = os.path.join(d, s["name"])
        ch, rate, bits = int(soxi(path, "-c")), int(soxi(path, "-r")), int(soxi(path, "-b"))
        a = decode(path)
        frames = len(a) // ch
        lengths.add(frames)
        peak = max(max(a), -min(a)) / 32768.0
        rms = math.sqrt(math.fsum(float(x) * x for x in a) / len(a)) / 32768.0
        notes = []
        if rate != RATE:
            notes.append("RATE %d" % rate); ok = False
        if db(peak) > -1.0 or db(peak) < -20:
            notes.append("PEAK OUT OF RANGE"); ok = False
        if db(rms) < -50:
            notes.append("SILENT"); ok = False
        stem = os.path.splitext(s["name"])[0]
        if stem in DRUM_STEMS:
            mono = a[::ch]
            hits = onsets(mono)
            dev = [abs(t - round(t / GRID_S) * GRID_S) for t in hits]
            on_grid = sum(1 for x in dev if x < 0.012)
            beat1 = sum(1 for t in hits if abs(t - round(t / 2.0) * 2.0) < 0.012)
            notes.append("%d hits, %d on 16th grid (max dev %.1f ms), %d on downbeats"
                         % (len(hits), on_grid, 1000 * max(dev), beat1))
            if on_grid < 0.9 * len(hits) or len(hits) < 12:
                notes.append("OFF GRID"); ok = False
        print("%-14s %-7s %2d %5d %6.2f %9.2f %9.2f  %s" %
              (s["name"], s["role"], ch, bits, frames / rate, db(peak), db(rms),
               "; ".join(notes)))
    if len(lengths) != 1:
        print("LENGTHS DIFFER:", sorted(lengths)); ok = False
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print("total size of %s: %.2f MB" % (d, size / 1e6))
    print("OK" if ok else "PROBLEMS FOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
