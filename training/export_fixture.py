"""Write the C++/PyTorch parity fixture for a model file: input sets and PyTorch's own
float64 forward pass of the model as exported (read back from the model file, as C++ reads it).
tests/mixing/NeuralPolicyTest.cpp checks NeuralModel::forward against it within 1e-4.
"""
import argparse
import glob
import json
import os

import numpy as np
import torch

import model as mp


def random_sets(rng, sizes):
    sets = []
    for n in sizes:
        x = np.zeros((n, mp.N_INPUTS))
        x[np.arange(n), rng.integers(0, 17, n)] = 1.0
        x[:, 17:25] = rng.uniform(-3.0, 0.0, (n, 8))
        x[:, 25:] = rng.uniform([0, 0, 0, -1, 0, 0, -1, 0], [3, 2, 2, 1, 1, 2, 1.5, 1], (n, 8))
        sets.append(x)
    return sets


def forward(net, x):
    with torch.no_grad():
        t = torch.tensor(x, dtype=torch.float64).unsqueeze(0)
        return net(t, torch.ones(1, x.shape[0], dtype=torch.float64))[0].numpy()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default=f"{here}/../models/mix_policy.json")
    ap.add_argument("--dataset", default=f"{here}/dataset")
    ap.add_argument("--out", default=f"{here}/../models/parity_fixture.json")
    args = ap.parse_args()
    net, doc = mp.load(args.model)
    rng = np.random.default_rng(11)
    sets = random_sets(rng, [1, 2, 5, 12])
    sets += [np.load(p)["inputs"] for p in sorted(glob.glob(f"{args.dataset}/validation/*.npz"))[:3]]
    out = {"version": doc["version"], "model": os.path.basename(args.model),
           "sets": [{"inputs": x.tolist(), "outputs": forward(net, x).tolist()} for x in sets]}
    with open(args.out, "w") as f:
        json.dump(out, f)
    print(f"{len(sets)} sets -> {args.out}")


if __name__ == "__main__":
    main()
