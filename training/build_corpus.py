"""Build the training corpus: MMA chord charts x grooves -> per-part stems (FluidSynth + FluidR3_GM).

Each song is a chord progression in a random key, played by one groove of MMA's standard
library at a random tempo; MMA's groove author set every part's instrument, voicing and
volume, so the sum of the rendered parts is the arranger's own balance (the ground truth).
Songs are split into train/validation by groove *file* (style family), never by excerpt.

Output: CORPUS/songs/<id>/{song.mma, stems/<role>[n].wav, stems.json, mix.wav, info.json},
CORPUS/split.json.
"""
import argparse
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import midi_split  # noqa: E402
import render_song  # noqa: E402

STDLIB = "/usr/share/mma/lib/stdlib"
# Common progressions in C major / A minor (one chord per bar).
PROGRESSIONS = [
    "C Am F G", "C F G C", "C G Am F", "Am F C G", "Dm7 G7 Cmaj7 Cmaj7", "C Am Dm7 G7",
    "Am Dm E7 Am", "C C7 F Fm", "F G Em Am", "Cmaj7 A7 Dm7 G7", "Am G F E7", "C Em F G",
    "Dm G C Am", "C F Am G", "Em Am D G", "C Bb F C",
]
KEYS = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]
SKIP = re.compile(r"(intro|end|fill|break|sus|plus)", re.I)


def grooves_by_file():
    out = {}
    for path in sorted(glob.glob(f"{STDLIB}/*.mma")):
        names = []
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"\s*DefGroove\s+(\S+)", line, re.I)
                if m and not SKIP.search(m.group(1)):
                    names.append(m.group(1))
        if names:
            out[os.path.basename(path)[:-4]] = names
    return out


def song_seed(song_id):
    """MMA's random seed for a song: fixed by its id (crc32; Python's hash() of a str changes per run)."""
    return zlib.crc32(song_id.encode())


def write_song(path, groove, progression, key, tempo, bars, seed):
    chords = progression.split()
    with open(path, "w") as f:
        # RndSeed first: MMA's grooves randomise timing/volume/notes from Python's random, which
        # MMA leaves unseeded otherwise (two renders of one chart would differ).
        f.write(f"RndSeed {seed}\nTempo {tempo}\nGroove {groove}\nTranspose {KEYS.index(key) if KEYS.index(key) <= 6 else KEYS.index(key) - 12}\n")
        for b in range(bars):
            f.write(f"{b + 1} {chords[b % len(chords)]}\n")


def balance_pan(stereo):
    """Pan position (constant-power law of src/dsp/Panner.h) matching the L/R energy ratio."""
    el, er = float(np.sum(stereo[:, 0] ** 2)), float(np.sum(stereo[:, 1] ** 2))
    theta = np.arctan2(np.sqrt(er), np.sqrt(el))
    return float(4.0 * theta / np.pi - 1.0)


def build_song(song_dir, groove, progression, key, tempo, bars, excerpt_s):
    os.makedirs(f"{song_dir}/stems", exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        mma = f"{song_dir}/song.mma"
        write_song(mma, groove, progression, key, tempo, bars, song_seed(os.path.basename(song_dir)))
        mid = f"{work}/song.mid"
        subprocess.run(["mma", "-f", mid, mma], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        parts = midi_split.split(mid)
        if len(parts) < 2:
            return None
        audio = render_song.render_parts(parts, work, max_s=excerpt_s)
    peaks = {k: float(np.max(np.abs(a))) for k, (_, a) in audio.items()}
    top = max(peaks.values())
    keep = [k for k in sorted(audio) if peaks[k] > top * 1e-3]
    mix = sum(audio[k][1] for k in keep)
    scale = 10 ** (-1.0 / 20) / max(1e-9, float(np.max(np.abs(mix))))  # mix peak at -1 dBFS, balance kept
    meta, names = [], {}
    for k in keep:
        role, a = audio[k]
        names[role] = names.get(role, 0) + 1
        name = role + ("" if names[role] == 1 else str(names[role])) + ".wav"
        render_song.write_wav(f"{song_dir}/stems/{name}", a * scale)
        meta.append({"name": name, "role": role, "part": k, "pan": round(balance_pan(a), 4)})
    render_song.write_wav(f"{song_dir}/mix.wav", mix * scale)
    with open(f"{song_dir}/stems.json", "w") as f:
        json.dump([{"name": m["name"], "role": m["role"]} for m in meta], f, indent=1)
    info = {"groove": groove, "progression": progression, "key": key, "tempo": tempo, "bars": bars, "stems": meta}
    with open(f"{song_dir}/info.json", "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
    ap.add_argument("--songs", type=int, default=110, help="at most one song per groove file")
    ap.add_argument("--val-fraction", type=float, default=0.15)
    ap.add_argument("--bars", type=int, default=12)
    ap.add_argument("--excerpt-s", type=float, default=24.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shards", type=int, default=1, help="split the work over this many processes")
    ap.add_argument("--shard", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    files = grooves_by_file()
    styles = sorted(files)
    rng.shuffle(styles)
    styles = styles[: args.songs]
    step = max(2, round(1.0 / args.val_fraction))
    val_styles = set(styles[step // 2::step])  # spread through the order: a partial corpus has both
    os.makedirs(f"{args.out}/songs", exist_ok=True)
    split = {"train": [], "validation": []}
    for i, style in enumerate(styles):
        groove = rng.choice(files[style])
        prog, key, tempo = rng.choice(PROGRESSIONS), rng.choice(KEYS), rng.randint(88, 132)
        if i % args.shards != args.shard:
            continue
        song_id = f"{i:03d}-{style}"
        song_dir = f"{args.out}/songs/{song_id}"
        if os.path.exists(f"{song_dir}/info.json"):
            info = json.load(open(f"{song_dir}/info.json"))
        else:
            try:
                info = build_song(song_dir, groove, prog, key, tempo, args.bars, args.excerpt_s)
            except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as e:
                print(f"skip {song_id} ({groove}): {e}", flush=True)
                info = None
            if info is None:
                shutil.rmtree(song_dir, ignore_errors=True)
                continue
        print(f"{song_id}: {groove}, {len(info['stems'])} stems", flush=True)
        split = write_split(args.out, val_styles)  # after every song: a partial corpus is usable
    print(f"{len(split['train'])} train, {len(split['validation'])} validation songs in {args.out}")


def write_split(out, val_styles):
    """split.json from the songs on disk (atomic: shards may write it at the same time). MMA songs
    go by style family (val_styles); songs of other sources carry their part in info.json."""
    split = {"train": [], "validation": []}
    for d in sorted(os.listdir(f"{out}/songs")):
        if os.path.exists(f"{out}/songs/{d}/info.json"):
            part = json.load(open(f"{out}/songs/{d}/info.json")).get("split")  # set by other sources (LMMS)
            split[part or ("validation" if d.split("-", 1)[1] in val_styles else "train")].append(d)
    tmp = f"{out}/split.json.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(split, f, indent=1)
    os.replace(tmp, f"{out}/split.json")
    return split


if __name__ == "__main__":
    main()
