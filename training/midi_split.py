"""Split a General MIDI file into one MIDI file per part (mido).

A part is a MIDI channel, except channel 10 (drums), which is split by GM note groups
(kick, snare, hi-hats/cymbals/toms = drums, everything else = percussion). Each part keeps
the file's tempo and meter events, so it renders in time with the others. The role of a
melodic part comes from its General MIDI program family.
"""
import mido

# GM program families (program // 8) -> stem role of the engine (src/mixing/StemRole.h).
FAMILY_ROLES = ["piano", "keys", "keys", "guitar", "bass", "strings", "strings", "brass",
                "brass", "lead", "synth", "pad", "fx", "other", "percussion", "fx"]

KICK = {35, 36}
SNARE = {37, 38, 39, 40}
KIT = {41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 55, 57, 59}  # toms, hats, cymbals


def drum_group(note):
    if note in KICK:
        return "kick"
    if note in SNARE:
        return "snare"
    if note in KIT:
        return "drums"
    return "percussion"


def split(path):
    """Returns {part_key: (role, MidiFile)} for every part that plays at least one note."""
    src = mido.MidiFile(path)
    meta, parts, programs = [], {}, {}
    for track in src.tracks:
        t = 0
        for msg in track:
            t += msg.time
            if msg.is_meta:
                if msg.type in ("set_tempo", "time_signature", "key_signature"):
                    meta.append((t, msg))
                continue
            if not hasattr(msg, "channel"):
                continue
            ch = msg.channel
            if ch == 9:
                if msg.type in ("note_on", "note_off"):
                    keys = ["drum_" + drum_group(msg.note)]
                else:
                    keys = ["drum_" + g for g in ("kick", "snare", "drums", "percussion")]
            else:
                keys = ["ch%02d" % ch]
                if msg.type == "program_change" and ch not in programs:
                    programs[ch] = msg.program
            for k in keys:
                parts.setdefault(k, []).append((t, msg))
    out = {}
    for key, events in parts.items():
        if not any(m.type == "note_on" and m.velocity > 0 for _, m in events):
            continue
        if key.startswith("drum_"):
            role = key[5:]
        else:
            role = FAMILY_ROLES[programs.get(int(key[2:]), 0) // 8]
        mf = mido.MidiFile(type=0, ticks_per_beat=src.ticks_per_beat)
        tr = mido.MidiTrack()
        last = 0
        for t, m in sorted(meta + events, key=lambda e: e[0]):
            tr.append(m.copy(time=t - last))
            last = t
        tr.append(mido.MetaMessage("end_of_track", time=0))
        mf.tracks.append(tr)
        out[key] = (role, mf)
    return out
