"""Render one MMA song into per-part stems with FluidSynth in a single synth run.

Loading the 140 MB GM soundfont dominates a FluidSynth run, so all parts of a song are laid
one after another in one MIDI file, each in its own slot of SLOT_S seconds, rendered once,
and cut apart. Slots are a multiple of 16 s so that every slot starts on a 64-sample block
boundary at 44.1 kHz (FluidSynth schedules events per block): the parts stay sample-aligned.
"""
import subprocess

import mido
import numpy as np
import soundfile as sf

SR = 44100
SLOT_S = 32
TPB = 960            # ticks per beat at 120 bpm: 1920 ticks per second
TEMPO = 500000
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
SFC_SET_ADD_PEAK_CHUNK = 0x1050  # libsndfile's sndfile.h


def write_wav(path, data):
    """32-bit float WAV without libsndfile's PEAK chunk: that chunk holds the time of writing, so
    two renders of the same audio would differ in 4 bytes. (The chunk's space stays as padding.)"""
    with sf.SoundFile(path, "w", SR, data.shape[1], subtype="FLOAT") as f:
        sf._snd.sf_command(f._file, SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, 0)  # before any audio
        f.write(data)


def part_events_seconds(mf, max_s):
    """(seconds, message) of a part's channel messages, up to max_s."""
    out, t = [], 0.0
    for msg in mf:  # iterating a MidiFile yields playback times in seconds
        t += msg.time
        if msg.is_meta or t > max_s:
            continue
        out.append((t, msg))
    return out


def render_parts(parts, workdir, max_s=30.0):
    """parts: {key: (role, MidiFile)} -> {key: (role, float32 array frames x 2)}."""
    keys = sorted(parts)
    mf = mido.MidiFile(type=0, ticks_per_beat=TPB)
    tr = mido.MidiTrack()
    tr.append(mido.MetaMessage("set_tempo", tempo=TEMPO, time=0))
    events = []
    for slot, key in enumerate(keys):
        for t, msg in part_events_seconds(parts[key][1], max_s):
            events.append((slot * SLOT_S + t, msg))
        # silence every channel at the end of the slot (notes cut by max_s)
        for ch in range(16):
            events.append((slot * SLOT_S + max_s, mido.Message("control_change", channel=ch, control=123, value=0)))
    events.sort(key=lambda e: e[0])
    last = 0
    for t, msg in events:
        tick = int(round(t * 1920))
        tr.append(msg.copy(time=tick - last))
        last = tick
    tr.append(mido.MetaMessage("end_of_track", time=SLOT_S * 1920 * len(keys) - last))
    mf.tracks.append(tr)
    mid = f"{workdir}/all.mid"
    wav = f"{workdir}/all.wav"
    mf.save(mid)
    subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r", str(SR), "-O", "float",
                    "-T", "wav", "-F", wav, SOUNDFONT, mid], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    audio, sr = sf.read(wav, dtype="float32", always_2d=True)
    assert sr == SR
    n = int(max_s * SR) + SR  # one second of release tail after the cut
    out = {}
    for slot, key in enumerate(keys):
        seg = audio[slot * SLOT_S * SR: slot * SLOT_S * SR + n]
        if len(seg) < n:
            seg = np.vstack([seg, np.zeros((n - len(seg), 2), np.float32)])
        out[key] = (parts[key][0], seg)
    return out
