"""Render the LMMS demo projects (Debian package lmms-common) into per-track stems.

Each project is cut to a ~24-s window (the 4-bar-aligned window where the most tracks
play): clips outside it are removed, clips crossing its start are shifted (their notes
or automation points before the start dropped), clips are trimmed at its end. Then one
copy of the shortened project per track, with every other instrument/sample track
muted (solo by muting: LMMS's own `rendertracks` writes corrupt stems for some projects),
is rendered headless by `lmms render` (float WAV, 44.1 kHz). Tracks inside Beat/Bassline
editors are stems of their own (the B/B tracks stay on, the other B/B instruments muted).
The project's own volumes, pans, FX mixer and master stay as the author set them, so the
sum of the stems is the author's balance (the ground truth). Silent tracks are skipped;
a project with fewer than two audible stems, or that fails to render, is skipped and
logged. Roles come from the track's name, its instrument plugin, its sample file and its
pitch (role_of).

Output (same layout as build_corpus.py): CORPUS/songs/lmms-<project>/{stems/<role>[n].wav,
stems.json, mix.wav, info.json}; info.json holds "split" (validation by author family).
"""
import argparse
import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_corpus import balance_pan  # noqa: E402

PROJECTS = "/usr/share/lmms/projects"
SR = 44100
# Author families held out for validation (never in training): every song by these authors.
VALIDATION_AUTHORS = {"Oglsdl", "Settel", "Thomasso", "Greshz", "Socceroos"}
# Left out: Jousboxx-BuzzerBeater crashed lmms 1.2 when 1.1.0's corpus was rendered; rendered
# again (Dec 2026) it gave 26 stems of which role_of calls 20 "kick" (unchecked labels that
# would swamp the kick role). Kept out so the corpus stays the one models 1.1.0/1.2.0 saw.
EXCLUDE = {"Jousboxx-BuzzerBeater"}
TCO_TAGS = ("pattern", "bbtco", "sampletco", "automationpattern")
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def lmms(*args, timeout=900):
    return subprocess.run(["lmms", "--allowroot", *args], env=ENV, capture_output=True, text=True, timeout=timeout)


def load_project(path):
    if path.endswith(".mmpz"):
        out = lmms("dump", path, timeout=120)
        return ET.fromstring(out.stdout[out.stdout.index("<?xml"):] if "<?xml" in out.stdout else out.stdout)
    return ET.parse(path).getroot()


def ticks_per_bar(root):
    head = root.find("head")
    num, den = int(head.get("timesig_numerator", 4)), int(head.get("timesig_denominator", 4))
    return 192 * num // den


def song_tracks(root):
    return root.find("song/trackcontainer").findall("track")


def bb_inner(track):
    tc = track.find("bbtrack/trackcontainer")
    return [] if tc is None else tc.findall("track")


def clips(track):
    """The track's clips, each with pos and len set (old projects omit len on some patterns)."""
    out = [c for c in track if c.tag in TCO_TAGS]
    for c in out:
        c.set("pos", c.get("pos") or "0")
        if not c.get("len"):
            ends = [int(n.get("pos", 0)) + max(0, int(n.get("len", 0))) for n in c if n.tag in ("note", "time")]
            c.set("len", str(max(192, -(-max(ends + [0]) // 192) * 192)))
    return out


def choose_window(root, length):
    """Start tick (a multiple of 4 bars) of the window where the most tracks play."""
    bar = ticks_per_bar(root)
    spans = []
    for t in song_tracks(root):
        if t.get("type") in ("0", "1", "2") and t.get("muted") != "1":
            spans.append([(int(c.get("pos")), int(c.get("pos")) + int(c.get("len"))) for c in clips(t)
                          if c.get("muted") != "1"])
    end = max([e for s in spans for _, e in s] + [0])
    best, best_start = -1.0, 0
    for start in range(0, max(1, end - length // 2), 4 * bar):
        score = sum(min(1.0, sum(max(0, min(e, start + length) - max(s, start)) for s, e in sp) / length)
                    for sp in spans)
        if score > best + 1e-9:
            best, best_start = score, start
    return best_start


def shift_points(clip, off, point_tag, keep_last):
    """Moves child points by off ticks; drops those before 0 (keeping the last as the value at 0)."""
    pts = clip.findall(point_tag)
    before = [p for p in pts if int(p.get("pos")) + off < 0]
    for p in pts:
        p.set("pos", str(int(p.get("pos")) + off))
    for p in before:
        clip.remove(p)
    if keep_last and before and not any(int(p.get("pos")) == 0 for p in clip.findall(point_tag)):
        last = max(before, key=lambda p: int(p.get("pos")))
        last.set("pos", "0")
        clip.insert(0, last)


def shorten(root, start, length):
    holders = list(song_tracks(root)) + root.find("song").findall("track")  # + global automation
    for t in holders:
        for c in clips(t):
            pos, ln = int(c.get("pos")), int(c.get("len"))
            if pos + ln <= start or pos >= start + length:
                t.remove(c)
                continue
            off = pos - start
            if off < 0:
                if c.tag == "sampletco":  # no start offset for samples in LMMS 1.2
                    t.remove(c)
                    continue
                if c.tag == "pattern":
                    shift_points(c, off, "note", False)
                elif c.tag == "automationpattern":
                    shift_points(c, off, "time", True)
                ln, pos = ln + off, start
            c.set("pos", str(pos - start))
            c.set("len", str(min(ln, start + length - pos)))
    tl = root.find("song/timeline")
    if tl is not None:
        tl.set("lpstate", "0")


def stem_tracks(root):
    """(track element, kind, bb index or None) of every unmuted instrument/sample track that plays."""
    bar = ticks_per_bar(root)
    out = []
    bb_index, active_bb = 0, set()
    for t in song_tracks(root):
        if t.get("type") == "1":
            if t.get("muted") != "1" and any(c.get("muted") != "1" for c in clips(t)):
                active_bb.add(bb_index)
            bb_index += 1
    seen_bb = False
    for t in song_tracks(root):
        typ = t.get("type")
        if typ in ("0", "2") and t.get("muted") != "1":
            if any(c.get("muted") != "1" and (c.tag != "pattern" or c.findall("note")) for c in clips(t)):
                out.append((t, "song"))
        elif typ == "1" and not seen_bb:  # every B/B track shares the same inner tracks
            seen_bb = True
            for inner in bb_inner(t):
                if inner.get("muted") != "1" and inner.get("type") == "0" and any(
                        int(p.get("pos")) // bar in active_bb and p.findall("note") for p in inner.findall("pattern")):
                    out.append((inner, "bb"))
    return out


B = r"(?<![a-z])"  # word edges that also split on "_" and digits (names like "linn_kik.ds", "TR606_Tom")
E = r"(?![a-z])"
DRUM_WORDS = [
    ("kick", rf"kick|bassdrum|bass ?drum|{B}bd{E}|{B}kik|kck|kicker"),
    ("snare", rf"snare|snr|{B}sd{E}|clap|rim"),
    ("percussion", r"perc|conga|cga|bongo|shak|tamb|cowbell|clave|timbal|block|wood|triangle|knock"),
    ("drums", rf"hat|{B}hh|cymbal|crash|ride|{B}tom|drum|kit|beat|break|loop|splash|china"),
]
TONAL_WORDS = [
    ("vocal", r"vocal|\bvox|voice|sing|spoken|speech|lyric"),
    ("bass", r"bass|sub\b|808|reese|wobble"),
    ("pad", r"\bpad|atmo|ambien|warm|drone|choir"),
    ("strings", r"string|violin|cello|orchestra|ensemble"),
    ("piano", r"piano|\bep\b|e-piano"),
    ("keys", r"organ|rhodes|key|clav|wurli|harpsi"),
    ("guitar", r"guitar|gtr|\baxe|strum|distort"),
    ("brass", r"brass|trumpet|horn|sax|trombone|tuba"),
    ("lead", r"lead|solo|melod|arp"),
    ("fx", r"\bfx|sweep|noise|riser|impact|whoosh|effect|sonar|siren|laser|scratch|zap|\bhit"),
    ("synth", r"synth|saw|square|chord|stab|supersaw|osc|seq|pluck"),
]
# LMMS's bundled sample folders (src="<folder>/<file>") say what a sample is.
SAMPLE_DIRS = {"effects": "fx", "stringsnpads": "pad", "basses": "bass", "bassloops": "bass", "beats": "drums",
               "latin": "percussion", "drums": "percussion", "drumsynth": "percussion"}


def median_key(track):
    keys = [int(n.get("key")) for p in track.findall("pattern") for n in p.findall("note")]
    return float(np.median(keys)) if keys else 60.0


def role_of(track, kind):
    """Engine role of an LMMS track from its name, plugin, sample file and pitch."""
    name = (track.get("name") or "").lower()
    it = track.find("instrumenttrack")
    plugin, sample, src = "", "", ""
    if it is not None and it.find("instrument") is not None:
        ins = it.find("instrument")
        plugin = ins.get("name", "")
        afp = ins.find("audiofileprocessor")
        if afp is not None:
            src = afp.get("src", "").lower()
            sample = os.path.basename(src)
    elif track.get("type") == "2":
        sample = " ".join(os.path.basename(c.get("src", "")).lower() for c in track.findall("sampletco"))
    text = f"{name} {sample}"
    for role, pat in DRUM_WORDS:
        if re.search(pat, text) and not re.search(r"bass(?! ?drum)", name):
            return role
    if plugin == "kicker":
        return "kick"
    for role, pat in TONAL_WORDS:
        if re.search(pat, text):
            return role
    if plugin == "audiofileprocessor" and src.split("/")[0] in SAMPLE_DIRS:
        return SAMPLE_DIRS[src.split("/")[0]]
    if plugin == "audiofileprocessor" and kind == "bb":
        return "percussion"
    if plugin == "lb302":
        return "bass"
    if track.get("type") == "2":
        return "other"
    key = median_key(track)  # LMMS key 57 = A4 in its own numbering (C3 = 48 on the piano roll)
    if key < 45:
        return "bass"
    if plugin == "sf2player":
        return "keys"
    return "synth"


def solo_copy(root, target):
    """A copy of the project where only `target` (and the B/B tracks, for an inner track) sound."""
    doc = copy.deepcopy(root)
    twin = {id(a): b for a, b in zip(root.iter("track"), doc.iter("track"))}
    target_copy = twin[id(target)]
    inner_target = any(target in bb_inner(t) for t in song_tracks(root) if t.get("type") == "1")
    for t in doc.iter("track"):
        typ = t.get("type")
        t.set("solo", "0")
        if typ in ("0", "2") and t is not target_copy:
            t.set("muted", "1")
        elif typ == "1" and not inner_target:
            t.set("muted", "1")
    return doc


def render(doc, path, work):
    mmp = f"{work}/{os.path.basename(path)}.mmp"
    ET.ElementTree(doc).write(mmp, encoding="utf-8", xml_declaration=True)
    out = lmms("render", mmp, "-o", path, "-f", "wav", "-a", "-s", str(SR))
    # lmms 1.2 crashes on exit for some projects after writing the whole file: a readable,
    # non-empty file counts (a cut-short one is padded with silence and logged by the caller).
    try:
        a, sr = sf.read(path, dtype="float32", always_2d=True)
    except (RuntimeError, OSError, sf.LibsndfileError):
        a, sr = np.zeros((0, 2), np.float32), SR
    if len(a) == 0:
        raise RuntimeError(f"lmms render failed ({out.returncode}): {out.stderr.strip()[-120:]}")
    if sr != SR:
        raise RuntimeError(f"rendered at {sr} Hz")
    return a


def build_project(path, out_root, excerpt_s, jobs):
    base = os.path.basename(path).rsplit(".", 1)[0]
    song_id = "lmms-" + re.sub(r"[^A-Za-z0-9_-]+", "", base)
    song_dir = f"{out_root}/songs/{song_id}"
    if os.path.exists(f"{song_dir}/info.json"):
        return song_id, json.load(open(f"{song_dir}/info.json")), "cached"
    root = load_project(path)
    bpm = float(root.find("head").get("bpm", 140))
    bar = ticks_per_bar(root)
    length = int(np.ceil(excerpt_s * bpm / 60.0 * 48.0 / bar)) * bar
    start = choose_window(root, length)
    shorten(root, start, length)
    tracks = stem_tracks(root)
    if len(tracks) < 2:
        return song_id, None, f"{len(tracks)} playing track(s) in the window"
    n = int(excerpt_s * SR)
    with tempfile.TemporaryDirectory() as work:
        def one(k):
            t, kind = tracks[k]
            a = render(solo_copy(root, t), f"{work}/t{k:02d}.wav", work)[:n]
            return np.pad(a, ((0, n - len(a)), (0, 0))) if len(a) < n else a
        with ThreadPoolExecutor(jobs) as pool:
            audio = list(pool.map(one, range(len(tracks))))
    peaks = [float(np.max(np.abs(a))) for a in audio]
    top = max(peaks)
    if top < 1e-4:
        return song_id, None, "silent render"
    keep = [k for k in range(len(tracks)) if peaks[k] > top * 1e-3 and np.sqrt(np.mean(audio[k] ** 2)) > 1e-5]
    if len(keep) < 2:
        return song_id, None, f"{len(keep)} audible stem(s)"
    mix = sum(audio[k] for k in keep)
    scale = 10 ** (-1.0 / 20) / max(1e-9, float(np.max(np.abs(mix))))
    os.makedirs(f"{song_dir}/stems", exist_ok=True)
    meta, names = [], {}
    for k in keep:
        t, kind = tracks[k]
        role = role_of(t, kind)
        names[role] = names.get(role, 0) + 1
        name = role + ("" if names[role] == 1 else str(names[role])) + ".wav"
        sf.write(f"{song_dir}/stems/{name}", audio[k] * scale, SR, subtype="FLOAT")
        plugin = t.find("instrumenttrack/instrument")
        meta.append({"name": name, "role": role, "part": t.get("name"), "track": k, "plugin": plugin.get("name") if plugin is not None else "sample",
                     "pan": round(balance_pan(audio[k]), 4)})
    sf.write(f"{song_dir}/mix.wav", mix * scale, SR, subtype="FLOAT")
    author = base.split("-")[0]
    info = {"source": "lmms", "project": os.path.relpath(path, PROJECTS), "author": author, "bpm": bpm,
            "window_ticks": [start, start + length], "split": "validation" if author in VALIDATION_AUTHORS else "train",
            "stems": meta}
    with open(f"{song_dir}/stems.json", "w") as f:
        json.dump([{"name": m["name"], "role": m["role"]} for m in meta], f, indent=1)
    with open(f"{song_dir}/info.json", "w") as f:
        json.dump(info, f, indent=1)
    return song_id, info, "rendered"


def relabel(song_dir, project):
    """Recomputes the roles of a rendered song (role_of may improve without re-rendering): the
    stems were written in the order of stem_tracks, matched here by track name; renames files."""
    info = json.load(open(f"{song_dir}/info.json"))
    root = load_project(project)
    start, end = info["window_ticks"]
    shorten(root, start, end - start)
    tracks = stem_tracks(root)
    k = 0
    roles = []
    for m in info["stems"]:
        while k < len(tracks) and tracks[k][0].get("name") != m["part"]:
            k += 1
        if k == len(tracks):
            raise ValueError(f"{song_dir}: track {m['part']} not found")
        roles.append(role_of(*tracks[k]))
        m["track"] = k
        k += 1
    names = {}
    for m, role in zip(info["stems"], roles):
        os.replace(f"{song_dir}/stems/{m['name']}", f"{song_dir}/stems/tmp-{m['name']}")
        m["tmp"], m["role"] = f"tmp-{m['name']}", role
        names[role] = names.get(role, 0) + 1
        m["name"] = role + ("" if names[role] == 1 else str(names[role])) + ".wav"
    for m in info["stems"]:
        os.replace(f"{song_dir}/stems/{m.pop('tmp')}", f"{song_dir}/stems/{m['name']}")
    with open(f"{song_dir}/stems.json", "w") as f:
        json.dump([{"name": m["name"], "role": m["role"]} for m in info["stems"]], f, indent=1)
    with open(f"{song_dir}/info.json", "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
    ap.add_argument("--excerpt-s", type=float, default=24.0)
    ap.add_argument("--jobs", type=int, default=2, help="lmms processes at a time")
    ap.add_argument("--only", default="", help="comma-separated substrings of project names")
    ap.add_argument("--relabel", action="store_true", help="only recompute the roles of the rendered songs")
    args = ap.parse_args()
    if shutil.which("lmms") is None:
        raise SystemExit("lmms is not installed (apt-get install lmms lmms-common)")
    paths = sorted(glob.glob(f"{PROJECTS}/demos/**/*.mmp*", recursive=True) + glob.glob(f"{PROJECTS}/shorties/*.mmp*"))
    if args.only:
        paths = [p for p in paths if any(s in p for s in args.only.split(","))]
    paths = [p for p in paths if not any(x in p for x in EXCLUDE)]
    if args.relabel:
        for p in paths:
            d = f"{args.out}/songs/lmms-" + re.sub(r"[^A-Za-z0-9_-]+", "", os.path.basename(p).rsplit(".", 1)[0])
            if os.path.exists(f"{d}/info.json"):
                info = relabel(d, p)
                print(os.path.basename(d), ", ".join(f"{m['role']}<-{m['part']}" for m in info["stems"]), flush=True)
        add_to_split(args.out)
        return
    log = []
    for p in paths:
        try:
            song_id, info, why = build_project(p, args.out, args.excerpt_s, args.jobs)
        except (RuntimeError, OSError, ValueError, TypeError, KeyError, AttributeError, subprocess.TimeoutExpired,
                ET.ParseError) as e:
            song_id, info, why = os.path.basename(p), None, f"error: {e}"
        line = f"{song_id}: " + (f"{len(info['stems'])} stems ({why}), " + ", ".join(s["role"] for s in info["stems"])
                                 if info else f"skipped: {why}")
        print(line, flush=True)
        log.append(line)
    with open(f"{args.out}/lmms.log", "w") as f:
        f.write("\n".join(log) + "\n")
    add_to_split(args.out)


def add_to_split(out):
    """Adds the LMMS songs on disk to split.json (by the part in their info.json), keeping the rest."""
    path = f"{out}/split.json"
    split = json.load(open(path)) if os.path.exists(path) else {"train": [], "validation": []}
    for part in split:
        split[part] = [s for s in split[part] if not s.startswith("lmms-")]
    for d in sorted(glob.glob(f"{out}/songs/lmms-*/info.json")):
        split[json.load(open(d))["split"]].append(os.path.basename(os.path.dirname(d)))
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(split, f, indent=1)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
