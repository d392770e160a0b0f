"""Perturb the corpus stems and compute their features with the engine (`mixmaster features`).

For every song, variant 0 is the clean stems (at scattered gains) and variants 1.. add
random EQ and mono fold-downs (perturb.py). Every variant's stems are written to a scratch
folder and analysed by the engine, so the features are exactly those a job computes.
Only the first WINDOW_S seconds of each excerpt are used. Targets come from the clean stems: each stem's loudness relative to the power sum of all
(the arranger's balance), the negated EQ perturbation, and the pan of folded parts.

Output: one .npz per (song, variant) under OUT/<split>/.
"""
import argparse
import json
import os
import subprocess
import tempfile
import zlib

import numpy as np
import soundfile as sf

import perturb

WINDOW_S = 12.0  # the first 12 s of each excerpt: halves the analysis time, same statistics


def engine_features(mixmaster, files, roles, workdir):
    meta = f"{workdir}/meta.json"
    with open(meta, "w") as f:
        json.dump([{"name": os.path.basename(p), "role": r} for p, r in zip(files, roles)], f)
    out = subprocess.run([mixmaster, "features", "--meta", meta, *files], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def power_sum_db(levels):
    return 10.0 * np.log10(np.sum(10.0 ** (np.asarray(levels) / 10.0)))


def make_song(mixmaster, song_dir, out_dir, song_id, variants, seed, scratch):
    info = json.load(open(f"{song_dir}/info.json"))
    stems = info["stems"]
    fs = 44100
    n = int(WINDOW_S * fs)
    audio = {s["name"]: sf.read(f"{song_dir}/stems/{s['name']}", dtype="float32", always_2d=True)[0][:n] for s in stems}
    for s in stems:
        sf.write(f"{scratch}/{s['name']}", audio[s["name"]], fs, subtype="FLOAT")
    clean = engine_features(mixmaster, [f"{scratch}/{s['name']}" for s in stems], [s["role"] for s in stems], scratch)
    keep = [i for i, c in enumerate(clean) if c["integrated_lufs"] is not None and not c["silent"]]
    if len(keep) < 2:
        return 0
    stems = [stems[i] for i in keep]
    levels = np.array([clean[i]["integrated_lufs"] for i in keep])
    rel = levels - power_sum_db(levels)
    written = 0
    for v in range(variants):
        rng = np.random.default_rng([seed, zlib.crc32(song_id.encode()), v])
        files, eq_t, fold = [], [], []
        for s in stems:
            a = audio[s["name"]]
            g_db = rng.uniform(-12.0, 12.0)
            eq = np.zeros(7)
            folded = False
            if v > 0 and rng.random() < 0.7:
                eq = perturb.random_eq(rng)
                a = perturb.apply_eq(a, eq, fs)
            if v > 0 and a.shape[1] == 2 and rng.random() < 0.3:
                a = perturb.fold_mono(a)
                folded = True
            path = f"{scratch}/{s['name']}"
            sf.write(path, a * np.float32(10 ** (g_db / 20.0)), fs, subtype="FLOAT")
            files.append(path)
            eq_t.append(-eq)
            fold.append(folded)
        feats = engine_features(mixmaster, files, [s["role"] for s in stems], scratch)
        np.savez(f"{out_dir}/{song_id}_v{v}.npz",
                 inputs=np.array([f["inputs"] for f in feats], dtype=np.float64),
                 rel_lu=rel, eq_db=np.array(eq_t), pan=np.array([s["pan"] for s in stems]),
                 pan_mask=np.array(fold, dtype=np.float64), roles=np.array([s["role"] for s in stems]))
        written += 1
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--corpus", default=f"{here}/corpus")
    ap.add_argument("--out", default=f"{here}/dataset")
    ap.add_argument("--mixmaster", default=f"{here}/../build/mixmaster")
    ap.add_argument("--variants", type=int, default=4, help="per training song (validation: 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--parts", default="train,validation", help="which parts of the split")
    ap.add_argument("--shards", type=int, default=1, help="split the songs over this many processes")
    ap.add_argument("--shard", type=int, default=0)
    args = ap.parse_args()
    split = json.load(open(f"{args.corpus}/split.json"))
    total = 0
    for part, songs in split.items():
        if part not in args.parts.split(","):
            continue
        os.makedirs(f"{args.out}/{part}", exist_ok=True)
        for k, song in enumerate(songs):
            if k % args.shards != args.shard:
                continue
            n = args.variants if part == "train" else 2
            if os.path.exists(f"{args.out}/{part}/{song}_v{n - 1}.npz"):
                continue  # done in an earlier run
            with tempfile.TemporaryDirectory() as scratch:
                total += make_song(args.mixmaster, f"{args.corpus}/songs/{song}", f"{args.out}/{part}", song, n,
                                   args.seed, scratch)
            print(f"{part} {song}", flush=True)
    print(f"{total} examples written to {args.out}")


if __name__ == "__main__":
    main()
