"""Generate the piano and voice training corpora (16 kHz mono float32), deterministically.

  /usr/bin/python3 training/data/make_data.py --out training/.data --seed 1 \
      --piano-minutes 30 --voice-minutes 30 --jobs 2

piano: programmatic MIDI (our own writer: keys, modes, tempi, chord progressions, melodies,
       arpeggios, scale runs, registers, dynamics, sustain pedal, rests), rendered by
       fluidsynth. train: FluidR3_GM + MuseScore_General (programs 0 and 1);
       validation: TimGM6mb (a soundfont never seen in training).
voice: varied English sentences from a small grammar + a hand-written list, spoken by
       flite, festival and espeak-ng voices with rate/pitch variation. Optionally (train only,
       --voice-recording-minutes, --voice-recordings SET) real recorded speech from Debian
       packages: festvox-ru (festival's Russian unit-selection database, about 90 min of one
       male speaker) or kde-edu (the spoken words, letters and syllables of KTuberling and
       KLettres, about 80 min of many speakers, children and adults, in 22-26 languages).
       Off by default: see training/README.md for what each did to the prior.
       validation: voices never seen in training (flite rms, festival ked, some espeak voices).
Every clip: silence trimmed, random gain. Never touches ../shared/eval.

Output per source/split: <out>/<source>_<split>.npy (float32, clips concatenated) and
<out>/<source>_<split>.json (clip offsets + metadata), plus <out>/summary.json.
Missing Debian packages are installed with apt-get when running as root; otherwise the
script stops and names them.
"""
import argparse
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from multiprocessing import Pool

import numpy as np

SR = 16000
HERE = os.path.dirname(os.path.abspath(__file__))
REQ = os.path.join(os.path.dirname(HERE), "requirements-debian.txt")

SF_DIR = "/usr/share/sounds/sf2"
PIANO_TRAIN = [("FluidR3_GM.sf2", 0), ("FluidR3_GM.sf2", 1), ("MuseScore_General_Full.sf2", 0),
               ("MuseScore_General_Full.sf2", 1)]
PIANO_VAL = [("TimGM6mb.sf2", 0)]
# More sampled pianos for training, a separate set so the default corpus stays as it was (--piano-renderers more):
# FreePats' acoustic grand and bright piano (GUS patches, rendered by TiMidity++) and csound's GM bank.
PIANO_MORE = [("freepats", 0), ("freepats", 1), ("sf_GMbank.sf2", 0)]
PIANO_RENDERER_SETS = {"default": PIANO_TRAIN, "more": PIANO_MORE}
PIANO_MORE_PACKAGES = ["timidity", "freepats", "csound-soundfont"]
FREEPATS_CFG = "/etc/timidity/freepats.cfg"
# item numbers of the "more" set start here, so its pieces are not the default set's compositions again
PIANO_MORE_FIRST_ITEM = 1_000_000

# (engine, voice) ; validation voices are disjoint from training voices
# the natural-recording-based voices (flite, festival) appear twice in the rotation, the
# formant synthesiser (espeak-ng) about a quarter of the time
_NATURAL = [("flite", v) for v in ["slt", "awb", "kal16"]] + [("festival", v) for v in ["kal_diphone", "cmu_us_slt_arctic_hts"]]
_ESPEAK = [("espeak", v) for v in ["en-us", "en-gb", "en-gb-x-rp", "en-029", "en-gb-x-gbcwmd"]]
VOICE_TRAIN = [_NATURAL[0], _NATURAL[1], _ESPEAK[0], _NATURAL[2], _NATURAL[3], _ESPEAK[1], _NATURAL[4],
               _NATURAL[0], _ESPEAK[2], _NATURAL[1], _NATURAL[2], _ESPEAK[3], _NATURAL[3], _NATURAL[4], _ESPEAK[4],
               _NATURAL[0], _NATURAL[2], _NATURAL[4], _NATURAL[1], _NATURAL[3]]
VOICE_VAL = [("flite", "rms"), ("festival", "ked_diphone"), ("espeak", "en-gb-scotland"), ("espeak", "en-gb-x-gbclan")]
# real recordings (train only), by set: the Debian packages that ship them and where they lie
RECORDING_SETS = {
    "festvox-ru": {"packages": ["festvox-ru"], "dirs": ["/usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav"]},
    "kde-edu": {"packages": ["ktuberling-data", "klettres-data"],
                "dirs": ["/usr/share/ktuberling/sounds", "/usr/share/klettres"]},
    # Asterisk's telephone prompts in wideband G.722 (16 kHz, passband to 7 kHz): whole sentences
    # read by four professional speakers (one of them twice) in five languages
    "asterisk": {"packages": ["ffmpeg"] + [f"asterisk-core-sounds-{lang}-g722" for lang in ["en", "es", "fr", "it", "ru"]],
                 "dirs": ["/usr/share/asterisk/sounds"]},
    # Tux Paint's stamp descriptions ("A frog is an amphibian..."): short sentences read by many
    # people, one set per language (44.1 kHz Ogg). `pattern` keeps the spoken descriptions and
    # leaves out the stamps' sound effects. "tuxpaint": the 12 languages other than English
    # (about 7,350 recordings); "tuxpaint-en": the 66 English ones, kept out of training so that
    # tune_upsampling.py can use them as held-out real English speech.
    "tuxpaint": {"packages": ["tuxpaint-stamps-default"], "dirs": ["/usr/share/tuxpaint/stamps"], "pattern": r"_desc_[a-z]{2}\.ogg$"},
    "tuxpaint-en": {"packages": ["tuxpaint-stamps-default"], "dirs": ["/usr/share/tuxpaint/stamps"], "pattern": r"_desc\.ogg$"},
}
VOICE_RECORDINGS = [("recording", name) for name in RECORDING_SETS]
RECORDING_EXTENSIONS = (".wav", ".ogg", ".flac", ".g722")
G722_BYTES_PER_SECOND = 8000  # 64 kbit/s, always 16 kHz audio
SILENCE_DIRS = {"silence"}  # prompt sets keep their pause files there
MIN_RECORDING_RATE = 16000  # an 8 kHz recording has nothing above 4 kHz to teach
ESPEAK_TRAIN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m7", "f1", "f2", "f3", "f4", "klatt", "klatt3"]
ESPEAK_VAL_VARIANTS = ["m6", "f5", "klatt2"]


# ----------------------------------------------------------------------------------
# Debian packages
# ----------------------------------------------------------------------------------
def debian_packages():
    with open(REQ) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def ensure_packages(needed=None):
    needed = needed or debian_packages()
    missing = []
    for p in needed:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True)
        if "install ok installed" not in r.stdout:
            missing.append(p)
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("missing Debian packages (install them: apt-get install -y %s)" % " ".join(missing))
    print("[data] installing", " ".join(missing), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y"] + missing, check=True, env=env)


# ----------------------------------------------------------------------------------
# MIDI writer (format 0, one track)
# ----------------------------------------------------------------------------------
def _varlen(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(reversed(out))


def midi_bytes(events, tpq=480, tempo_bpm=120.0, program=0):
    """events: list of (tick, kind, a, b) with kind in {'on','off','cc'} -> .mid bytes."""
    tr = bytearray()
    us = int(round(60e6 / tempo_bpm))
    tr += b"\x00\xff\x51\x03" + us.to_bytes(3, "big")
    tr += b"\x00\xc0" + bytes([program & 0x7F])
    order = {"off": 0, "cc": 1, "on": 2}
    evs = sorted(events, key=lambda e: (e[0], order[e[1]], e[2]))
    last = 0
    for tick, kind, a, b in evs:
        tr += _varlen(max(0, tick - last))
        last = max(last, tick)
        if kind == "on":
            tr += bytes([0x90, a & 0x7F, max(1, min(127, b))])
        elif kind == "off":
            tr += bytes([0x80, a & 0x7F, 0])
        else:
            tr += bytes([0xB0, a & 0x7F, b & 0x7F])
    tr += b"\x00\xff\x2f\x00"
    head = b"MThd" + (6).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big") + tpq.to_bytes(2, "big")
    return head + b"MTrk" + len(tr).to_bytes(4, "big") + bytes(tr)


MAJOR = [0, 2, 4, 5, 7, 9, 11]
MINOR = [0, 2, 3, 5, 7, 8, 10]
DORIAN = [0, 2, 3, 5, 7, 9, 10]
PROGRESSIONS = [[0, 4, 5, 3], [0, 5, 3, 4], [0, 3, 4, 0], [1, 4, 0, 0], [0, 5, 1, 4], [5, 3, 0, 4], [0, 2, 5, 4],
                [0, 3, 6, 2, 5, 1, 4, 0]]


def compose(rng, target_seconds=24.0):
    """A short piece with varied textures. Returns (events, tempo, meta)."""
    tpq = 480
    tonic = int(rng.integers(0, 12))
    mode_name = rng.choice(["major", "minor", "dorian"], p=[0.5, 0.4, 0.1])
    scale = {"major": MAJOR, "minor": MINOR, "dorian": DORIAN}[mode_name]
    tempo = float(rng.uniform(50, 170))
    beats_per_bar = int(rng.choice([3, 4, 4, 6]))
    bar = beats_per_bar * tpq
    n_bars = max(2, int(round(target_seconds / (beats_per_bar * 60.0 / tempo))))
    prog = PROGRESSIONS[int(rng.integers(len(PROGRESSIONS)))]
    center = int(rng.integers(48, 76))  # register of the right hand
    vel = float(rng.uniform(35, 105))
    pedal_style = rng.choice(["none", "bar", "half", "long"], p=[0.25, 0.4, 0.2, 0.15])
    events = []
    textures = []

    def deg_pitch(deg, octave_base):
        o, d = divmod(deg, 7)
        return octave_base + 12 * o + tonic + scale[d]

    def note(t, p, dur, v):
        if 21 <= p <= 108:
            events.append((int(t), "on", int(p), int(v)))
            events.append((int(t + max(30, dur)), "off", int(p), 0))

    for b in range(n_bars):
        t0 = b * bar
        root = prog[b % len(prog)]
        vel = float(np.clip(vel + rng.normal(0, 8), 20, 122))
        tex = rng.choice(["block", "arpeggio", "melody_chords", "alberti", "scale", "octaves", "sparse", "rest"],
                         p=[0.14, 0.18, 0.22, 0.12, 0.1, 0.08, 0.1, 0.06])
        textures.append(str(tex))
        lh = 12 * ((center - 19) // 12) + 0  # left-hand octave base
        rh = 12 * (center // 12)
        chord = [root, root + 2, root + 4] + ([root + 6] if rng.random() < 0.3 else [])
        if tex == "rest":
            if rng.random() < 0.5:
                note(t0, deg_pitch(root, lh), bar // 2, vel * 0.7)
        elif tex == "block":
            step = int(rng.choice([1, 2, beats_per_bar])) * tpq
            for t in range(t0, t0 + bar, step):
                for d in chord:
                    note(t + rng.integers(0, 20), deg_pitch(d, rh - 12), step * 0.95, vel + rng.normal(0, 5))
                note(t, deg_pitch(root, lh - 12), step * 0.95, vel)
        elif tex == "arpeggio":
            sub = int(rng.choice([2, 3, 4]))
            dt = tpq // sub
            seq = [d + 7 * k for k in range(2) for d in chord]
            if rng.random() < 0.5:
                seq = seq + seq[-2:0:-1]
            for i, t in enumerate(range(t0, t0 + bar, dt)):
                note(t, deg_pitch(seq[i % len(seq)], lh), dt * rng.uniform(0.9, 3.0), vel + rng.normal(0, 6))
        elif tex == "melody_chords":
            t = t0
            deg = root + 7 + int(rng.integers(-2, 3))
            while t < t0 + bar:
                dur = int(rng.choice([tpq // 2, tpq // 2, tpq, tpq, 2 * tpq, tpq // 4 * 3]))
                if rng.random() < 0.12:
                    t += dur
                    continue
                deg += int(rng.choice([-2, -1, -1, 0, 1, 1, 2, 3, -3]))
                note(t, deg_pitch(deg, rh), dur * 0.95, vel + 8 + rng.normal(0, 6))
                t += dur
            for d in chord:
                note(t0, deg_pitch(d, lh), bar * 0.9, vel * 0.75)
        elif tex == "alberti":
            dt = tpq // 2
            pat = [chord[0], chord[2], chord[1], chord[2]]
            for i, t in enumerate(range(t0, t0 + bar, dt)):
                note(t, deg_pitch(pat[i % 4], lh), dt * 0.9, vel * 0.8 + rng.normal(0, 4))
            t = t0
            while t < t0 + bar:
                dur = int(rng.choice([tpq, 2 * tpq, tpq // 2]))
                note(t, deg_pitch(root + 7 + int(rng.integers(-3, 5)), rh), dur * 0.95, vel + 5)
                t += dur
        elif tex == "scale":
            dt = tpq // int(rng.choice([2, 4]))
            deg = root + int(rng.integers(0, 7))
            up = rng.random() < 0.5
            for t in range(t0, t0 + bar, dt):
                note(t, deg_pitch(deg, rh - 12 * int(rng.integers(0, 2))), dt * 1.1, vel + rng.normal(0, 5))
                deg += 1 if up else -1
        elif tex == "octaves":
            dt = int(rng.choice([tpq, tpq // 2]))
            for t in range(t0, t0 + bar, dt):
                d = root + int(rng.integers(-2, 5))
                p = deg_pitch(d, lh)
                note(t, p, dt * 0.9, vel + 10)
                note(t, p + 12, dt * 0.9, vel + 10)
        elif tex == "sparse":
            for _ in range(int(rng.integers(1, 4))):
                t = t0 + int(rng.integers(0, bar))
                note(t, int(rng.integers(24, 103)), int(rng.integers(tpq // 2, 3 * tpq)), rng.uniform(20, 120))
        # sustain pedal
        if pedal_style == "bar" or (pedal_style == "half" and b % 2 == 0):
            events.append((t0 + 10, "cc", 64, 0))
            events.append((t0 + 40, "cc", 64, 127))
        elif pedal_style == "long" and b % 4 == 0:
            events.append((t0 + 10, "cc", 64, 0))
            events.append((t0 + 40, "cc", 64, 127))
    end = n_bars * bar
    events.append((end, "cc", 64, 0))
    meta = {"tonic": tonic, "mode": str(mode_name), "tempo": round(tempo, 2), "meter": beats_per_bar, "bars": n_bars,
            "center": center, "pedal": str(pedal_style), "textures": textures}
    return events, tempo, meta


# ----------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------
FIXED_SENTENCES = """The old lighthouse keeper climbed the stairs every evening at dusk.
Please remember to bring your umbrella, because the forecast says it will rain.
Why did the orchestra start playing before the conductor arrived?
She painted the kitchen a pale shade of green last summer.
Twelve small boats drifted slowly across the quiet harbour.
I have never seen so many stars in the sky as I did that night.
The committee will announce its decision on Thursday afternoon.
Could you tell me how to get to the railway station from here?
A sudden gust of wind scattered the papers across the floor.
Our neighbours adopted a shy grey cat from the shelter.
He whispered the answer, but nobody in the room could hear him.
The recipe calls for two cups of flour and a pinch of salt.
After the concert, the musicians packed their instruments and went home.
It is surprisingly difficult to fold a map back into its original shape.
The children laughed when the puppy chased its own tail.
Thousands of birds migrate south before the first frost of winter.
Do you think the bridge will be finished before the end of the year?
My grandmother kept every letter she ever received in a wooden box.
The engineer checked the readings twice before approving the design.
Fresh bread smells wonderful early in the morning.
We walked along the river until the path disappeared into the forest.
The museum is closed on Mondays and during public holidays.
Honestly, I expected the film to be much longer than it was.
Quiet voices drifted up from the garden below the window.
The train to Edinburgh has been delayed by about forty minutes.
Every word of the speech had been rehearsed a hundred times.
Turn left at the bakery, then walk straight ahead for two blocks.
The scientist explained her results with remarkable patience.
What a beautiful morning it is to go sailing!
Nobody knew where the strange music was coming from.
The library received a generous donation of rare books.
If you listen carefully, you can hear the ocean from the hill.
He forgot his keys again, so he had to wait outside in the cold.
The price of apples has gone up since the storm damaged the orchards.
Seven brave climbers reached the summit just before sunrise.
Is it true that the festival will move to a bigger park next year?
The teacher asked the class to read the first chapter by Friday.
A thin layer of snow covered the roofs of the village.
They argued about politics for hours and still remained good friends.
The pilot announced that we would be landing in twenty minutes.""".split("\n")

SUBJECTS = ["the teacher", "my brother", "a young musician", "the old farmer", "our new neighbour", "the pilot",
            "a tired student", "the doctor", "my aunt Margaret", "the small dog", "the mayor", "a curious child",
            "the engineer", "the baker on the corner", "two friends", "the whole family", "Professor Jones",
            "the quiet librarian", "a group of tourists", "the football team", "Sarah", "Thomas", "the captain"]
VERBS_T = ["opened", "painted", "carried", "found", "repaired", "described", "forgot", "bought", "noticed", "played",
           "cleaned", "borrowed", "wrapped", "measured", "photographed", "delivered", "ignored", "studied"]
OBJECTS = ["the heavy wooden door", "an old map of the city", "a basket of ripe apples", "the broken bicycle",
           "a letter from abroad", "the piano in the hall", "three blue envelopes", "the garden fence",
           "a strange little box", "the morning newspaper", "her favourite song", "the kitchen window",
           "a bright red kite", "the last train ticket", "a jar of honey", "the violin", "the instructions"]
PLACES = ["near the station", "in the garden", "after breakfast", "before the storm", "at the end of the street",
          "during the holidays", "on a cold Tuesday morning", "behind the old church", "in the middle of the night",
          "by the river", "at the market", "without saying a word", "with great care", "in a hurry"]
CLAUSES = ["because it was raining", "although nobody had asked", "while the kettle was boiling",
           "since the shop was closed", "as soon as the sun came out", "so that everyone could see",
           "even though it was late", "when the bell rang", "before anyone noticed", "until the lights went out"]
QUESTIONS = ["Why did {s} leave {o} {p}?", "Have you ever seen {o} {p}?", "Where did {s} put {o}?",
             "Do you know whether {s} {v} {o}?", "How long did it take {s} to find {o}?"]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "fifteen", "twenty", "thirty", "a hundred"]
EXCLAIM = ["Oh no, {s} {v} {o}!", "Wow, look at {o}!", "Quick, somebody call {s}!", "What a surprise that was!"]


def make_sentence(rng):
    r = rng.random()
    s, v, o = rng.choice(SUBJECTS), rng.choice(VERBS_T), rng.choice(OBJECTS)
    p, c = rng.choice(PLACES), rng.choice(CLAUSES)
    if r < 0.2:
        return str(rng.choice(FIXED_SENTENCES))
    if r < 0.35:
        return str(rng.choice(QUESTIONS)).format(s=s, v=v, o=o, p=p)
    if r < 0.42:
        return str(rng.choice(EXCLAIM)).format(s=s.capitalize() if False else s, v=v, o=o)
    if r < 0.55:
        n = rng.choice(NUMBERS)
        return f"{s.capitalize()} counted {n} {rng.choice(['birds', 'boats', 'chairs', 'lanterns', 'coins'])} {p}."
    if r < 0.8:
        return f"{s.capitalize()} {v} {o} {p}, {c}."
    s2, v2, o2 = rng.choice(SUBJECTS), rng.choice(VERBS_T), rng.choice(OBJECTS)
    return f"{s.capitalize()} {v} {o}, and then {s2} {v2} {o2} {p}."


def make_text(rng, n_sent):
    return " ".join(make_sentence(rng) for _ in range(n_sent))


# ----------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------
def read_g722(path):
    """A raw G.722 file (no header) decoded by ffmpeg to 16 kHz float32."""
    out = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "g722", "-i", path,
                          "-f", "f32le", "-ac", "1", "-ar", str(SR), "pipe:1"], check=True, capture_output=True, timeout=120)
    return np.frombuffer(out.stdout, dtype="<f4").astype(np.float32)


def read_audio(path):
    import soundfile as sf
    from scipy.signal import resample_poly
    if path.lower().endswith(".g722"):
        return read_g722(path)
    y, sr = sf.read(path, dtype="float32", always_2d=True)
    y = y.mean(axis=1)
    if sr != SR:
        from math import gcd
        g = gcd(int(sr), SR)
        y = resample_poly(y, SR // g, int(sr) // g).astype(np.float32)
    return y


def trim_and_gain(y, rng, thresh_db=-50.0, max_gap_s=0.4, gain_range=(0.08, 0.95)):
    """Trim leading/trailing silence, shorten long internal silences, random peak gain."""
    if y.size == 0 or np.max(np.abs(y)) < 1e-6:
        return None
    y = y - np.mean(y)
    fr = 160
    n = len(y) // fr
    if n < 4:
        return None
    e = np.sqrt(np.mean(y[: n * fr].reshape(n, fr) ** 2, axis=1) + 1e-12)
    thr = np.max(e) * 10 ** (thresh_db / 20)
    act = e > thr
    if not act.any():
        return None
    idx = np.nonzero(act)[0]
    keep = np.zeros(n, bool)
    keep[idx[0]: idx[-1] + 1] = True
    # shorten internal silent runs longer than max_gap_s
    max_gap = int(max_gap_s * SR / fr)
    run = 0
    for i in range(idx[0], idx[-1] + 1):
        if not act[i]:
            run += 1
            if run > max_gap:
                keep[i] = False
        else:
            run = 0
    y = y[: n * fr].reshape(n, fr)[keep].reshape(-1)
    peak = np.max(np.abs(y))
    g = float(np.exp(rng.uniform(np.log(gain_range[0]), np.log(gain_range[1]))))
    return (y / peak * g).astype(np.float32)


def item_rng(seed, source, split, i):
    return np.random.default_rng([seed, zlib.crc32(f"{source}/{split}".encode()), i])


def piano_engine(sf2):
    """Which synthesiser renders a piano: TiMidity++ for the FreePats patches, fluidsynth for a soundfont."""
    return "timidity" if sf2 == "freepats" else "fluidsynth"


def piano_render_command(sf2, reverb, midi_path, wav_path):
    """The command that renders midi_path to a 16 kHz wav with the given soundfont (or "freepats"), reverb on or
    off and chorus off."""
    if piano_engine(sf2) == "timidity":
        return ["timidity", "-c", FREEPATS_CFG, "-Ow", "--output-mono", "-s", str(SR),
                "-EFreverb=" + ("f" if reverb else "d"), "-EFchorus=d", "-o", wav_path, midi_path]
    return ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(SR), "-R", "1" if reverb else "0", "-C", "0",
            "-F", wav_path, os.path.join(SF_DIR, sf2), midi_path]


def render_piano(args):
    seed, split, i, sf2, program, target_s = args
    rng = item_rng(seed, "piano", split, i)
    events, tempo, meta = compose(rng, target_s)
    mid = midi_bytes(events, tempo_bpm=tempo, program=program)
    reverb = bool(rng.random() < 0.3)
    with tempfile.TemporaryDirectory() as td:
        mp, wp = os.path.join(td, "a.mid"), os.path.join(td, "a.wav")
        with open(mp, "wb") as f:
            f.write(mid)
        cmd = piano_render_command(sf2, reverb, mp, wp)
        subprocess.run(cmd, check=True, capture_output=True)
        y = read_audio(wp)
    y = trim_and_gain(y, rng, thresh_db=-60, max_gap_s=1.0)
    meta.update({"sf2": sf2, "program": program, "reverb": reverb, "engine": piano_engine(sf2)})
    return y, meta


def tts(engine, voice, text, rng, td):
    wp = os.path.join(td, "v.wav")
    tp = os.path.join(td, "t.txt")
    with open(tp, "w") as f:
        f.write(text)
    info = {}
    if engine == "flite":
        stretch = float(rng.uniform(0.8, 1.3))
        f0 = {"slt": 160, "rms": 100, "awb": 100, "kal16": 100}.get(voice, 110) * float(rng.uniform(0.85, 1.2))
        cmd = ["flite", "-voice", voice, "-f", tp, "-o", wp, "--setf", f"duration_stretch={stretch:.3f}",
               "--setf", f"int_f0_target_mean={f0:.1f}"]
        info = {"stretch": round(stretch, 3), "f0": round(f0, 1)}
    elif engine == "festival":
        stretch = float(rng.uniform(0.85, 1.25))
        ev = f"(begin (voice_{voice}) (Parameter.set 'Duration_Stretch {stretch:.3f}))"
        cmd = ["text2wave", "-eval", ev, "-o", wp, tp]
        info = {"stretch": round(stretch, 3)}
    else:
        variants = ESPEAK_VAL_VARIANTS if voice in [v for e, v in VOICE_VAL] else ESPEAK_TRAIN_VARIANTS
        var = str(rng.choice(variants))
        rate = int(rng.integers(120, 200))
        pitch = int(rng.integers(25, 80))
        cmd = ["espeak-ng", "-v", f"{voice}+{var}", "-s", str(rate), "-p", str(pitch), "-w", wp, "-f", tp]
        info = {"variant": var, "rate": rate, "pitch": pitch}
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return read_audio(wp), info


def render_voice(args):
    seed, split, i, engine, voice = args
    rng = item_rng(seed, "voice", split, i)
    text = make_text(rng, int(rng.integers(1, 4)))
    with tempfile.TemporaryDirectory() as td:
        y, info = tts(engine, voice, text, rng, td)
    y = trim_and_gain(y, rng, thresh_db=-45, max_gap_s=0.35)
    meta = {"engine": engine, "voice": voice, "text": text}
    meta.update(info)
    return y, meta


def recording_durations(directory, hint="install the package that ships them or leave out --voice-recording-minutes"):
    """(path, seconds) of the recordings under `directory` (searched recursively), sorted by path, so
    item i is always the same file; recordings below MIN_RECORDING_RATE are left out."""
    import soundfile as sf
    if not os.path.isdir(directory):
        raise SystemExit(f"no recordings in {directory}: {hint}")
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in SILENCE_DIRS]
        found += [os.path.join(root, f) for f in files if f.lower().endswith(RECORDING_EXTENSIONS)]
    out = []
    for f in sorted(found):
        if f.lower().endswith(".g722"):
            out.append((f, os.path.getsize(f) / G722_BYTES_PER_SECOND))
            continue
        info = sf.info(f)
        if info.samplerate >= MIN_RECORDING_RATE:
            out.append((f, info.duration))
    return out


def recording_files(directory, hint="install the package that ships them or leave out --voice-recording-minutes"):
    """The recordings under `directory`, as `recording_durations` finds them, paths only."""
    return [f for f, _ in recording_durations(directory, hint)]


def recording_sets(text):
    """`--voice-recordings`: comma-separated set names, each checked against RECORDING_SETS."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in RECORDING_SETS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"unknown recording set {', '.join(unknown) or repr(text)}; "
                                         f"choose from {', '.join(sorted(RECORDING_SETS))}")
    return names


def set_recordings(set_name):
    """(path, seconds) of one recording set: its folders' recordings whose file name matches the
    set's `pattern` (if it has one), as `recording_durations` finds them."""
    spec = RECORDING_SETS[set_name]
    hint = f"install them (apt-get install -y {' '.join(spec['packages'])}) or leave out --voice-recording-minutes"
    keep = re.compile(spec["pattern"]) if "pattern" in spec else None
    return [(f, sec) for d in spec["dirs"] for f, sec in recording_durations(d, hint) if keep is None or keep.search(os.path.basename(f))]


def recordings_for_minutes(set_name, minutes, seed):
    """Recordings of one set, in a seeded order, until their total length reaches `minutes`."""
    found = set_recordings(set_name)
    order = np.random.default_rng(seed).permutation(len(found))
    chosen, total = [], 0.0
    for k in order:
        if total >= minutes * 60:
            break
        chosen.append(found[k][0])
        total += found[k][1]
    return [(set_name, f) for f in chosen]


def render_recording(args):
    """One recorded utterance: read, trimmed like the synthetic clips, random gain."""
    seed, split, i, _recording, set_name, path = args
    rng = item_rng(seed, "voice", split, i)
    y = trim_and_gain(read_audio(path), rng, thresh_db=-45, max_gap_s=0.35)
    return y, {"engine": "recording", "voice": set_name, "file": os.path.relpath(path, "/usr/share")}


# ----------------------------------------------------------------------------------
# Sung voice (festival's singing mode): sustained vowels at musical pitches, with vibrato
# ----------------------------------------------------------------------------------
SINGING_VOICES = ["kal_diphone", "ked_diphone"]  # the diphone voices follow the score's pitches
NOTE_NAMES = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10], "pentatonic": [0, 2, 4, 7, 9]}


def note_name(midi):
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def make_song(rng, n_words=24):
    """A festival SINGING score: sentence lyrics, one note per word, a stepwise melody in a random
    key, scale and register (bass to soprano), varied note lengths and rests. Returns (xml, info)."""
    words = [w for w in re.sub(r"[^A-Za-z' ]", " ", make_text(rng, 3)).split()][:n_words]
    scale = str(rng.choice(list(SCALES)))
    tonic = int(rng.integers(43, 70))  # G2 .. A4
    steps = SCALES[scale]
    bpm = int(rng.integers(60, 140))
    deg = int(rng.integers(0, len(steps)))
    lines = [f'<SINGING BPM="{bpm}">']
    for w in words:
        deg = int(np.clip(deg + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3, -3]), -len(steps), 2 * len(steps)))
        midi = tonic + 12 * (deg // len(steps)) + steps[deg % len(steps)]
        beats = float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0, 3.0]))
        lines.append(f'<DURATION BEATS="{beats}"><PITCH NOTE="{note_name(midi)}">{w}</PITCH></DURATION>')
        if rng.random() < 0.12:
            lines.append(f'<REST BEATS="{float(rng.choice([0.5, 1.0]))}"></REST>')
    lines.append("</SINGING>")
    head = ('<?xml version="1.0"?>\n<!DOCTYPE SINGING PUBLIC "-//SINGING//DTD SINGING mark up//EN" '
            '"Singing.v0_1.dtd" []>\n')
    return head + "\n".join(lines) + "\n", {"scale": scale, "tonic": note_name(tonic), "bpm": bpm, "text": " ".join(words)}


def vibrato(y, rng, sr=SR):
    """Periodic pitch modulation (rate 4.5-6.5 Hz, depth 0.3-1 %) by a modulated read position."""
    rate, depth = float(rng.uniform(4.5, 6.5)), float(rng.uniform(0.003, 0.01))
    t = np.arange(len(y)) / sr
    pos = (t - depth / (2 * np.pi * rate) * np.cos(2 * np.pi * rate * t)) * sr
    pos = np.clip(pos - pos[0], 0, len(y) - 1)
    return np.interp(pos, np.arange(len(y)), y).astype(np.float32), {"vibratoHz": round(rate, 2), "vibratoDepth": round(depth, 4)}


def render_singing(args):
    """One sung clip: a random score (make_song) sung by a festival diphone voice, with vibrato."""
    seed, split, i, _singing, voice = args
    rng = item_rng(seed, "voice", split, i)
    xml, info = make_song(rng)
    with tempfile.TemporaryDirectory() as td:
        xp, wp = os.path.join(td, "song.xml"), os.path.join(td, "song.wav")
        with open(xp, "w") as f:
            f.write(xml)
        subprocess.run(["text2wave", "-mode", "singing", "-scale", "0.4", "-eval", f"(voice_{voice})", xp, "-o", wp],
                       check=True, capture_output=True, timeout=300)
        y = read_audio(wp)
    y, vib = vibrato(y, rng)
    y = trim_and_gain(y, rng, thresh_db=-45, max_gap_s=0.35)
    return y, {"engine": "festival-singing", "voice": voice, **info, **vib}


def render(args):
    if args[3] == "singing":
        return render_singing(args)
    return render_recording(args) if args[3] == "recording" else render_voice(args)


def piano_tasks(split, n_items, seed, piano_seconds=24.0, renderers="default"):
    """render_piano's arguments for n_items pieces: the renderers take turns; the "more" set's item numbers start
    at PIANO_MORE_FIRST_ITEM, so its compositions are new ones, not the default set's again."""
    fonts = PIANO_RENDERER_SETS[renderers] if split == "train" else PIANO_VAL
    first = PIANO_MORE_FIRST_ITEM if renderers == "more" else 0
    return [(seed, split, first + i, fonts[i % len(fonts)][0], fonts[i % len(fonts)][1], piano_seconds)
            for i in range(n_items)]


def build(source, split, n_items, seed, jobs, out, piano_seconds=24.0, recordings=(), n_songs=0, piano_renderers="default"):
    if source == "piano":
        tasks = piano_tasks(split, n_items, seed, piano_seconds, piano_renderers)
        fn = render_piano
    else:
        voices = VOICE_TRAIN if split == "train" else VOICE_VAL
        tasks = [(seed, split, i) + voices[i % len(voices)] for i in range(n_items)]
        # recorded utterances come after the synthetic items, so adding them leaves those unchanged
        tasks += [(seed, split, n_items + j, "recording", set_name, f) for j, (set_name, f) in enumerate(recordings)]
        # and sung clips after those (festival's singing mode), so adding them changes nothing before
        first = n_items + len(recordings)
        tasks += [(seed, split, first + j, "singing", SINGING_VOICES[j % len(SINGING_VOICES)]) for j in range(n_songs)]
        fn = render
    with Pool(jobs) as pool:
        results = pool.map(fn, tasks, chunksize=4)
    clips, metas, off = [], [], 0
    for (y, meta) in results:
        if y is None or len(y) < SR // 2:
            continue
        meta["offset"] = off
        meta["length"] = len(y)
        off += len(y)
        clips.append(y)
        metas.append(meta)
    audio = np.concatenate(clips).astype(np.float32)
    np.save(os.path.join(out, f"{source}_{split}.npy"), audio)
    with open(os.path.join(out, f"{source}_{split}.json"), "w") as f:
        json.dump({"source": source, "split": split, "seed": seed, "sampleRate": SR, "clips": metas}, f)
    print(f"[data] {source}/{split}: {len(metas)} clips, {len(audio) / SR / 60:.1f} min", flush=True)
    return {"clips": len(metas), "minutes": round(len(audio) / SR / 60, 2)}


def summarize(out):
    s = {}
    for src in ["piano", "voice"]:
        d = {}
        for split in ["train", "val"]:
            p = os.path.join(out, f"{src}_{split}.json")
            if not os.path.exists(p):
                continue
            j = json.load(open(p))
            c = j["clips"]
            key = "sf2" if src == "piano" else "voice"
            groups = sorted(set(f"{m.get('engine', 'fluidsynth')}:{m[key]}" + (f":p{m['program']}" if src == "piano" else "") for m in c))
            d[split] = {"clips": len(c), "minutes": round(sum(m["length"] for m in c) / SR / 60, 2), "renderers": groups}
        s[src] = d
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), ".data"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--piano-minutes", type=float, default=30)
    ap.add_argument("--voice-minutes", type=float, default=30)
    ap.add_argument("--voice-recording-minutes", type=float, default=0,
                    help="minutes of real recorded speech added to the voice TRAINING split (0 = none, the default). What each set did: training/README.md")
    ap.add_argument("--voice-recordings", type=recording_sets, default=["festvox-ru"],
                    help="which recordings --voice-recording-minutes takes, comma-separated; each set gives up to "
                         "that many minutes (%s)" % ", ".join(sorted(RECORDING_SETS)))
    ap.add_argument("--voice-singing-minutes", type=float, default=0,
                    help="minutes of sung voice (festival singing mode, random scores, vibrato) added to the voice "
                         "TRAINING split (0 = none, the default)")
    ap.add_argument("--piano-renderers", choices=sorted(PIANO_RENDERER_SETS), default="default",
                    help="which pianos render the piano TRAINING split: default (FluidR3 + MuseScore, programs 0 and 1) "
                         "or more (FreePats grand and bright piano through TiMidity++, csound's GM bank; no "
                         "validation split is written: pass this folder after the default one to train.py --data-dir)")
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", choices=["piano", "voice"])
    ap.add_argument("--no-install", action="store_true")
    a = ap.parse_args()
    if "shared/eval" in os.path.abspath(a.out):
        raise SystemExit("refusing to write into shared/eval")
    if not a.no_install:
        ensure_packages()
        if a.piano_renderers == "more" and a.only != "voice":
            ensure_packages(PIANO_MORE_PACKAGES)
        if a.voice_recording_minutes > 0 and a.only != "piano":
            ensure_packages([p for name in a.voice_recordings for p in RECORDING_SETS[name]["packages"]])
    os.makedirs(a.out, exist_ok=True)
    piano_s = 24.0
    for src in ([a.only] if a.only else ["piano", "voice"]):
        minutes = a.piano_minutes if src == "piano" else a.voice_minutes
        per_item = piano_s * 0.95 if src == "piano" else 8.0  # rough seconds per clip after trimming
        n_train = max(4, int(minutes * 60 / per_item))
        n_val = max(4, int(n_train * a.val_fraction))
        recs = [r for name in a.voice_recordings for r in recordings_for_minutes(name, a.voice_recording_minutes, a.seed)] \
            if src == "voice" and a.voice_recording_minutes > 0 else []
        n_songs = int(a.voice_singing_minutes * 60 / 24.0) if src == "voice" else 0  # ~24 s per song after trimming
        build(src, "train", n_train, a.seed, a.jobs, a.out, piano_s, recordings=recs, n_songs=n_songs,
              piano_renderers=a.piano_renderers)
        if src == "voice" or a.piano_renderers == "default":  # an extra-piano folder adds training data only
            build(src, "val", n_val, a.seed + 1000, a.jobs, a.out, piano_s)
    summ = summarize(a.out)
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summ, f, indent=1)
    print(json.dumps(summ, indent=1))


if __name__ == "__main__":
    main()
