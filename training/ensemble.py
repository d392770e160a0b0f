"""Merge K trained set models (same inputs, same normalisation) into one model file of the same
format whose outputs are the mean of the members' raw outputs: the encoders are stacked
(block-diagonal second layer), each member's head reads its own part of [h, context], and the
last layer averages. The relative level (linear in o[0]) is exactly the members' mean; EQ and
pan take tanh of the mean raw output. The C++ NeuralModel runs the result unchanged (hidden
width K*h). `--eq-scale` scales the merged EQ outputs (0 = EQ head off).

Usage: ensemble.py --out models/mix_policy.json --version 1.1.0 run1.json run2.json ...
"""
import argparse
import json
import os
import zlib

import numpy as np

import model as mp
import train


def block_diag(mats):
    rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
    out = np.zeros((rows, cols))
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def rounded(a):
    """9 significant digits (float32 precision and more; C++ and PyTorch read the same numbers)."""
    return json.loads(json.dumps(np.vectorize(lambda v: float(f"{v:.9g}"))(a).tolist()))


def layer(w, b, act):
    return {"weight": rounded(w), "bias": rounded(b), "activation": act}


def merge(docs, eq_scale):
    k = len(docs)
    W = lambda d, part, i: np.array(d[part][i]["weight"])  # noqa: E731
    Bv = lambda d, part, i: np.array(d[part][i]["bias"])  # noqa: E731
    for d in docs[1:]:
        if not (np.allclose(d["input_mean"], docs[0]["input_mean"]) and np.allclose(d["input_std"], docs[0]["input_std"])):
            raise SystemExit("members were trained on different data (input normalisation differs)")
    h = len(docs[0]["encoder"][0]["bias"])
    enc = [layer(np.vstack([W(d, "encoder", 0) for d in docs]), np.concatenate([Bv(d, "encoder", 0) for d in docs]), "relu"),
           layer(block_diag([W(d, "encoder", 1) for d in docs]), np.concatenate([Bv(d, "encoder", 1) for d in docs]), "relu")]
    h1 = np.zeros((k * h, 2 * k * h))
    for i, d in enumerate(docs):
        w = W(d, "head", 0)
        h1[i * h:(i + 1) * h, i * h:(i + 1) * h] = w[:, :h]  # the member's own h_i
        h1[i * h:(i + 1) * h, k * h + i * h:k * h + (i + 1) * h] = w[:, h:]  # its own context
    last_w = np.hstack([W(d, "head", 1) for d in docs]) / k
    last_b = np.mean([Bv(d, "head", 1) for d in docs], axis=0)
    last_w[1:1 + mp.N_EQ] *= eq_scale
    last_b[1:1 + mp.N_EQ] *= eq_scale
    head = [layer(h1, np.concatenate([Bv(d, "head", 0) for d in docs]), "relu"), layer(last_w, last_b, "linear")]
    return enc, head


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("members", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--eq-scale", type=float, default=1.0)
    ap.add_argument("--dataset", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataset"))
    args = ap.parse_args()
    docs = [json.load(open(p)) for p in args.members]
    enc, head = merge(docs, args.eq_scale)
    out = dict(docs[0])
    out["version"] = args.version
    out["encoder"], out["head"] = enc, head
    t = dict(docs[0]["training"])
    t["ensemble"] = {"members": len(docs), "seeds": [d["training"]["seed"] for d in docs],
                     "member_seconds": [d["training"]["seconds"] for d in docs],
                     "member_selection_rms": [d["training"].get("selection_rms") for d in docs],
                     "member_validation_rms": [d["training"]["validation_rms"] for d in docs],
                     "rule": "mean of the members' raw outputs (ensemble.py)"}
    t["eq_scale"] = args.eq_scale
    t["seconds"] = round(sum(d["training"]["seconds"] for d in docs), 1)
    for key in ("validation_rms", "selection_rms", "seed"):
        t.pop(key, None)
    out["training"] = t
    out["output_transform"] = docs[0]["output_transform"] + f"; an ensemble of {len(docs)} members (mean raw output)"
    with open(args.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
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
    with open(args.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{len(docs)} members -> {args.out} (hidden {len(enc[0]['bias'])})")


if __name__ == "__main__":
    main()
