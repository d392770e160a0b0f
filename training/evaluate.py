"""Evaluate mixing policies on the validation songs with stem levels scattered +-12 dB.

Per method and song: each stem's final loudness relative to the mix, compared with the
arranger's (the clean stems), after removing the song's common offset -> |error| in dB
(median and mean over all stems); and a multi-resolution STFT distance of the resulting
mix to the ground-truth mix (sum of the clean stems) after RMS alignment.

Methods: scattered sum untouched; every stem at equal loudness; mean level per role (from
the training songs); the neural model's levels (PyTorch, gains only); and the engine's
`mixmaster mix --policy rules|neural` (full processing: high-pass, EQ, compression, buses),
whose realised per-stem levels are read from report.json. For the engine methods the STFT
distance is given twice: of mix.wav itself, and of the clean stems at the realised levels
(balance only), comparable to the gain-only methods.
"""
import argparse
import glob
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as mp  # noqa: E402
import model_file  # noqa: E402
import perturb  # noqa: E402


def mr_stft(ref, est):
    """Mean over FFT sizes 512/1024/2048 (hop n/4, Hann) of spectral convergence + mean |log mag diff|."""
    out = []
    for n in (512, 1024, 2048):
        win = np.hanning(n)
        def spec(x):
            frames = np.lib.stride_tricks.sliding_window_view(x, n, axis=0)[:: n // 4]
            return np.abs(np.fft.rfft(frames * win, axis=-1))
        vals = []
        for c in range(ref.shape[1]):
            r, e = spec(ref[:, c]), spec(est[:, c])
            sc = np.linalg.norm(r - e) / max(1e-12, np.linalg.norm(r))
            lm = np.mean(np.abs(np.log(r + 1e-5) - np.log(e + 1e-5)))
            vals.append(sc + lm)
        out.append(np.mean(vals))
    return float(np.mean(out))


def rms_align(ref, est):
    return est * np.sqrt(np.mean(ref ** 2) / max(1e-20, np.mean(est ** 2)))


def to_stereo(a):
    return np.repeat(a, 2, axis=1) if a.shape[1] == 1 else a


def features(mixmaster, files, roles, scratch):
    meta = f"{scratch}/meta.json"
    json.dump([{"name": os.path.basename(p), "role": r} for p, r in zip(files, roles)], open(meta, "w"))
    out = subprocess.run([mixmaster, "features", "--meta", meta, *files], check=True, capture_output=True, text=True)
    return json.loads(out.stdout), meta


def role_means(dataset):
    acc = {}
    for p in glob.glob(f"{dataset}/train/*_v0.npz"):
        z = np.load(p)
        rel = z["rel_lu"] - z["rel_lu"].mean()
        for r, v in zip(z["roles"], rel):
            acc.setdefault(str(r), []).append(v)
    return {r: float(np.mean(v)) for r, v in acc.items()}


def errors(final, truth):
    d = np.asarray(final) - np.asarray(truth)
    return list(np.abs(d - d.mean()))


MAX_STEMS = 12  # the engine's limit (src/mixing/MixEngine.h kMaxStems)


def merge_to_limit(names, roles, clean):
    """Songs with more stems than a job accepts (some LMMS projects): the two quietest stems of
    the role with the most stems are summed into one (the arranger's balance inside the group
    kept) until MAX_STEMS remain, as a user would group them."""
    names, roles = list(names), list(roles)
    while len(names) > MAX_STEMS:
        role = max(set(roles), key=lambda r: (roles.count(r), r))
        idx = sorted((i for i, r in enumerate(roles) if r == role), key=lambda i: np.mean(clean[names[i]] ** 2))[:2]
        a, b = clean[names[idx[0]]], clean[names[idx[1]]]
        if a.shape[1] != b.shape[1]:
            a, b = to_stereo(a), to_stereo(b)
        clean[names[idx[1]]] = a + b
        del names[idx[0]], roles[idx[0]]
    return names, roles


METHODS = ["untouched", "equal_loudness", "role_mean", "neural_gains", "rules_engine", "neural_engine"]
ENGINE_METHODS = ["rules_engine", "neural_engine"]
_NET = {}


def load_net(path):
    """The model at `path`, loaded once per worker process (one torch thread)."""
    if path not in _NET:
        torch.set_num_threads(1)
        _NET[path] = mp.load(path)[0]
    return _NET[path]


def load_song(args, song):
    """A validation song's stem names, roles and clean stems (the evaluation window),
    same-role stems merged down to the engine's limit."""
    sd = f"{args.corpus}/songs/{song}"
    info = json.load(open(f"{sd}/info.json"))
    names = [s["name"] for s in info["stems"]]
    roles = [s["role"] for s in info["stems"]]
    n_win = int(args.window_s * 44100)
    clean = {n: sf.read(f"{sd}/stems/{n}", dtype="float64", always_2d=True)[0][:n_win] for n in names}
    names, roles = merge_to_limit(names, roles, clean)
    return names, roles, clean


def audible_features(args, names, roles, clean, scratch):
    """The engine's features of the clean stems (written to `scratch`), keeping only the
    audible ones: their names, roles and features."""
    for n in names:
        sf.write(f"{scratch}/{n}", clean[n].astype(np.float32), 44100, subtype="FLOAT")
    cf, _ = features(args.mixmaster, [f"{scratch}/{n}" for n in names], roles, scratch)
    keep = [i for i, f in enumerate(cf) if f["integrated_lufs"] is not None and not f["silent"]]
    return [names[i] for i in keep], [roles[i] for i in keep], [cf[i] for i in keep]


def eval_song(task):
    """All methods on one validation song: per-stem |errors|, STFT distances."""
    args, song, by_role = task
    net = load_net(args.model)
    err = {m: [] for m in METHODS}
    dist = {m: [] for m in METHODS}
    dist_bal = {m: [] for m in ENGINE_METHODS}
    per_role = {m: {} for m in METHODS}
    names, roles, clean = load_song(args, song)
    with tempfile.TemporaryDirectory() as scratch:
        names, roles, cf = audible_features(args, names, roles, clean, scratch)
        L = np.array([f["integrated_lufs"] for f in cf])
        truth = L - 10 * np.log10(np.sum(10 ** (L / 10)))
        gt = sum(to_stereo(clean[n]) for n in names)

        def balance_mix(final):
            return sum(to_stereo(clean[n]) * 10 ** ((f - l) / 20) for n, f, l in zip(names, final, L))

        for k in range(args.scatters):
            rng = np.random.default_rng([args.seed, zlib.crc32(song.encode()), k])
            g = rng.uniform(-12, 12, len(names))
            files = []
            for n, gi in zip(names, g):
                sf.write(f"{scratch}/{n}", (clean[n] * 10 ** (gi / 20)).astype(np.float32), 44100, subtype="FLOAT")
                files.append(f"{scratch}/{n}")
            sfeat, meta = features(args.mixmaster, files, roles, scratch)
            x = torch.tensor([f["inputs"] for f in sfeat], dtype=torch.float64).unsqueeze(0)
            with torch.no_grad():
                o = net(x, torch.ones(1, len(names), dtype=torch.float64))[0]
            finals = {"untouched": L + g, "equal_loudness": np.zeros(len(names)),
                      "role_mean": np.array([by_role.get(r, 0.0) for r in roles]),
                      "neural_gains": (10.0 * o[:, 0]).numpy()}
            for policy in (("rules", "neural") if args.engine else ()):
                out = f"{scratch}/out-{policy}"
                subprocess.run([args.mixmaster, "mix", "--policy", policy, "--meta", meta, "--no-preview",
                                "--threads", "1", "-o", out, *files], check=True, capture_output=True,
                               env=dict(os.environ, MIXMASTER_MODELS_DIR=os.path.dirname(os.path.abspath(args.model))))
                rep = json.load(open(f"{out}/report.json"))
                rel = {s["name"]: s["output"]["relative_to_mix_lu"] for s in rep["stems"]}
                final = np.array([rel[n] if rel[n] is not None else -60.0 for n in names])
                finals[f"{policy}_engine"] = final
                mix = sf.read(f"{out}/mix.wav", dtype="float64", always_2d=True)[0][: len(gt)]
                dist[f"{policy}_engine"].append(mr_stft(gt, rms_align(gt, mix)))
                dist_bal[f"{policy}_engine"].append(mr_stft(gt, rms_align(gt, balance_mix(final))))
            for m, final in finals.items():
                e = errors(final, truth)
                err[m] += e
                for r, v in zip(roles, e):
                    per_role[m].setdefault(r, []).append(v)
                if m not in ("rules_engine", "neural_engine"):
                    dist[m].append(mr_stft(gt, rms_align(gt, balance_mix(final))))
    return {"err": err, "dist": dist, "dist_bal": dist_bal, "per_role": per_role}


EQ_LIMIT_DB = 4.0  # the guardrail on every EQ band (DESIGN.md)
MIN_EQ_DB = 0.5  # NeuralPolicy::kMinEqDb: smaller bands are not applied


def engine_eq(pred):
    """The EQ band gains the engine applies for the model's outputs: clamped by the guardrail,
    bands under MIN_EQ_DB dropped."""
    g = np.clip(pred, -EQ_LIMIT_DB, EQ_LIMIT_DB)
    return np.where(np.abs(g) < MIN_EQ_DB, 0.0, g)


def eval_song_eq(task):
    """The EQ on one validation song: every stem at a random gain (+-12 dB) and, on 70 % of the
    stems, a random EQ (perturb.random_eq, as make_dataset.py); the model's EQ against applying
    none. Measures: band-gain error against the negated perturbation (the model's raw outputs,
    as train.py); MR-STFT of each stem after the engine's EQ (guardrail-clamped, small bands
    dropped, applied with perturb.apply_eq) to the clean stem; MR-STFT of the engine's mix.wav
    (`--policy neural` with the model and with its EQ off: same levels) to the ground truth."""
    args, song, noeq_dir = task
    net = load_net(args.model)
    names, roles, clean = load_song(args, song)
    res = {"band_err_model": [], "band_err_none": [], "perturbed": [], "roles": [], "stem_model": [], "stem_none": [],
           "mix_model": [], "mix_eq_off": []}
    with tempfile.TemporaryDirectory() as scratch:
        names, roles, _ = audible_features(args, names, roles, clean, scratch)
        gt = sum(to_stereo(clean[n]) for n in names)
        for k in range(args.scatters):
            rng = np.random.default_rng([args.seed, zlib.crc32(song.encode()), k, 7])
            files, target, bent = [], [], {}
            for n in names:
                g = rng.uniform(-12.0, 12.0)
                eq = perturb.random_eq(rng) if rng.random() < 0.7 else np.zeros(7)
                a = perturb.apply_eq(clean[n], eq, 44100).astype(np.float64) if np.any(eq) else clean[n]
                bent[n] = a
                sf.write(f"{scratch}/{n}", (a * 10 ** (g / 20)).astype(np.float32), 44100, subtype="FLOAT")
                files.append(f"{scratch}/{n}")
                target.append(-eq)
            sfeat, meta = features(args.mixmaster, files, roles, scratch)
            x = torch.tensor([f["inputs"] for f in sfeat], dtype=torch.float64).unsqueeze(0)
            with torch.no_grad():
                pred = mp.transform(net(x, torch.ones(1, len(names), dtype=torch.float64)))[1][0].numpy()
            target = np.array(target)
            res["band_err_model"] += (pred - target).tolist()
            res["band_err_none"] += (-target).tolist()
            res["perturbed"] += [bool(np.any(t)) for t in target]
            res["roles"] += roles
            for i, n in enumerate(names):
                res["stem_none"].append(mr_stft(clean[n], rms_align(clean[n], bent[n])))
                fixed = perturb.apply_eq(bent[n], engine_eq(pred[i]), 44100).astype(np.float64)
                res["stem_model"].append(mr_stft(clean[n], rms_align(clean[n], fixed)))
            if args.engine:
                for key, models in (("mix_model", os.path.dirname(os.path.abspath(args.model))), ("mix_eq_off", noeq_dir)):
                    out = f"{scratch}/out-{key}"
                    subprocess.run([args.mixmaster, "mix", "--policy", "neural", "--meta", meta, "--no-preview",
                                    "--threads", "1", "-o", out, *files], check=True, capture_output=True,
                                   env=dict(os.environ, MIXMASTER_MODELS_DIR=models))
                    mix = sf.read(f"{out}/mix.wav", dtype="float64", always_2d=True)[0][: len(gt)]
                    res[key].append(mr_stft(gt, rms_align(gt, mix)))
    return res


def eq_summary(rs):
    """Aggregate EQ measures over songs' eval_song_eq results."""
    cat = lambda k: sum((r[k] for r in rs), [])  # noqa: E731
    em, en = np.array(cat("band_err_model")), np.array(cat("band_err_none"))
    pert = np.array(cat("perturbed"))
    rms = lambda a: round(float(np.sqrt(np.mean(np.square(a)))), 3) if len(a) else None  # noqa: E731
    out = {"stems": len(em), "perturbed_stems": int(pert.sum()),
           "band_rms_db": {"no_eq": rms(en), "model": rms(em)},
           "band_rms_db_perturbed_stems": {"no_eq": rms(en[pert]), "model": rms(em[pert])},
           "band_rms_db_unperturbed_stems": {"no_eq": rms(en[~pert]), "model": rms(em[~pert])},
           "stem_mr_stft": {"no_eq": round(float(np.mean(cat("stem_none"))), 4),
                            "model": round(float(np.mean(cat("stem_model"))), 4)}}
    sm, sn = np.array(cat("stem_model")), np.array(cat("stem_none"))
    out["stems_mr_stft_better_worse"] = [int(np.sum(sm < sn - 1e-9)), int(np.sum(sm > sn + 1e-9))]
    if cat("mix_model"):
        out["mix_mr_stft_engine"] = {"neural_eq_off": round(float(np.mean(cat("mix_eq_off"))), 4),
                                     "neural": round(float(np.mean(cat("mix_model"))), 4)}
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=f"{here}/corpus")
    ap.add_argument("--dataset", default=f"{here}/dataset")
    ap.add_argument("--model", default=f"{here}/../models/mix_policy.json")
    ap.add_argument("--mixmaster", default=f"{here}/../build/mixmaster")
    ap.add_argument("--scatters", type=int, default=2, help="scatterings per validation song")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--jobs", type=int, default=2, help="songs evaluated in parallel")
    ap.add_argument("--songs", default="", help="comma-separated validation songs (default: all)")
    ap.add_argument("--max-songs", type=int, default=0, help="only the first N validation songs (quick checks)")
    ap.add_argument("--window-s", type=float, default=12.0, help="seconds of each excerpt used (as in training)")
    ap.add_argument("--out", default=f"{here}/../models/evaluation.json")
    ap.add_argument("--engine", type=int, default=1, help="0: skip the engine methods (quick model comparisons)")
    ap.add_argument("--levels", type=int, default=1, help="0: skip the level evaluation (EQ only)")
    ap.add_argument("--eq", type=int, default=1, help="0: skip the EQ evaluation")
    args = ap.parse_args()
    split = json.load(open(f"{args.corpus}/split.json"))
    doc = json.load(open(args.model))
    by_role = role_means(args.dataset)
    err = {m: [] for m in METHODS}
    dist = {m: [] for m in METHODS}
    dist_bal = {m: [] for m in ENGINE_METHODS}
    per_role = {m: {} for m in METHODS}
    per_song = {}
    t0 = time.time()
    songs = args.songs.split(",") if args.songs else split["validation"]
    songs = songs[: args.max_songs] if args.max_songs else songs
    with multiprocessing.Pool(args.jobs) as pool:
        for song, r in zip(songs, pool.imap(eval_song, [(args, s, by_role) for s in (songs if args.levels else [])])):
            for m in METHODS:
                err[m] += r["err"][m]
                dist[m] += r["dist"][m]
                for role, v in r["per_role"][m].items():
                    per_role[m].setdefault(role, []).extend(v)
            for m in ENGINE_METHODS:
                dist_bal[m] += r["dist_bal"][m]
            per_song[song] = {m: {"errors": [round(float(e), 3) for e in r["err"][m]],
                                  "mr_stft": round(float(np.mean(r["dist"][m])), 3) if r["dist"][m] else None}
                              for m in METHODS if r["err"][m]}
            print(f"{song}: " + ", ".join(f"{m} {np.mean(r['err'][m]):.2f}" for m in METHODS if r["err"][m]), flush=True)
    result = {"model_version": doc["version"], "window_s": args.window_s, "songs": len(songs), "scatters_per_song": args.scatters,
              "stems": len(err["untouched"]), "seconds": round(time.time() - t0, 1), "methods": {}}
    if args.levels:
        methods = [m for m in METHODS if err[m]]
        for m in methods:
            result["methods"][m] = {
                "loudness_error_median_db": round(float(np.median(err[m])), 2),
                "loudness_error_mean_db": round(float(np.mean(err[m])), 2),
                "mr_stft": round(float(np.mean(dist[m])), 3),
                "per_role_mean_db": {r: round(float(np.mean(v)), 2) for r, v in sorted(per_role[m].items())}}
            if m in dist_bal:
                result["methods"][m]["mr_stft_balance_only"] = round(float(np.mean(dist_bal[m])), 3)
        # Per source (MMA songs vs LMMS projects): the same measures over each group's songs.
        groups = {"mma": [s for s in songs if not s.startswith("lmms-")], "lmms": [s for s in songs if s.startswith("lmms-")]}
        result["by_source"] = {}
        for g, ss in groups.items():
            if ss:
                result["by_source"][g] = {"songs": len(ss), "methods": {m: {
                    "loudness_error_median_db": round(float(np.median(sum((per_song[s][m]["errors"] for s in ss), []))), 2),
                    "loudness_error_mean_db": round(float(np.mean(sum((per_song[s][m]["errors"] for s in ss), []))), 2),
                    "mr_stft": round(float(np.mean([per_song[s][m]["mr_stft"] for s in ss])), 3)} for m in methods}}
        result["per_song_mean_db"] = {s: {m: round(float(np.mean(v["errors"])), 2) for m, v in r.items()} for s, r in per_song.items()}
    if args.eq:
        # The EQ: the model against the same model with its EQ rows zeroed (same levels and pan).
        with tempfile.TemporaryDirectory() as noeq_dir:
            off, layers = model_file.read(args.model)
            last_w, last_b, _ = layers["head"][-1]
            last_w[1:1 + mp.N_EQ] = 0.0
            last_b[1:1 + mp.N_EQ] = 0.0
            model_file.write(f"{noeq_dir}/mix_policy.json", off, layers)
            t1 = time.time()
            with multiprocessing.Pool(args.jobs) as pool:
                eq_rs = dict(zip(songs, pool.imap(eval_song_eq, [(args, s, noeq_dir) for s in songs])))
        groups = {"all": songs, "mma": [s for s in songs if not s.startswith("lmms-")],
                  "lmms": [s for s in songs if s.startswith("lmms-")]}
        result["eq"] = {g: eq_summary([eq_rs[s] for s in ss]) for g, ss in groups.items() if ss}
        result["eq"]["scatters_per_song"] = args.scatters
        result["eq"]["seconds"] = round(time.time() - t1, 1)
        result["eq"]["per_song"] = {s: {"band_rms_db": eq_summary([r])["band_rms_db"], "stem_mr_stft": eq_summary([r])["stem_mr_stft"],
                                        "mix_mr_stft_engine": eq_summary([r]).get("mix_mr_stft_engine")} for s, r in eq_rs.items()}
        per_role = {}
        for r in eq_rs.values():
            for role, em, en, sm, sn in zip(r["roles"], r["band_err_model"], r["band_err_none"], r["stem_model"], r["stem_none"]):
                d = per_role.setdefault(role, {"model": [], "none": [], "sm": [], "sn": []})
                d["model"].append(em), d["none"].append(en), d["sm"].append(sm), d["sn"].append(sn)
        result["eq"]["per_role"] = {role: {
            "stems": len(d["model"]),
            "band_rms_db": {"no_eq": round(float(np.sqrt(np.mean(np.square(d["none"])))), 3),
                            "model": round(float(np.sqrt(np.mean(np.square(d["model"])))), 3)},
            "stem_mr_stft": {"no_eq": round(float(np.mean(d["sn"])), 4), "model": round(float(np.mean(d["sm"])), 4)}}
            for role, d in sorted(per_role.items())}
        print(json.dumps({g: result["eq"][g] for g in groups if g in result["eq"]}, indent=1))
    json.dump(result, open(args.out, "w"), indent=1)
    if args.levels:
        print(json.dumps({m: {k: v for k, v in r.items() if k != "per_role_mean_db"} for m, r in result["methods"].items()}, indent=1))
        print(json.dumps(result["by_source"], indent=1))


if __name__ == "__main__":
    main()
