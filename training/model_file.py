"""The neural policy's model file: a small JSON header (models/mix_policy.json) and the binary
weights file it names beside it (models/mix_policy.weights). docs/ENGINE.md "Model file" is the
format; src/mixing/NeuralModel.cpp reads it in C++.

The weights file is the tensors' values back to back, little-endian IEEE-754, no padding. Per
layer the header gives the weight matrix's shape and its nonzero dense blocks (an ensemble's
merged layers are mostly zeros: 1.2.0 stores 0.15 M of 1.3 M values) and, per tensor, dtype,
offset and byte length; `weights` gives the file's name, byte size and CRC-32, so a truncated,
corrupt or mismatched weights file is refused rather than read.

    write(path, doc, layers)     doc: the header's descriptive fields (version, inputs, outputs,
                                 input_names, input_mean, input_std, output_transform,
                                 role_counts, training); layers: {"encoder": [(W, b, act), ...],
                                 "head": [...]} with W (out, in), act "relu" | "linear"
    read(path) -> (doc, layers)  the same, float64 numpy arrays (zeros outside the blocks)
"""
import json
import os
import zlib

import numpy as np

FORMAT = "mixmaster-neural-policy"
FORMAT_VERSION = 2
PARTS = ("encoder", "head")
# Header keys in the order they are written (the rest follow in the doc's own order).
_FIRST = ("format", "format_version", "version", "inputs", "outputs", "input_names", "input_mean", "input_std",
          "weights", "encoder", "head")
_DTYPES = {"float32": "<f4", "float64": "<f8"}


def weights_name(path):
    """models/mix_policy.json -> mix_policy.weights (beside it; the header names it)."""
    return os.path.splitext(os.path.basename(path))[0] + ".weights"


def dtype_for(values):
    """float32 when that moves no value by more than 1e-8 of itself, else float64. Trained
    weights are float32 (the all-JSON files printed them to 9 digits, at most 5e-9 off), so
    they stay exact; an ensemble's averaged last layer (w / K) is float64 and stays so."""
    a = np.asarray(values, dtype=np.float64)
    f = a.astype(np.float32).astype(np.float64)
    return "float32" if np.all(np.abs(f - a) <= 1e-8 * np.abs(a)) else "float64"


def blocks_of(w):
    """Non-overlapping dense blocks [row, col, rows, cols] holding every nonzero of `w`: runs of
    rows with the same nonzero columns, each cut into runs of columns. A trained (dense) matrix
    is one block; so is any matrix whose cover would save less than half its values."""
    rows, cols = w.shape
    nz = w != 0
    blocks, start = [], 0
    for r in range(1, rows + 1):
        if r < rows and np.array_equal(nz[r], nz[start]):
            continue
        c = np.flatnonzero(nz[start])
        if c.size:
            cuts = np.flatnonzero(np.diff(c) > 1) + 1
            for run in np.split(c, cuts):
                blocks.append([start, int(run[0]), r - start, int(run[-1]) - int(run[0]) + 1])
        start = r
    stored = sum(b[2] * b[3] for b in blocks)
    if rows * cols and (stored * 2 > rows * cols or len(blocks) > 256):
        return [[0, 0, rows, cols]]
    return blocks


def write(path, doc, layers):
    """Writes the weights file, then the header naming it (its size and CRC-32)."""
    data = bytearray()

    def tensor(values, extra):
        values = np.asarray(values, dtype=np.float64).ravel()
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{path}: a tensor holds a non-finite number")
        dtype = dtype_for(values)
        raw = values.astype(_DTYPES[dtype]).tobytes()
        t = dict(extra, dtype=dtype, offset=len(data), bytes=len(raw))
        data.extend(raw)
        return t

    tensors = {}
    for part in PARTS:
        tensors[part] = []
        for w, b, act in layers[part]:
            w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
            blocks = blocks_of(w)
            values = [w[r:r + n, c:c + m].ravel() for r, c, n, m in blocks]
            tensors[part].append({
                "activation": act,
                "weight": tensor(np.concatenate(values) if values else np.zeros(0),
                                 {"shape": list(w.shape), "blocks": blocks}),
                "bias": tensor(b, {"shape": [len(b)]})})
    wname = weights_name(path)
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), wname), "wb") as f:
        f.write(data)
    head = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "weights": {"file": wname, "bytes": len(data), "crc32": f"{zlib.crc32(data):08x}"}, **tensors}
    for k, v in doc.items():
        head.setdefault(k, v)
    ordered = {k: head[k] for k in _FIRST if k in head}
    ordered.update((k, v) for k, v in head.items() if k not in ordered)
    with open(path, "w") as f:
        json.dump(ordered, f, indent=1)
        f.write("\n")


def _values(path, data, t, count):
    if t["dtype"] not in _DTYPES:
        raise ValueError(f"{path}: dtype {t['dtype']!r} unknown (float32, float64)")
    size = np.dtype(_DTYPES[t["dtype"]]).itemsize
    if t["bytes"] != count * size or t["offset"] < 0 or t["offset"] + t["bytes"] > len(data):
        raise ValueError(f"{path}: tensor at offset {t['offset']} ({t['bytes']} bytes) does not fit its shape or the file")
    return np.frombuffer(data, dtype=_DTYPES[t["dtype"]], count=count, offset=t["offset"]).astype(np.float64)


def read(path):
    """(header doc, {"encoder": [(W, b, act)], "head": [...]}) from a model file pair."""
    with open(path) as f:
        doc = json.load(f)
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path}: format is not {FORMAT}")
    if "weights" not in doc:
        raise ValueError(f"{path}: an all-JSON model file (format 1): convert it with training/convert_model.py")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: format_version {doc.get('format_version')} (this reader: {FORMAT_VERSION})")
    wpath = os.path.join(os.path.dirname(os.path.abspath(path)), doc["weights"]["file"])
    with open(wpath, "rb") as f:
        data = f.read()
    if len(data) != doc["weights"]["bytes"] or f"{zlib.crc32(data):08x}" != doc["weights"]["crc32"]:
        raise ValueError(f"{wpath}: size or CRC-32 differs from {path}'s (truncated, corrupt or another model's)")
    layers = {}
    for part in PARTS:
        layers[part] = []
        for lj in doc[part]:
            out, inp = lj["weight"]["shape"]
            blocks = lj["weight"]["blocks"]
            flat = _values(wpath, data, lj["weight"], sum(n * m for _, _, n, m in blocks))
            w, at = np.zeros((out, inp)), 0
            for r, c, n, m in blocks:
                w[r:r + n, c:c + m] = flat[at:at + n * m].reshape(n, m)
                at += n * m
            layers[part].append((w, _values(wpath, data, lj["bias"], out), lj["activation"]))
    return doc, layers
