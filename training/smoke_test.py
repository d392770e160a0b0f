#!/usr/bin/python3
"""Smoke run of the whole training path on two tiny generated songs (< 1 min):
corpus layout -> perturbed dataset with the engine's features -> a few training steps ->
model file (JSON header + binary weights) -> `mixmaster features --model` (C++ forward) against
PyTorch's forward (1e-4); then an EQ member (train.py --objective eq) merged with it by
ensemble.py --eq-members (its merged layers stored as nonzero blocks). Also checks that the
MMA corpus charts carry their RndSeed line (no mma needed).

Usage: smoke_test.py MIXMASTER_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model as mp  # noqa: E402
import torch  # noqa: E402

SR = 44100


def tiny_song(folder, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(int(3.0 * SR)) / SR
    beat = (t % 0.5)
    kick = 0.5 * np.exp(-beat * 30) * np.sin(2 * np.pi * 55 * beat)
    bass = 0.2 * np.sin(2 * np.pi * (55 + 10 * seed) * t)
    pad = 0.05 * rng.standard_normal((len(t), 2)) * np.array([1.0, 0.4])  # leans left
    stems = {"kick.wav": ("kick", np.stack([kick, kick], 1)), "bass.wav": ("bass", np.stack([bass, bass], 1)),
             "pad.wav": ("pad", pad)}
    os.makedirs(f"{folder}/stems")
    meta = []
    for name, (role, a) in stems.items():
        sf.write(f"{folder}/stems/{name}", a.astype(np.float32), SR, subtype="FLOAT")
        el, er = np.sum(a[:, 0] ** 2), np.sum(a[:, 1] ** 2)
        meta.append({"name": name, "role": role, "pan": float(4 * np.arctan2(np.sqrt(er), np.sqrt(el)) / np.pi - 1)})
    json.dump({"stems": meta}, open(f"{folder}/info.json", "w"))


def check_corpus_charts():
    """The MMA corpus renders reproducibly: every chart seeds MMA's random generator with a seed
    fixed by the song id, and the WAV writer leaves out libsndfile's time-stamped PEAK chunk.
    Needs neither mma nor fluidsynth; skipped without python3-mido (build_corpus imports it)."""
    try:
        import build_corpus
        import render_song
    except ImportError as e:
        print(f"corpus chart check skipped ({e})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        build_corpus.write_song(f"{tmp}/song.mma", "Spiritual", "Dm7 G7 Cmaj7 Cmaj7", "C", 121, 4,
                                build_corpus.song_seed("087-spiritual"))
        first = open(f"{tmp}/song.mma").readline()
        assert first == "RndSeed 2261190925\n", first  # crc32: the same on every run and machine
        audio = np.full((100, 2), 0.5, np.float32)
        render_song.write_wav(f"{tmp}/a.wav", audio)
        data = open(f"{tmp}/a.wav", "rb").read()
        assert b"PEAK" not in data and np.array_equal(sf.read(f"{tmp}/a.wav", dtype="float32")[0], audio)
    print("corpus chart check: RndSeed line, WAV without PEAK chunk")


def main():
    mixmaster = os.path.abspath(sys.argv[1])
    check_corpus_charts()
    with tempfile.TemporaryDirectory() as tmp:
        for i, song in enumerate(["s0", "s1"]):
            tiny_song(f"{tmp}/corpus/songs/{song}", i)
        json.dump({"train": ["s0"], "validation": ["s1"]}, open(f"{tmp}/corpus/split.json", "w"))
        py = sys.executable
        subprocess.run([py, f"{HERE}/make_dataset.py", "--corpus", f"{tmp}/corpus", "--out", f"{tmp}/dataset",
                        "--mixmaster", mixmaster, "--variants", "2"], check=True, stdout=subprocess.DEVNULL)
        model = f"{tmp}/model.json"
        subprocess.run([py, f"{HERE}/train.py", "--dataset", f"{tmp}/dataset", "--model", model, "--epochs", "10",
                        "--steps", "5", "--version", "smoke"], check=True, stdout=subprocess.DEVNULL)
        doc = json.load(open(model))
        assert doc["version"] == "smoke" and doc["training"]["steps"] == 5, doc.get("training")
        # The header + binary weights pair (model_file.py): the weights beside the header, as named.
        assert doc["format_version"] == 2 and doc["weights"]["file"] == "model.weights", doc.get("weights")
        assert os.path.getsize(f"{tmp}/model.weights") == doc["weights"]["bytes"]
        stems = [f"{tmp}/corpus/songs/s0/stems/{n}" for n in ("kick.wav", "bass.wav", "pad.wav")]
        out = subprocess.run([mixmaster, "features", "--model", model, *stems], check=True, capture_output=True, text=True)
        feats = json.loads(out.stdout)
        net, _ = mp.load(model)
        x = torch.tensor([f["inputs"] for f in feats], dtype=torch.float64).unsqueeze(0)
        with torch.no_grad():
            ref = net(x, torch.ones(1, x.shape[1], dtype=torch.float64))[0].numpy()
        cpp = np.array([f["model_outputs"] for f in feats])
        worst = float(np.max(np.abs(cpp - ref)))
        print(f"smoke training: 5 steps; C++ vs PyTorch max |diff| {worst:.2e} over {cpp.size} outputs")
        if not worst < 1e-4:
            print("FAILED: C++ and PyTorch disagree")
            return 1
        # An EQ member (EQ loss alone, narrower, the level model's normalisation) merged with
        # the level model by ensemble.py: level/pan rows must be the level model's, the EQ rows
        # the EQ member's times the scale, and C++ must read the merged file as PyTorch does.
        eq_model = f"{tmp}/eq.json"
        subprocess.run([py, f"{HERE}/train.py", "--dataset", f"{tmp}/dataset", "--model", eq_model, "--epochs", "10",
                        "--steps", "5", "--version", "smoke-eq", "--objective", "eq", "--hidden", "16", "--seed", "2",
                        "--norm-from", model, "--eq-scale", "1"], check=True, stdout=subprocess.DEVNULL)
        merged = f"{tmp}/merged.json"
        subprocess.run([py, f"{HERE}/ensemble.py", "--out", merged, "--version", "smoke-merged", "--eq-scale", "0.5",
                        "--dataset", f"{tmp}/dataset", "--eq-members", eq_model, "--", model],
                       check=True, stdout=subprocess.DEVNULL)
        # Its last layer reads level/pan from the level model, EQ from the EQ member: stored as
        # blocks (the zeros between them left out), which C++ must run as the dense matrix.
        last = json.load(open(merged))["head"][-1]["weight"]
        assert len(last["blocks"]) > 1, last
        with torch.no_grad():
            ones = torch.ones(1, x.shape[1], dtype=torch.float64)
            o_lvl, o_eq, o_m = (mp.load(p)[0](x, ones)[0].numpy() for p in (model, eq_model, merged))
        want = o_lvl.copy()
        want[:, 1:1 + mp.N_EQ] = 0.5 * o_eq[:, 1:1 + mp.N_EQ]
        merge_err = float(np.max(np.abs(o_m - want)))
        out = subprocess.run([mixmaster, "features", "--model", merged, *stems], check=True, capture_output=True, text=True)
        cpp_m = np.array([f["model_outputs"] for f in json.loads(out.stdout)])
        worst_m = float(np.max(np.abs(cpp_m - o_m)))
        print(f"merged level + EQ member: |merged - expected| {merge_err:.2e}, C++ vs PyTorch {worst_m:.2e}")
        if not (merge_err < 1e-6 and worst_m < 1e-4):
            print("FAILED: the merged model is not the level model with the EQ member's EQ")
            return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
