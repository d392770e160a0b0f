#!/usr/bin/python3
"""Validates report.json of `mixmaster run`, `mix` and `master` against docs/report.schema.json.

Usage: report_schema_test.py MIXMASTER_BINARY SCHEMA_JSON

Writes three short generated stems (a kick-like sine burst, a bass sine, noise "hats"),
runs the real binary on them, and validates each report with jsonschema (Draft 2020-12).
Any schema error, non-zero exit or missing report fails the test with every error listed.
"""
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
import wave

import jsonschema

RATE = 48000
SECONDS = 4.0


def write_wav(path, channels, samples):
    """samples: list of frames (tuples of floats in −1…1); writes 24-bit PCM."""
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(3)
        w.setframerate(RATE)
        out = bytearray()
        for frame in samples:
            for v in frame:
                i = max(-8388608, min(8388607, int(round(v * 8388607.0))))
                out += struct.pack("<i", i)[:3]
        w.writeframes(bytes(out))


def make_stems(folder):
    n = int(RATE * SECONDS)
    rng = random.Random(7)
    kick, bass, hats = [], [], []
    for i in range(n):
        t = i / RATE
        tb = t % 0.5  # a beat every 0.5 s
        kick.append((0.6 * math.exp(-tb * 30.0) * math.sin(2 * math.pi * 55.0 * tb),))
        bass.append((0.25 * math.sin(2 * math.pi * 82.41 * t),))
        env = math.exp(-(t % 0.25) * 60.0)
        hats.append((0.2 * env * (rng.random() * 2 - 1), 0.2 * env * (rng.random() * 2 - 1)))
    write_wav(os.path.join(folder, "kick.wav"), 1, kick)
    write_wav(os.path.join(folder, "bass.wav"), 1, bass)
    write_wav(os.path.join(folder, "hats.wav"), 2, hats)
    meta = [{"name": "kick.wav", "role": "kick"}, {"name": "bass.wav", "role": "bass"},
            {"name": "hats.wav", "role": "drums"}]
    with open(os.path.join(folder, "stems.json"), "w") as f:
        json.dump(meta, f)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")


def validate(validator, path, kind):
    with open(path) as f:
        report = json.load(f)
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    for e in errors:
        print(f"  {kind}: {e.json_path}: {e.message[:300]}", file=sys.stderr)
    if report.get("job", {}).get("kind") != kind:
        errors.append(f"job.kind is {report.get('job')} instead of {kind}")
        print(f"  {kind}: job.kind is {report.get('job')}", file=sys.stderr)
    print(f"{kind}: {path}: {'OK' if not errors else f'{len(errors)} error(s)'}")
    return len(errors)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="mm-report-schema-") as tmp:
        stems = os.path.join(tmp, "stems")
        os.mkdir(stems)
        make_stems(stems)
        meta = os.path.join(stems, "stems.json")
        out_run, out_mix, out_master = (os.path.join(tmp, d) for d in ("run", "mix", "master"))
        # With the web player's comparison previews: the previews object in full.
        run([binary, "run", "--stems-dir", stems, "--meta", meta, "--preset", "Pop", "--compare-previews", "-o", out_run])
        failures += validate(validator, os.path.join(out_run, "report.json"), "run")
        with open(os.path.join(out_run, "report.json")) as f:
            previews = sorted(json.load(f)["previews"])
        if previews != ["master", "mix", "stems"]:
            print(f"run --compare-previews: previews {previews}, expected master, mix, stems")
            failures += 1
        run([binary, "mix", "--stems-dir", stems, "--meta", meta, "--preset", "Rock", "-o", out_mix])
        failures += validate(validator, os.path.join(out_mix, "report.json"), "mix")
        # Without: the master's preview alone.
        run([binary, "master", os.path.join(out_mix, "mix.wav"), "--preset", "Streaming", "--lra-max", "12",
             "-o", out_master])
        failures += validate(validator, os.path.join(out_master, "report.json"), "master")
        with open(os.path.join(out_master, "report.json")) as f:
            previews = sorted(json.load(f)["previews"])
        if previews != ["master"] or os.path.exists(os.path.join(out_master, "mix_preview.ogg")):
            print(f"master: previews {previews}, expected the master's alone")
            failures += 1
    if failures:
        sys.exit(f"FAIL: {failures} schema error(s)")
    print("report_schema: all reports valid")


if __name__ == "__main__":
    main()
