"""Train the neural mixing policy on the perturbed corpus (make_dataset.py) and export it.

Sets of stems are padded into batches with a mask; each epoch drops random stems from
each set (at least two stay), so the model sees every song with many stem counts.
The checkpoint with the lowest validation loss is exported to MODEL (JSON header + MODEL's .weights, model.py).
"""
import argparse
import glob
import json
import os
import time
import zlib

import numpy as np
import torch

import model as mp


SONGS = {}  # folder -> the songs its sets came from (recorded in the model file)


def load_split(folder, keep=lambda song: True, tag=""):
    sets = []
    for path in sorted(glob.glob(f"{folder}/*.npz")):
        song = os.path.basename(path).rsplit("_v", 1)[0]
        if not keep(song):
            continue
        SONGS.setdefault(folder + tag, set()).add(song)
        z = np.load(path)
        sets.append({k: z[k] for k in ("inputs", "rel_lu", "eq_db", "pan", "pan_mask", "roles")})
        sets[-1]["song"] = song
    return sets


def role_counts(folder):
    """Training stems per role (one count per stem of each song, from its clean variant):
    the C++ policy keeps the rules' decisions for roles seen fewer than 10 times."""
    counts = {}
    for path in sorted(glob.glob(f"{folder}/*_v0.npz")):
        for r in np.load(path)["roles"]:
            counts[str(r)] = counts.get(str(r), 0) + 1
    return counts


def role_weights(counts, power):
    """Loss weight per role: (count / mean count) ** -power, within [0.33, 3] (power 0: all 1)."""
    mean = np.mean(list(counts.values()))
    return {r: float(np.clip((c / mean) ** -power, 0.33, 3.0)) for r, c in counts.items()}


def batch(sets, drop, rng, weights=None):
    n = max(len(s["rel_lu"]) for s in sets)
    b = len(sets)
    x = np.zeros((b, n, mp.N_INPUTS))
    mask, w = np.zeros((b, n)), np.ones((b, n))
    rel, pan, pmask = np.zeros((b, n)), np.zeros((b, n)), np.zeros((b, n))
    eq = np.zeros((b, n, mp.N_EQ))
    for i, s in enumerate(sets):
        k = len(s["rel_lu"])
        keep = np.ones(k)
        if drop > 0 and k > 2:
            keep = (rng.random(k) > drop).astype(float)
            if keep.sum() < 2:
                keep[rng.choice(k, 2, replace=False)] = 1.0
        x[i, :k], mask[i, :k], rel[i, :k] = s["inputs"], keep, s["rel_lu"]
        eq[i, :k], pan[i, :k], pmask[i, :k] = s["eq_db"], s["pan"], s["pan_mask"]
        if weights:
            w[i, :k] = [weights.get(str(r), 1.0) for r in s["roles"]]
    t = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return t(x), t(mask), t(rel), t(eq), t(pan), t(pmask), t(w)


def evaluate(net, sets):
    with torch.no_grad():
        x, mask, rel, eq, pan, pm, _ = batch(sets, 0.0, None)
        l_rel, l_eq, l_pan = mp.loss_terms(net(x, mask), mask, rel, eq, pan, pm)
    return float(l_rel), float(l_eq), float(l_pan)


def eq_rms_no_eq(sets):
    """RMS EQ error of applying no EQ (the baseline the EQ head must beat)."""
    return float(np.sqrt(np.mean(np.concatenate([s["eq_db"].ravel() for s in sets]) ** 2)))


def shrink_eq(net, sets, fixed=None):
    """Scales the EQ outputs (rows 1..7 of the head's last layer) by `fixed`, or by the factor in
    0, 0.1 .. 1 with the lowest EQ error on `sets` (held-out training songs). 0 = EQ head off."""
    last = [m for m in net.head if isinstance(m, torch.nn.Linear)][-1]
    w0, b0 = last.weight.data.clone(), last.bias.data.clone()
    best = None
    for a in ([fixed] if fixed is not None else np.round(np.arange(0.0, 1.01, 0.1), 2)):
        last.weight.data[1:1 + mp.N_EQ], last.bias.data[1:1 + mp.N_EQ] = a * w0[1:1 + mp.N_EQ], a * b0[1:1 + mp.N_EQ]
        e = evaluate(net, sets)[1]
        if best is None or e < best[1] - 1e-9:
            best = (float(a), e)
    a = best[0]
    last.weight.data[1:1 + mp.N_EQ], last.bias.data[1:1 + mp.N_EQ] = a * w0[1:1 + mp.N_EQ], a * b0[1:1 + mp.N_EQ]
    return a


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dataset", default=f"{here}/dataset")
    ap.add_argument("--model", default=f"{here}/../models/mix_policy.json")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--steps", type=int, default=0, help="stop after this many optimiser steps (smoke runs)")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--role-weight-power", type=float, default=0.5,
                    help="relative-loudness loss weight per role = (count/mean)^-power (0: unweighted)")
    ap.add_argument("--objective", choices=("all", "eq"), default="all",
                    help="all: level + EQ + pan, checkpoint on level + pan; eq: an EQ member trained and "
                         "checkpointed on the EQ loss alone (merged with level members by ensemble.py --eq-members)")
    ap.add_argument("--lmms-repeat", type=int, default=1,
                    help="each LMMS training set appears this many times per epoch (more weight on electronic songs)")
    ap.add_argument("--norm-from", default="",
                    help="take the input normalisation from this model file (members merged by ensemble.py share it)")
    ap.add_argument("--eq-scale", default="auto",
                    help="factor on the EQ outputs: 'auto' = the best of 0, 0.1 .. 1 on held-out songs; 0 = EQ head off")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(1)
    # Checkpoints are chosen on held-out *training* songs (every 10th by name hash), so the
    # validation songs stay unseen until evaluate.py.
    held = lambda song: zlib.crc32(song.encode()) % 10 == 0  # noqa: E731
    train = load_split(f"{args.dataset}/train", lambda s: not held(s))
    select = load_split(f"{args.dataset}/train", held, "#selection") or train
    val = load_split(f"{args.dataset}/validation") or select
    if not train:
        raise SystemExit(f"no training sets in {args.dataset}/train")
    train_sets = len(train)
    if args.lmms_repeat > 1:
        train = train + [s for s in train for _ in range(args.lmms_repeat - 1) if s.get("song", "").startswith("lmms-")]
    allx = np.concatenate([s["inputs"] for s in train[:train_sets]])
    mean, std = allx.mean(0), allx.std(0)
    std[std < 1e-3] = 1.0
    if args.norm_from:
        ref = json.load(open(args.norm_from))
        mean, std = np.array(ref["input_mean"]), np.array(ref["input_std"])
    counts = role_counts(f"{args.dataset}/train")
    weights = role_weights(counts, args.role_weight_power) if args.role_weight_power > 0 else None
    net = mp.SetPolicy(args.hidden, torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, args.epochs))
    best, best_state, steps, t0 = None, None, 0, time.time()
    for epoch in range(args.epochs):
        order = rng.permutation(len(train))
        for b0 in range(0, len(order), args.batch):
            x, mask, rel, eq, pan, pm, w = batch([train[i] for i in order[b0:b0 + args.batch]], 0.25, rng, weights)
            l_rel, l_eq, l_pan = mp.loss_terms(net(x, mask), mask, rel, eq, pan, pm, w)
            if args.objective == "eq":
                loss = l_eq / 4.0
            else:
                loss = l_rel / 25.0 + l_eq / 4.0 + l_pan * 4.0  # ~unit scale: 5 dB, 2 dB, 0.5 pan
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            if args.steps and steps >= args.steps:
                break
        sched.step()
        v = evaluate(net, select)
        # Checkpoint on level and pan only: the EQ error rises from the first epochs on (the EQ head
        # overfits) and would stop the level head early; the EQ is scaled afterwards (shrink_eq).
        score = v[1] if args.objective == "eq" else v[0] / 25.0 + v[2] * 4.0
        if best is None or score < best:
            best, best_state = score, {k: t.clone() for k, t in net.state_dict().items()}
        if epoch % 20 == 0 or epoch == args.epochs - 1 or (args.steps and steps >= args.steps):
            print(f"epoch {epoch} steps {steps}: selection-set rms rel {v[0] ** 0.5:.2f} dB, eq {v[1] ** 0.5:.2f} dB, "
                  f"pan {v[2] ** 0.5:.3f}", flush=True)
        if args.steps and steps >= args.steps:
            break
    net.load_state_dict(best_state)
    eq_scale = shrink_eq(net, select, None if args.eq_scale == "auto" else float(args.eq_scale))
    sv = evaluate(net, select)
    v = evaluate(net, val)
    seconds = time.time() - t0
    mp.export(net, args.model, args.version, {
        "role_counts": counts,
        "training": {"seed": args.seed, "epochs": args.epochs, "steps": steps, "hidden": args.hidden,
                     "role_weight_power": args.role_weight_power, "role_weights": weights,
                     "objective": args.objective, "lmms_repeat": args.lmms_repeat, "weight_decay": args.weight_decay, "lr": args.lr,
                     "eq_scale": eq_scale, "eq_rms_no_eq_validation": round(eq_rms_no_eq(val), 3),
                     "train_sets": train_sets, "selection_sets": len(select), "validation_sets": len(val),
                     "train_songs": sorted(SONGS.get(f"{args.dataset}/train", [])),
                     "selection_songs": sorted(SONGS.get(f"{args.dataset}/train#selection", [])),
                     "validation_songs": sorted(SONGS.get(f"{args.dataset}/validation", [])),
                     "selection": "best epoch (" + ("EQ loss" if args.objective == "eq" else "level + pan loss") +
                                  ") on held-out training songs (crc32(name) % 10 == 0)", "seconds": round(seconds, 1),
                     "selection_rms": {"relative_lu_db": round(sv[0] ** 0.5, 3), "eq_db": round(sv[1] ** 0.5, 3),
                                       "eq_db_no_eq": round(eq_rms_no_eq(select), 3), "pan": round(sv[2] ** 0.5, 4)},
                     "validation_rms": {"relative_lu_db": round(v[0] ** 0.5, 3), "eq_db": round(v[1] ** 0.5, 3),
                                        "pan": round(v[2] ** 0.5, 4)}}})
    print(json.dumps({"model": args.model, "seconds": round(seconds, 1), "steps": steps, "eq_scale": eq_scale,
                      "validation_rms": {"rel_db": round(v[0] ** 0.5, 3), "eq_db": round(v[1] ** 0.5, 3),
                                         "eq_db_no_eq": round(eq_rms_no_eq(val), 3), "pan": round(v[2] ** 0.5, 4)}}))


if __name__ == "__main__":
    main()
