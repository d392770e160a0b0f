"""Convert an all-JSON model file (format 1: the weights inline as nested lists, up to model
1.2.0) to the header + binary weights pair (model_file.py), without retraining: same version,
same fields. Trained weights become float32 (they were float32 in training; the JSON held
them to 9 digits), an ensemble's averaged last layer stays float64 (model_file.dtype_for).
Checks the result: every weight within 1e-8 of itself and PyTorch's float64 forward pass of
both files on random input sets.

Usage: convert_model.py OLD.json [--out NEW.json]   (default: in place, NEW.weights beside it)
"""
import argparse
import json

import numpy as np
import torch

import export_fixture
import model as mp
import model_file


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("--out", default="", help="header to write (default: OLD itself)")
    args = ap.parse_args()
    with open(args.old) as f:
        doc = json.load(f)
    if doc.get("format") != model_file.FORMAT or "weights" in doc:
        raise SystemExit(f"{args.old}: not an all-JSON {model_file.FORMAT} file (format 1)")
    layers = {part: [(np.array(lj["weight"], dtype=np.float64), np.array(lj["bias"], dtype=np.float64), lj["activation"])
                     for lj in doc.pop(part)] for part in model_file.PARTS}
    old_net = mp.net_from(doc, layers)
    out = args.out or args.old
    model_file.write(out, doc, layers)
    new_doc, new_layers = model_file.read(out)
    worst_w = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300), initial=0.0))
                  for part in model_file.PARTS for la, lb in zip(layers[part], new_layers[part]) for a, b in zip(la[:2], lb[:2]))
    new_net = mp.net_from(new_doc, new_layers)
    rng = np.random.default_rng(7)
    worst_o = 0.0
    with torch.no_grad():
        for x in export_fixture.random_sets(rng, [1, 3, 7, 12, 12]):
            worst_o = max(worst_o, float(np.max(np.abs(export_fixture.forward(old_net, x) - export_fixture.forward(new_net, x)))))
    wb = new_doc["weights"]
    print(f"{args.old} -> {out} + {wb['file']} ({wb['bytes']} bytes, crc32 {wb['crc32']}); "
          f"largest relative weight change {worst_w:.1e}, largest raw output change {worst_o:.1e}")
    if worst_w > 1e-8 or worst_o > 1e-6:
        raise SystemExit("FAILED: the converted model differs from the original")


if __name__ == "__main__":
    main()
