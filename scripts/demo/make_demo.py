#!/usr/bin/env python3
"""Writes the demo song as one Standard MIDI File per stem (standard library only).

Usage: make_demo.py OUTDIR      -> OUTDIR/<stem>.mid for every stem in STEMS
       make_demo.py --list      -> prints "name channels peak_dbfs" per stem
       make_demo.py --json      -> prints stems.json (name, role, gain, pan, mute)

The song: C major, 120 BPM, 4/4. A 4-bar progression Am-F-C-G played three
times (intro: drums with quarter-note hats, bass, pad; verse adds the lead
vocal and the piano; chorus adds the guitar),
then a final C chord on bar 13 that rings out. Every file carries a last event
at END_SECONDS so fluidsynth renders all parts to the same length.
Randomness (velocity and timing humanisation) comes from a fixed seed, so the
output is identical on every run.
"""
import os
import random
import struct
import sys

PPQ = 480                    # ticks per quarter note
BPM = 120
BAR = 4 * PPQ
REPEATS = 3                  # times the 4-bar progression is played
SONG_BARS = 4 * REPEATS      # then one ending chord
END_SECONDS = 25.3           # every MIDI file ends here (render length)
DRUM_CH = 9                  # MIDI channel 10

# Stem table: file name, role, output channels, target sample peak (dBFS).
# Peaks are deliberately unbalanced: the mixing engine has to fix that.
STEMS = [
    ("kick",     "kick",   1,  -4.0),
    ("snare",    "snare",  1,  -9.5),
    ("hihat",    "drums",  2, -17.0),
    ("bass",     "bass",   1,  -6.5),
    ("piano",    "piano",  2, -12.0),
    ("pad",      "pad",    2, -17.5),
    ("lead_vox", "vocal",  1,  -7.0),
    ("guitar",   "guitar", 2, -14.5),
]

# Chords per bar (root MIDI note for the bass, chord tones for keys/pad).
PROGRESSION = [
    ("Am", 45, [57, 60, 64]),        # A2 | A3 C4 E4
    ("F",  41, [57, 60, 65]),        # F2 | A3 C4 F4
    ("C",  48, [55, 60, 64]),        # C3 | G3 C4 E4
    ("G",  43, [55, 59, 62]),        # G2 | G3 B3 D4
]
ENDING = ("C", 36, [48, 55, 60, 64])


def seconds_to_ticks(s):
    return int(round(s * BPM / 60.0 * PPQ))


# ---------------------------------------------------------------- MIDI writer
def _varlen(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(reversed(out))


class Track:
    """Collects absolute-time events; writes a format-0 SMF."""

    def __init__(self, channel):
        self.ch = channel
        self.events = []     # (tick, order, bytes); order puts note-offs first

    def add(self, tick, data, order=1):
        self.events.append((max(0, int(tick)), order, bytes(data)))

    def program(self, tick, prog):
        self.add(tick, [0xC0 | self.ch, prog], 0)

    def cc(self, tick, ctrl, value):
        self.add(tick, [0xB0 | self.ch, ctrl, max(0, min(127, int(value)))], 0)

    def note(self, tick, length, pitch, vel):
        vel = max(1, min(127, int(vel)))
        self.add(tick, [0x90 | self.ch, pitch, vel], 2)
        self.add(tick + max(1, int(length)), [0x80 | self.ch, pitch, 0], 0)

    def to_bytes(self, end_tick):
        tempo = 60_000_000 // BPM
        body = bytearray()
        head = [
            (0, 0, b"\xFF\x51\x03" + tempo.to_bytes(3, "big")),
            (0, 0, b"\xFF\x58\x04\x04\x02\x18\x08"),     # 4/4
        ]
        # a harmless controller at end_tick fixes the render length
        tail = [(end_tick, 9, bytes([0xB0 | self.ch, 0x40, 0]))]
        events = sorted(head + self.events + tail, key=lambda e: (e[0], e[1]))
        now = 0
        for tick, _, data in events:
            body += _varlen(tick - now) + data
            now = tick
        body += b"\x00\xFF\x2F\x00"
        return (b"MThd" + struct.pack(">IHHH", 6, 0, 1, PPQ)
                + b"MTrk" + struct.pack(">I", len(body)) + bytes(body))


# ---------------------------------------------------------------- the parts
def human(rng, vel, spread=8):
    return vel + rng.randint(-spread, spread)


def jitter(rng, ticks=6):
    return rng.randint(-ticks, ticks)


def part_kick(rng):
    t = Track(DRUM_CH)
    for bar in range(SONG_BARS):
        b0 = bar * BAR
        t.note(b0, 120, 36, human(rng, 112, 6))
        t.note(b0 + 2 * PPQ, 120, 36, human(rng, 104, 6))
        if bar % 2 == 1:                       # push into beat 3
            t.note(b0 + PPQ + PPQ // 2, 120, 36, human(rng, 84, 6))
        if bar % 4 == 3:                       # pickup into the next section
            t.note(b0 + 3 * PPQ + PPQ // 2, 120, 36, human(rng, 90, 6))
    t.note(SONG_BARS * BAR, 240, 36, 118)
    return t


def part_snare(rng):
    t = Track(DRUM_CH)
    for bar in range(SONG_BARS):
        b0 = bar * BAR
        last_of_section = bar % 4 == 3
        t.note(b0 + PPQ, 120, 38, human(rng, 108, 6))
        if last_of_section and bar != 3:       # 16th fill on beat 4
            for i in range(4):
                t.note(b0 + 3 * PPQ + i * PPQ // 4, 60, 38 if i % 2 else 40,
                       70 + 12 * i + rng.randint(-4, 4))
        else:
            t.note(b0 + 3 * PPQ, 120, 38, human(rng, 110, 6))
            if bar >= 4:                       # ghost notes after the intro
                t.note(b0 + 2 * PPQ + 3 * PPQ // 4, 60, 38, human(rng, 34, 5))
    t.note(SONG_BARS * BAR, 240, 38, 112)
    return t


def part_hihat(rng):
    t = Track(DRUM_CH)
    for bar in range(SONG_BARS):
        b0 = bar * BAR
        crash = bar % 4 == 0 and bar > 0
        if crash:                              # crash into verse and chorus
            t.note(b0, 480, 49, human(rng, 96, 6))
        for e in range(8):                     # eighth notes, accent on beats
            if crash and e == 0:
                continue
            if bar < 4 and e % 2 == 1:         # intro: quarter notes only
                continue
            open_hat = e == 7 and bar % 2 == 1
            vel = (84 if e % 2 == 0 else 58) + rng.randint(-8, 8)
            t.note(b0 + e * PPQ // 2 + jitter(rng, 4), 100,
                   46 if open_hat else 42, vel)
    t.note(SONG_BARS * BAR, 960, 49, 110)
    return t


def part_bass(rng):
    t = Track(1)
    t.program(0, 33)                           # Electric Bass (finger)
    for bar in range(SONG_BARS):
        b0 = bar * BAR
        _, root, _ = PROGRESSION[bar % 4]
        # root 8ths with a fifth and an octave: R . R R | 5 . 8 R
        pattern = [(0, 0, 360), (PPQ, 0, 200), (PPQ + PPQ // 2, 0, 200),
                   (2 * PPQ, 7, 360), (3 * PPQ, 12, 200), (3 * PPQ + PPQ // 2, 0, 200)]
        if bar < 4 and bar % 2 == 0:           # sparser in the intro
            pattern = [(0, 0, 900), (2 * PPQ, 7, 400), (3 * PPQ, 0, 400)]
        for off, interval, length in pattern:
            vel = (100 if off % PPQ == 0 else 84) + rng.randint(-7, 7)
            t.note(b0 + off + jitter(rng, 5), length, root + interval, vel)
    t.note(SONG_BARS * BAR, 1200, ENDING[1], 104)
    return t


def part_piano(rng):
    t = Track(2)
    t.program(0, 0)                            # Acoustic Grand Piano
    t.cc(0, 10, 58)                            # a little left
    for bar in range(4, SONG_BARS):            # enters with the verse
        b0 = bar * BAR
        _, _, chord = PROGRESSION[bar % 4]
        hits = [(0, 420), (PPQ + PPQ // 2, 200), (2 * PPQ + PPQ // 2, 200), (3 * PPQ, 420)]
        for off, length in hits:
            base = 82 if off == 0 else 70
            strum = 0
            for pitch in chord + [chord[0] + 12]:
                t.note(b0 + off + strum + jitter(rng, 4), length, pitch,
                       human(rng, base, 7))
                strum += rng.randint(4, 12)
    for i, pitch in enumerate(ENDING[2] + [72]):
        t.note(SONG_BARS * BAR + 10 * i, 1500, pitch, 86)
    return t


def part_pad(rng):
    t = Track(3)
    t.program(0, 89)                           # Pad 2 (warm)
    t.cc(0, 91, 0)
    t.cc(0, 93, 0)
    for bar in range(SONG_BARS):
        b0 = bar * BAR
        _, _, chord = PROGRESSION[bar % 4]
        for pitch in chord:
            t.note(b0 + rng.randint(0, 10), BAR - 30, pitch - 12 if pitch > 62 else pitch,
                   human(rng, 76, 5))
        # slow expression swell through each bar
        for step in range(8):
            t.cc(b0 + step * BAR // 8, 11, 88 + 5 * step - (step * step) // 2)
    t.cc(SONG_BARS * BAR, 11, 110)
    for pitch in ENDING[2]:
        t.note(SONG_BARS * BAR, 1500, pitch, 80)
    return t


# Melody: (bar within progression, beat offset in 8ths, length in 8ths, pitch)
MELODY_A = [
    (0, 0, 2, 69), (0, 2, 1, 72), (0, 3, 1, 71), (0, 4, 4, 69),
    (1, 0, 2, 65), (1, 2, 2, 69), (1, 4, 2, 72), (1, 6, 2, 74),
    (2, 0, 3, 76), (2, 3, 1, 74), (2, 4, 4, 72),
    (3, 0, 2, 71), (3, 2, 2, 74), (3, 4, 4, 67),
]
MELODY_B = [
    (0, 0, 2, 76), (0, 2, 2, 77), (0, 4, 3, 76), (0, 7, 1, 74),
    (1, 0, 3, 72), (1, 3, 1, 74), (1, 4, 4, 77),
    (2, 0, 2, 79), (2, 2, 2, 76), (2, 4, 2, 72), (2, 6, 2, 76),
    (3, 0, 4, 74), (3, 4, 3, 71), (3, 7, 1, 74),
]


def part_lead(rng):
    t = Track(4)
    t.program(0, 53)                           # Voice Oohs
    t.cc(0, 1, 30)                             # a touch of vibrato
    for section, melody in ((1, MELODY_A), (2, MELODY_B)):
        s0 = section * 4 * BAR
        for bar, off8, len8, pitch in melody:
            start = s0 + bar * BAR + off8 * PPQ // 2 + jitter(rng, 8)
            accent = 8 if off8 % 4 == 0 else 0
            t.note(start, len8 * PPQ // 2 - 30, pitch, human(rng, 90 + accent, 8))
        # phrase-shaped expression: swell into bar 3, ease off at the end
        for step in range(16):
            t.cc(s0 + step * BAR // 4, 11, 96 + int(20 * (1 - abs(step - 9) / 9.0)))
    t.note(SONG_BARS * BAR, 1500, 72, 96)
    return t


def part_guitar(rng):
    t = Track(5)
    t.program(0, 27)                           # Electric Guitar (clean)
    t.cc(0, 10, 84)                            # a little right
    for bar in range(4, SONG_BARS):            # verse and chorus only
        b0 = bar * BAR
        _, _, chord = PROGRESSION[bar % 4]
        arp = [chord[0], chord[1], chord[2], chord[1] + 12, chord[2], chord[1],
               chord[0] + 12, chord[2]]
        for e, pitch in enumerate(arp):
            t.note(b0 + e * PPQ // 2 + jitter(rng, 6), PPQ // 2 + 60, pitch,
                   human(rng, 80 if e % 2 == 0 else 66, 7))
    for pitch in ENDING[2]:
        t.note(SONG_BARS * BAR + 20, 1500, pitch + 12, 78)
    return t


PARTS = {
    "kick": part_kick, "snare": part_snare, "hihat": part_hihat,
    "bass": part_bass, "piano": part_piano, "pad": part_pad,
    "lead_vox": part_lead, "guitar": part_guitar,
}


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        for name, _, channels, peak in STEMS:
            print(name, channels, peak)
        return 0
    if len(argv) == 2 and argv[1] == "--json":
        rows = ['  {"name": "%s.flac", "role": "%s", "gain_db": 0, "pan": 0, "mute": false}'
                % (name, role) for name, role, _, _ in STEMS]
        print("[\n" + ",\n".join(rows) + "\n]")
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    end_tick = seconds_to_ticks(END_SECONDS)
    for i, (name, _, _, _) in enumerate(STEMS):
        rng = random.Random(1000 + i)          # one fixed seed per part
        track = PARTS[name](rng)
        with open(os.path.join(out, name + ".mid"), "wb") as f:
            f.write(track.to_bytes(end_tick))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
