"""Data determinism: the same seed gives the same MIDI and the same text; no rendering."""
import argparse
import os
import re

import numpy as np
import pytest

import make_data as md


def test_midi_deterministic_and_valid():
    def mid(seed, i):
        ev, tempo, _ = md.compose(md.item_rng(seed, "piano", "train", i), 8.0)
        return md.midi_bytes(ev, tempo_bpm=tempo)

    a = [mid(1, i) for i in range(5)]
    b = [mid(1, i) for i in range(5)]
    c = [mid(2, i) for i in range(5)]
    assert a == b
    assert a != c
    for m in a:
        assert m[:4] == b"MThd" and m[14:18] == b"MTrk"
        n = int.from_bytes(m[18:22], "big")
        assert len(m) == 22 + n and m.endswith(b"\xff\x2f\x00")


def test_compose_variety():
    metas = [md.compose(md.item_rng(1, "piano", "train", i), 20.0)[2] for i in range(40)]
    assert len({m["tonic"] for m in metas}) >= 6
    assert len({m["mode"] for m in metas}) >= 2
    assert len({t for m in metas for t in m["textures"]}) >= 6
    assert len({m["pedal"] for m in metas}) >= 3
    tempi = [m["tempo"] for m in metas]
    assert max(tempi) - min(tempi) > 50


def test_text_deterministic_and_varied():
    a = [md.make_text(md.item_rng(1, "voice", "train", i), 2) for i in range(50)]
    b = [md.make_text(md.item_rng(1, "voice", "train", i), 2) for i in range(50)]
    assert a == b
    assert len(set(a)) >= 45
    assert all(s[0].isupper() and s.rstrip()[-1] in ".?!" for s in a)


def test_splits_hold_out_renderers():
    assert not set(md.PIANO_TRAIN) & set(md.PIANO_VAL)
    assert {f for f, _ in md.PIANO_TRAIN}.isdisjoint({f for f, _ in md.PIANO_VAL})
    assert len({f for f, _ in md.PIANO_TRAIN}) >= 2
    assert not set(md.VOICE_TRAIN) & set(md.VOICE_VAL)
    assert not set(md.ESPEAK_TRAIN_VARIANTS) & set(md.ESPEAK_VAL_VARIANTS)
    assert {e for e, _ in md.VOICE_TRAIN} == {"flite", "festival", "espeak"}


def test_trim_and_gain():
    rng = np.random.default_rng(0)
    y = np.concatenate([np.zeros(16000), 0.3 * np.sin(np.arange(16000) * 0.05), np.zeros(16000)]).astype(np.float32)
    out = md.trim_and_gain(y, rng)
    assert out is not None and len(out) < 20000 and 0.05 < np.abs(out).max() <= 0.95


def test_training_augmentation_keeps_shape_and_is_seeded():
    import numpy as np
    from train import augment, peaking_eq, room_ir

    rng = np.random.default_rng(0)
    x = (0.3 * np.sin(np.arange(4 * 3000) * 0.05)).reshape(4, 3000).astype(np.float32)
    a = augment(x, np.random.default_rng(1), ("room", "eq"), p=1.0)
    b = augment(x, np.random.default_rng(1), ("room", "eq"), p=1.0)
    assert a.shape == x.shape and a.dtype == np.float32 and np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a - x)) > 1e-3
    np.testing.assert_array_equal(augment(x, rng, ("room", "eq"), p=0.0), x)
    ir = room_ir(np.random.default_rng(2))
    assert ir[0] == 1.0 and 0.15 * 16000 <= len(ir) <= 0.62 * 16000
    bq, aq = peaking_eq(np.random.default_rng(3))
    assert np.all(np.abs(np.roots(aq)) < 1)  # a stable filter
    # the spectral product is the same filtering as the time-domain recursion and convolution
    from scipy.signal import fftconvolve, lfilter

    one = x[:1]
    r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
    got = augment(one, r1, ("room", "eq"), p=1.0)[0]
    r2.random(), r2.random()  # augment draws "room?" and "eq?" first
    ir = room_ir(r2)
    want = lfilter(*peaking_eq(r2), fftconvolve(one[0].astype(np.float64), ir)[:3000])
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_fine_tune_totals_count_the_whole_lineage():
    from model import lineage_of, training_totals

    base = {"step": 100, "samples_seen": 1000, "wall": 10.0}
    tune = {"step": 5, "samples_seen": 50, "wall": 1.0, "before": lineage_of(base, "a.pt")}
    assert training_totals(base) == {"steps": 100, "samples_seen": 1000, "wall": 10.0}
    assert training_totals(tune) == {"steps": 105, "samples_seen": 1050, "wall": 11.0}
    again = {"step": 1, "samples_seen": 7, "wall": 0.5, "before": lineage_of(tune, "b.pt")}
    assert training_totals(again) == {"steps": 106, "samples_seen": 1057, "wall": 11.5}
    assert again["before"]["lineage"] == ["a.pt", "b.pt"]


def test_speed_augmentation_moves_pitch_by_its_rate_and_is_seeded():
    from train import SPEED_MARGIN, SPEED_RANGE, change_speed, speed_input_length

    n = 3000
    t = np.arange(speed_input_length(n))
    x = np.stack([0.5 * np.sin(2 * np.pi * 500 / 16000 * t)] * 3).astype(np.float32)
    a = change_speed(x, np.random.default_rng(4), n, p=1.0)
    assert a.shape == (3, n) and a.dtype == np.float32 and np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, change_speed(x, np.random.default_rng(4), n, p=1.0))
    np.testing.assert_array_equal(change_speed(x, np.random.default_rng(4), n, p=0.0), x[:, SPEED_MARGIN:SPEED_MARGIN + n])
    for row in a:  # a 500 Hz tone comes out at 500 f Hz, f within the range, and keeps its level
        spec = np.abs(np.fft.rfft(row * np.hanning(n), 16 * n))
        f = np.argmax(spec) * 16000 / (16 * n) / 500
        assert SPEED_RANGE[0] - 0.01 <= f <= SPEED_RANGE[1] + 0.01 and abs(f - 1) > 1e-3
        assert abs(np.sqrt(np.mean(row ** 2)) - 0.5 / np.sqrt(2)) < 0.02
    # speeding up drops what would fold above Nyquist instead of aliasing it
    hi = np.stack([0.5 * np.sin(2 * np.pi * 7600 / 16000 * t)] * 8).astype(np.float32)
    rng = np.random.default_rng(0)
    out = change_speed(hi, rng, n, p=1.0)
    quiet = [np.sqrt(np.mean(r ** 2)) for r in out]
    assert min(quiet) < 0.01  # some rows sped up by more than 8000/7600: the tone is gone, not folded down


def test_shelf_augmentation_brightens_the_highs_only_and_is_seeded():
    import numpy as np
    from train import augment, high_shelf

    t = np.arange(8192) / 16000
    low, high = np.sin(2 * np.pi * 500 * t), np.sin(2 * np.pi * 7000 * t)
    x = (0.2 * np.stack([low, high])).astype(np.float32)
    for seed in range(6):
        y = augment(x, np.random.default_rng(seed), ("shelf",), p=1.0)
        np.testing.assert_array_equal(y, augment(x, np.random.default_rng(seed), ("shelf",), p=1.0))
        mid = slice(2048, 8192)  # past the filter's start-up
        gain_db = [20 * np.log10(np.sqrt(np.mean(y[i, mid] ** 2)) / np.sqrt(np.mean(x[i, mid] ** 2))) for i in range(2)]
        assert abs(gain_db[0]) < 0.6, gain_db  # 500 Hz: (nearly) untouched
        assert -0.1 < gain_db[1] < 12.1, gain_db  # 7 kHz: up by at most the shelf's 12 dB
        b, a = high_shelf(np.random.default_rng(seed))
        assert np.all(np.abs(np.roots(a)) < 1)  # a stable filter
    # over many draws the highs come up by several dB on average
    ups = [20 * np.log10(np.std(augment(x, np.random.default_rng(s), ("shelf",), p=1.0)[1, 2048:]) / np.std(x[1, 2048:])) for s in range(20)]
    assert 3 < np.mean(ups) < 10, np.mean(ups)


def test_recordings_are_read_sorted_trimmed_seeded_and_train_only(tmp_path):
    import soundfile as sf
    t = np.arange(16000 * 2) / 16000
    speech = (0.2 * np.sin(2 * np.pi * 180 * t) * (t > 0.5) * (t < 1.5)).astype(np.float32)
    os.makedirs(tmp_path / "en")
    for name in ["b.wav", "a.wav", "en/c.ogg", "narrow.wav", "notes.txt"]:
        if name.endswith((".wav", ".ogg")):
            sf.write(tmp_path / name, speech[::2] if name == "narrow.wav" else speech, 8000 if name == "narrow.wav" else 16000)
        else:
            (tmp_path / name).write_text("not audio")
    files = md.recording_files(str(tmp_path))
    # sorted, recursive, audio only, and the 8 kHz recording left out
    assert [os.path.relpath(f, tmp_path) for f in files] == ["a.wav", "b.wav", "en/c.ogg"]
    y1, meta = md.render_recording((1, "train", 7, "recording", "kde-edu", files[0]))
    y2, _ = md.render_recording((1, "train", 7, "recording", "kde-edu", files[0]))
    y3, _ = md.render_recording((1, "train", 8, "recording", "kde-edu", files[0]))
    assert np.array_equal(y1, y2) and not np.array_equal(y1, y3)  # the gain is seeded per item
    assert 0.9 * 16000 < len(y1) < 1.2 * 16000  # the silence around the tone is trimmed
    assert meta["engine"] == "recording" and meta["voice"] == "kde-edu"
    assert not set(md.VOICE_RECORDINGS) & set(md.VOICE_VAL)
    with pytest.raises(SystemExit, match="apt-get install"):
        md.recording_files(str(tmp_path / "missing"), "apt-get install -y x")


def test_recordings_for_minutes_stops_at_the_minutes_in_a_seeded_order(tmp_path, monkeypatch):
    import soundfile as sf
    for k in range(10):
        sf.write(tmp_path / f"{k}.wav", np.zeros(16000 * 6, np.float32), 16000)  # 6 s each
    monkeypatch.setitem(md.RECORDING_SETS, "test", {"packages": ["x"], "dirs": [str(tmp_path)]})
    a = md.recordings_for_minutes("test", 0.25, seed=1)
    assert len(a) == 3 and a == md.recordings_for_minutes("test", 0.25, seed=1)  # 18 s >= 15 s
    assert a != md.recordings_for_minutes("test", 0.25, seed=2)
    assert all(name == "test" for name, _ in a)


def test_g722_prompts_are_timed_from_their_size_decoded_by_ffmpeg_and_silence_folders_skipped(tmp_path):
    import shutil
    import subprocess
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed (apt-get install -y ffmpeg): the G.722 reader needs it")
    os.makedirs(tmp_path / "en" / "silence")
    t = np.arange(16000 * 2) / 16000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    for name in ["en/hello.g722", "en/silence/1.g722"]:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", "16000", "-ac", "1", "-i", "pipe:0",
                        "-c:a", "g722", "-f", "g722", str(tmp_path / name)], input=tone.tobytes(), check=True)
    found = md.recording_durations(str(tmp_path))
    assert [os.path.relpath(f, tmp_path) for f, _ in found] == ["en/hello.g722"]
    assert abs(found[0][1] - 2.0) < 0.01  # 8,000 bytes a second
    y = md.read_audio(found[0][0])
    assert abs(len(y) - len(tone)) < 100
    lag = int(np.argmax(np.correlate(y[4000:4400], tone[4000:4200], "valid")))
    assert np.corrcoef(y[4000 + lag:4200 + lag], tone[4000:4200])[0, 1] > 0.95  # the same tone, after the codec's delay


def test_a_recording_set_keeps_only_the_file_names_its_pattern_matches(tmp_path, monkeypatch):
    import soundfile as sf
    os.makedirs(tmp_path / "animals")
    for name in ["frog.wav", "frog_desc.wav", "frog_desc_fr.wav", "frog_desc_ru.wav"]:  # an effect, then descriptions
        sf.write(tmp_path / "animals" / name, np.zeros(16000, np.float32), 16000)
    monkeypatch.setitem(md.RECORDING_SETS, "other", {"packages": ["x"], "dirs": [str(tmp_path)], "pattern": r"_desc_[a-z]{2}\.wav$"})
    monkeypatch.setitem(md.RECORDING_SETS, "english", {"packages": ["x"], "dirs": [str(tmp_path)], "pattern": r"_desc\.wav$"})
    monkeypatch.setitem(md.RECORDING_SETS, "all", {"packages": ["x"], "dirs": [str(tmp_path)]})
    names = lambda s: sorted(os.path.basename(f) for f, _ in md.set_recordings(s))  # noqa: E731
    assert names("other") == ["frog_desc_fr.wav", "frog_desc_ru.wav"]
    assert names("english") == ["frog_desc.wav"]
    assert len(names("all")) == 4
    assert sorted(os.path.basename(f) for _, f in md.recordings_for_minutes("other", 10, 1)) == names("other")
    # the shipped Tux Paint sets: spoken descriptions only (never the stamps' sound effects), English kept apart
    tux, en = (re.compile(md.RECORDING_SETS[k]["pattern"]) for k in ("tuxpaint", "tuxpaint-en"))
    for name, in_tux, in_en in [("frog_desc_fr.ogg", True, False), ("frog_desc.ogg", False, True), ("frog.ogg", False, False),
                                ("frog-1_desc_ca.ogg", True, False)]:
        assert (tux.search(name) is not None, en.search(name) is not None) == (in_tux, in_en), name


def test_recording_sets_are_a_checked_comma_list():
    assert md.recording_sets("kde-edu, asterisk") == ["kde-edu", "asterisk"]
    for bad in ["", "kde-edu,librivox", ","]:
        with pytest.raises(argparse.ArgumentTypeError, match="choose from"):
            md.recording_sets(bad)


def test_songs_are_seeded_scores_with_sentence_lyrics_in_a_singable_range():
    import xml.etree.ElementTree as ET
    xml1, info1 = md.make_song(np.random.default_rng(3))
    assert (xml1, info1) == md.make_song(np.random.default_rng(3))
    assert xml1 != md.make_song(np.random.default_rng(4))[0]
    root = ET.fromstring(xml1.split("[]>", 1)[1])
    assert root.tag == "SINGING" and 60 <= int(root.get("BPM")) < 140
    notes = [p.get("NOTE") for p in root.iter("PITCH")]
    words = [p.text for p in root.iter("PITCH")]
    assert words == info1["text"].split() and len(words) >= 8
    names = {n: i for i, n in enumerate(md.NOTE_NAMES)}
    midi = [12 * (int(n[-1]) + 1) + names[n[:-1]] for n in notes]
    assert all(36 <= m <= 96 for m in midi) and len(set(midi)) > 3  # a melody, from bass to soprano at most
    # varied over songs: keys, scales, tempi
    infos = [md.make_song(np.random.default_rng(s))[1] for s in range(30)]
    assert len({i["tonic"] for i in infos}) > 8 and len({i["scale"] for i in infos}) == 3 and len({i["bpm"] for i in infos}) > 10


def test_vibrato_modulates_the_pitch_at_its_rate_and_depth():
    sr = 16000
    t = np.arange(sr * 2) / sr
    y, info = md.vibrato(np.sin(2 * np.pi * 400 * t).astype(np.float32), np.random.default_rng(1))
    assert y.shape == t.shape and y.dtype == np.float32
    # instantaneous frequency from upward zero crossings (interpolated between samples)
    up = np.nonzero((y[:-1] < 0) & (y[1:] >= 0))[0]
    tc = (up + y[up] / (y[up] - y[up + 1])) / sr
    f, tm = 1 / np.diff(tc), (tc[1:] + tc[:-1]) / 2
    depth = (np.percentile(f, 98) - np.percentile(f, 2)) / 2 / 400
    assert 0.8 * info["vibratoDepth"] < depth < 1.2 * info["vibratoDepth"], (depth, info)
    grid = np.arange(tm[0], tm[-1], 0.01)
    spec = np.abs(np.fft.rfft(np.interp(grid, tm, f) - f.mean(), 8192))
    rate_hz = np.argmax(spec) * 100 / 8192
    assert abs(rate_hz - info["vibratoHz"]) < 0.2, (rate_hz, info)


def test_sung_clips_render_with_festival_and_come_after_everything_else():
    import shutil
    if not shutil.which("text2wave"):
        pytest.skip("festival is not installed (apt-get install -y festival festvox-kallpc16k festvox-kdlpc16k): the singing renderer needs it")
    y, meta = md.render_singing((1, "train", 5, "singing", "kal_diphone"))
    y2, _ = md.render_singing((1, "train", 5, "singing", "kal_diphone"))
    assert np.array_equal(y, y2) and len(y) > 5 * 16000 and 0.05 < np.abs(y).max() <= 0.95
    assert meta["engine"] == "festival-singing" and meta["voice"] == "kal_diphone"


def test_more_pianos_render_new_pieces_and_keep_validation_apart():
    more = md.PIANO_RENDERER_SETS["more"]
    assert {f for f, _ in more}.isdisjoint({f for f, _ in md.PIANO_VAL})
    assert set(more).isdisjoint(md.PIANO_TRAIN)
    default = md.piano_tasks("train", 6, 1)
    extra = md.piano_tasks("train", 6, 1, renderers="more")
    assert [t[3:5] for t in default] == [md.PIANO_TRAIN[i % 4] for i in range(6)]
    assert [t[3:5] for t in extra] == [more[i % 3] for i in range(6)]
    # the extra set composes its own pieces (item numbers of its own), not the default set's again
    assert {t[2] for t in default}.isdisjoint({t[2] for t in extra})
    def mid(task):
        events, tempo, _ = md.compose(md.item_rng(task[0], "piano", task[1], task[2]), 8.0)
        return md.midi_bytes(events, tempo_bpm=tempo)
    assert {mid(t) for t in default}.isdisjoint({mid(t) for t in extra})
    # validation is the held-out soundfont whichever set trains
    assert {t[3] for t in md.piano_tasks("val", 3, 1001, renderers="more")} == {"TimGM6mb.sf2"}


def test_piano_render_commands():
    tim = md.piano_render_command("freepats", True, "a.mid", "a.wav")
    assert tim[0] == "timidity" and md.FREEPATS_CFG in tim and "--output-mono" in tim
    assert "-EFreverb=f" in tim and "-EFchorus=d" in tim
    assert tim[tim.index("-s") + 1] == str(md.SR) and tim[tim.index("-o") + 1] == "a.wav" and tim[-1] == "a.mid"
    assert "-EFreverb=d" in md.piano_render_command("freepats", False, "a.mid", "a.wav")
    fs = md.piano_render_command("sf_GMbank.sf2", False, "a.mid", "a.wav")
    assert fs[0] == "fluidsynth" and os.path.join(md.SF_DIR, "sf_GMbank.sf2") in fs
    assert fs[fs.index("-R") + 1] == "0" and fs[fs.index("-r") + 1] == str(md.SR)


def test_freepats_renders_a_piano():
    import shutil
    if not (shutil.which("timidity") and os.path.exists(md.FREEPATS_CFG)):
        pytest.skip("needs TiMidity++ and FreePats (apt-get install -y timidity freepats); .ci/run installs them")
    y, meta = md.render_piano((1, "train", md.PIANO_MORE_FIRST_ITEM, "freepats", 0, 4.0))
    assert meta["engine"] == "timidity" and meta["sf2"] == "freepats"
    assert y is not None and y.dtype == np.float32 and len(y) > 2 * md.SR
    assert np.all(np.isfinite(y)) and 0.05 < np.abs(y).max() <= 0.95
    # a piano, not silence or noise: most of the energy below 2 kHz
    P = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(len(y), 1 / md.SR)
    assert P[f < 2000].sum() > 0.8 * P.sum()
