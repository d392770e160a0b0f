"""Merge K trained set models (same inputs, same normalisation) into one model file of the same
format whose outputs are the mean of the members' raw outputs: the encoders are stacked
(block-diagonal second layer), each member's head reads its own part of [h, context], and the
last layer averages. The relative level (linear in o[0]) is exactly the members' mean; EQ and
pan take tanh of the mean raw output. The C++ NeuralModel runs the result unchanged (hidden
width K*h); the model file keeps only the merged weights' nonzero blocks (model_file.py).
`--eq-scale` scales the merged EQ outputs (0 = EQ head off).

Usage: ensemble.py --out models/mix_policy.json --version 1.1.0 run1.json run2.json ...
"""
import argparse
import os
import zlib

import numpy as np

import model as mp
import model_file
import train


def block_diag(mats):
    rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
    out = np.zeros((rows, cols))
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def merge(docs, eq_scale, eq_docs=()):
    """Members are (header doc, layers) pairs as model_file.read gives them and may differ in
    hidden width. Level and pan (rows 0 and 8) are the mean over `docs`; the EQ rows (1..7) the
    mean over `eq_docs` if given (members trained on the EQ alone), else over `docs`; then scaled
    by `eq_scale`. Returns the merged layers (model_file.write stores their nonzero blocks)."""
    allm = list(docs) + list(eq_docs)
    W = lambda d, part, i: d[1][part][i][0]  # noqa: E731
    Bv = lambda d, part, i: d[1][part][i][1]  # noqa: E731
    for d in allm[1:]:
        if not (np.allclose(d[0]["input_mean"], allm[0][0]["input_mean"]) and np.allclose(d[0]["input_std"], allm[0][0]["input_std"])):
            raise SystemExit("members were trained on different data (input normalisation differs)")
    hs = [len(Bv(d, "encoder", 0)) for d in allm]
    off = np.concatenate([[0], np.cumsum(hs)]).astype(int)
    total = int(off[-1])
    enc = [(np.vstack([W(d, "encoder", 0) for d in allm]), np.concatenate([Bv(d, "encoder", 0) for d in allm]), "relu"),
           (block_diag([W(d, "encoder", 1) for d in allm]), np.concatenate([Bv(d, "encoder", 1) for d in allm]), "relu")]
    h1 = np.zeros((total, 2 * total))
    for i, d in enumerate(allm):
        w, a, b, h = W(d, "head", 0), off[i], off[i + 1], hs[i]
        h1[a:b, a:b] = w[:, :h]  # the member's own h_i
        h1[a:b, total + a:total + b] = w[:, h:]  # its own context
    eq_rows = list(range(1, 1 + mp.N_EQ))
    eq_from = list(range(len(docs), len(allm))) if eq_docs else list(range(len(docs)))
    last_w = np.zeros((mp.N_OUT, total))
    last_b = np.zeros(mp.N_OUT)
    for i, d in enumerate(allm):
        for row in range(mp.N_OUT):
            group = eq_from if row in eq_rows else list(range(len(docs)))
            if i in group:
                last_w[row, off[i]:off[i + 1]] = W(d, "head", 1)[row] / len(group)
                last_b[row] += Bv(d, "head", 1)[row] / len(group)
    last_w[1:1 + mp.N_EQ] *= eq_scale
    last_b[1:1 + mp.N_EQ] *= eq_scale
    head = [(h1, np.concatenate([Bv(d, "head", 0) for d in allm]), "relu"), (last_w, last_b, "linear")]
    return {"encoder": enc, "head": head}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("members", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--eq-scale", type=float, default=1.0)
    ap.add_argument("--eq-members", nargs="*", default=[],
                    help="members trained on the EQ alone (train.py --objective eq): the EQ rows are their mean")
    ap.add_argument("--dataset", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataset"))
    args = ap.parse_args()
    members = [model_file.read(p) for p in args.members]
    eq_members = [model_file.read(p) for p in args.eq_members]
    layers = merge(members, args.eq_scale, eq_members)
    docs, eq_docs = [m[0] for m in members], [m[0] for m in eq_members]
    out = {k: v for k, v in docs[0].items() if k not in ("weights", "encoder", "head")}
    out["version"] = args.version
    t = dict(docs[0]["training"])
    if len(docs) == 1 and "ensemble" in t:
        # The level and pan part is an earlier ensemble, taken whole: its record stays as it was.
        t["level_and_pan_from"] = docs[0]["version"]
    else:
        t["ensemble"] = {"members": len(docs), "seeds": [d["training"]["seed"] for d in docs],
                         "member_seconds": [d["training"]["seconds"] for d in docs],
                         "member_selection_rms": [d["training"].get("selection_rms") for d in docs],
                         "member_validation_rms": [d["training"]["validation_rms"] for d in docs],
                         "rule": "mean of the members' raw outputs (ensemble.py)"}
        t["seconds"] = round(sum(d["training"]["seconds"] for d in docs), 1)
    if eq_docs:
        t["eq_members"] = [{k: d["training"].get(k) for k in ("seed", "objective", "epochs", "steps", "hidden", "lr",
                                                             "weight_decay", "seconds", "selection_rms", "validation_rms")}
                           for d in eq_docs]
        t["eq_rule"] = "EQ outputs: the mean of the EQ members' raw outputs (trained on the EQ loss alone), x eq_scale"
    t["eq_scale"] = args.eq_scale
    for key in ("validation_rms", "selection_rms", "seed"):
        t.pop(key, None)
    out["training"] = t
    if not (len(docs) == 1 and "ensemble" in docs[0]["training"]):
        out["output_transform"] = docs[0]["output_transform"] + f"; an ensemble of {len(docs)} members (mean raw output)"
    if eq_docs:
        out["output_transform"] += f"; EQ outputs from {len(eq_docs)} EQ member(s) (mean raw output)"
    model_file.write(args.out, out, layers)
    # The merged model's own errors on the held-out training songs and the validation sets.
    net = mp.load(args.out)[0].float()
    held = lambda song: zlib.crc32(song.encode()) % 10 == 0  # noqa: E731  (as train.py)
    for key, sets in (("selection_rms", train.load_split(f"{args.dataset}/train", held)),
                      ("validation_rms", train.load_split(f"{args.dataset}/validation"))):
        if sets:
            v = train.evaluate(net, sets)
            t[key] = {"relative_lu_db": round(v[0] ** 0.5, 3), "eq_db": round(v[1] ** 0.5, 3),
                      "eq_db_no_eq": round(train.eq_rms_no_eq(sets), 3), "pan": round(v[2] ** 0.5, 4)}
            print(key, t[key])
    model_file.write(args.out, out, layers)
    print(f"{len(docs)} + {len(eq_docs)} EQ members -> {args.out} (hidden {len(layers['encoder'][0][1])})")


if __name__ == "__main__":
    main()
