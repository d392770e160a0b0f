"""Train the neural mixing policy on the perturbed corpus (make_dataset.py) and export it.

Sets of stems are padded into batches with a mask; each epoch drops random stems from
each set (at least two stay), so the model sees every song with many stem counts.
The checkpoint with the lowest validation loss is exported to MODEL (JSON, model.py).
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
        sets.append({k: z[k] for k in ("inputs", "rel_lu", "eq_db", "pan", "pan_mask")})
    return sets


def role_counts(folder):
    """Training stems per role (one count per stem of each song, from its clean variant):
    the C++ policy keeps the rules' decisions for roles seen fewer than 10 times."""
    counts = {}
    for path in sorted(glob.glob(f"{folder}/*_v0.npz")):
        for r in np.load(path)["roles"]:
            counts[str(r)] = counts.get(str(r), 0) + 1
    return counts


def batch(sets, drop, rng):
    n = max(len(s["rel_lu"]) for s in sets)
    b = len(sets)
    x = np.zeros((b, n, mp.N_INPUTS))
    mask = np.zeros((b, n))
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
    t = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return t(x), t(mask), t(rel), t(eq), t(pan), t(pmask)


def evaluate(net, sets):
    with torch.no_grad():
        x, mask, rel, eq, pan, pm = batch(sets, 0.0, None)
        l_rel, l_eq, l_pan = mp.loss_terms(net(x, mask), mask, rel, eq, pan, pm)
    return float(l_rel), float(l_eq), float(l_pan)


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
    allx = np.concatenate([s["inputs"] for s in train])
    mean, std = allx.mean(0), allx.std(0)
    std[std < 1e-3] = 1.0
    net = mp.SetPolicy(args.hidden, torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, args.epochs))
    best, best_state, steps, t0 = None, None, 0, time.time()
    for epoch in range(args.epochs):
        order = rng.permutation(len(train))
        for b0 in range(0, len(order), args.batch):
            x, mask, rel, eq, pan, pm = batch([train[i] for i in order[b0:b0 + args.batch]], 0.25, rng)
            l_rel, l_eq, l_pan = mp.loss_terms(net(x, mask), mask, rel, eq, pan, pm)
            loss = l_rel / 25.0 + l_eq / 4.0 + l_pan * 4.0  # ~unit scale: 5 dB, 2 dB, 0.5 pan
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            if args.steps and steps >= args.steps:
                break
        sched.step()
        v = evaluate(net, select)
        score = v[0] / 25.0 + v[1] / 4.0 + v[2] * 4.0
        if best is None or score < best:
            best, best_state = score, {k: t.clone() for k, t in net.state_dict().items()}
        if epoch % 20 == 0 or epoch == args.epochs - 1 or (args.steps and steps >= args.steps):
            print(f"epoch {epoch} steps {steps}: selection-set rms rel {v[0] ** 0.5:.2f} dB, eq {v[1] ** 0.5:.2f} dB, "
                  f"pan {v[2] ** 0.5:.3f}", flush=True)
        if args.steps and steps >= args.steps:
            break
    net.load_state_dict(best_state)
    v = evaluate(net, val)
    seconds = time.time() - t0
    mp.export(net, args.model, args.version, {
        "role_counts": role_counts(f"{args.dataset}/train"),
        "training": {"seed": args.seed, "epochs": args.epochs, "steps": steps, "hidden": args.hidden,
                     "train_sets": len(train), "selection_sets": len(select), "validation_sets": len(val),
                     "train_songs": sorted(SONGS.get(f"{args.dataset}/train", [])),
                     "selection_songs": sorted(SONGS.get(f"{args.dataset}/train#selection", [])),
                     "validation_songs": sorted(SONGS.get(f"{args.dataset}/validation", [])),
                     "selection": "best epoch on held-out training songs (crc32(name) % 10 == 0)", "seconds": round(seconds, 1),
                     "validation_rms": {"relative_lu_db": round(v[0] ** 0.5, 3), "eq_db": round(v[1] ** 0.5, 3),
                                        "pan": round(v[2] ** 0.5, 4)}}})
    print(json.dumps({"model": args.model, "seconds": round(seconds, 1), "steps": steps}))


if __name__ == "__main__":
    main()
