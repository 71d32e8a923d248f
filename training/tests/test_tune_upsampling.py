# The tune set of tune_upsampling.py: held-out recordings only, and the eval set's weighting.
import json

import numpy as np
import pytest

import make_data as md
import tune_upsampling as tu


def test_the_tune_set_leaves_out_every_recording_a_training_split_holds(tmp_path, monkeypatch):
    import soundfile as sf
    rec = tmp_path / "share" / "rec"
    rec.mkdir(parents=True)
    for k in range(6):
        sf.write(rec / f"{k}.wav", np.zeros(16000 * (3 if k != 5 else 1), np.float32), 16000)  # 5.wav is too short
    monkeypatch.setitem(md.RECORDING_SETS, "test", {"packages": ["x"], "dirs": [str(rec)]})
    monkeypatch.setattr(tu.os.path, "relpath", lambda p, start=None: p.split("share/", 1)[-1])
    data = tmp_path / "data"
    data.mkdir()
    json.dump({"clips": [{"engine": "recording", "file": "rec/0.wav"}, {"engine": "recording", "file": "rec/3.wav"},
                         {"engine": "flite", "voice": "slt"}]}, open(data / "voice_train.json", "w"))
    used = tu.used_recordings([str(data)])
    assert used == {"rec/0.wav", "rec/3.wav"}
    held = tu.held_out_recordings(["test"], used, 3)
    assert sorted(h.split("share/")[-1] for h in held) == ["rec/1.wav", "rec/2.wav", "rec/4.wav"]
    assert held == tu.held_out_recordings(["test"], used, 3)  # seeded
    with pytest.raises(SystemExit, match="only 3 held-out recordings"):
        tu.held_out_recordings(["test"], used, 4)


def test_the_choice_weighs_speech_and_singing_as_the_eval_set_does():
    rows = [{"kind": "speech", "spline": 10, "pnf": 10.2}, {"kind": "speech", "spline": 10, "pnf": 10.0},
            {"kind": "singing", "spline": 20, "pnf": 19.5}]
    assert tu.weighted_gain(rows) == pytest.approx((4 * 0.1 - 0.5) / 5)
    assert tu.weighted_gain(rows, {"speech": 1}) == pytest.approx(0.1)
    assert tu.weighted_gain(rows[:2]) == pytest.approx(0.1)  # no songs: speech alone
    # a band-limited recording (spline already above 30 dB) is no super-resolution test: left out
    band_limited = {"kind": "speech", "spline": 42.4, "pnf": 33.0}
    assert not tu.counts(band_limited) and tu.counts(rows[0])
    assert tu.weighted_gain(rows + [band_limited]) == pytest.approx(tu.weighted_gain(rows))


def test_the_tune_ascent_is_the_evaluations_ascent_clip_by_clip(frozen_tiny_prior):
    from reference_sampler import upsample4
    model = frozen_tiny_prior
    t = np.arange(1200) / 16000
    ys = [(0.5 * np.sin(2 * np.pi * f * t)).astype(np.float32) for f in (300, 2500)]
    rows = tu.upsample_clips(model, ys, 0.5, 0.01, steps=3, levels=2)
    for y, r in zip(ys, rows):
        one = upsample4(model, y, 4, sigma_max=0.01, levels=2, steps=3, eta_scale=0.5, temperature=0.0, init_noise=False)
        assert r["pnf"] == pytest.approx(one["pnf"], abs=1e-3) and r["spline"] == pytest.approx(one["spline"], abs=1e-6)
        assert r["moved"] == pytest.approx(one["moved"], rel=1e-3)


def test_the_posterior_mean_averages_independent_chains_one_after_another(frozen_tiny_prior):
    import torch
    from reference_sampler import langevin, geometric, snr_db, spline_through_every, upsample4
    model = frozen_tiny_prior
    y = (0.5 * np.sin(2 * np.pi * 900 * np.arange(1200) / 16000)).astype(np.float32)
    r = upsample4(model, y, 4, sigma_max=0.01, levels=2, steps=3, eta_scale=0.5, temperature=1.0, chains=3, seed=5)
    assert len(r["pnf_by_chains"]) == 3 and r["pnf_by_chains"][-1] == pytest.approx(r["pnf"], abs=1e-4)
    # the same chains by hand: seeds 5, 6, 7, each from the spline plus sigma_max noise, then averaged
    spline, mask = spline_through_every(y, 4)
    runs = [langevin(model, torch.from_numpy(spline)[None], torch.from_numpy(mask)[None], torch.from_numpy(y)[None],
                     geometric(0.01, 0.001, 2), 3, 0.5, seed=s, denoise=False, temperature=1.0)[0].numpy() for s in (5, 6, 7)]
    assert r["pnf_by_chains"][0] == pytest.approx(snr_db(y, runs[0]), abs=1e-3)
    assert r["pnf"] == pytest.approx(snr_db(y, np.mean(runs, axis=0)), abs=1e-3)
    assert len({round(snr_db(y, x), 4) for x in runs}) == 3  # independent chains differ
    # tune_upsampling passes temperature and chains through, with initial noise when sampling
    rows = tu.upsample_clips(model, [y], 0.5, 0.01, steps=3, levels=2, temperature=1.0, chains=3)
    assert rows[0]["pnf_by_chains"] == pytest.approx(upsample4(model, y, 4, 0.01, 0.001, 2, 3, 0.5, temperature=1.0, chains=3)["pnf_by_chains"], abs=1e-4)
    assert tu.gains_by_chains([dict(rows[0], kind="speech")])[-1] == pytest.approx(rows[0]["pnf"] - rows[0]["spline"], abs=1e-4)


def test_the_many_chains_limit_recovers_the_posterior_means_own_error():
    b, v = 0.9, 1.5  # error powers relative to the spline's: the mean's own, one chain's spread
    gains = [-10 * np.log10(b + v / k) for k in range(1, 9)]
    assert tu.many_chains_limit(gains) == pytest.approx(-10 * np.log10(b), abs=1e-9)
    assert tu.many_chains_limit([g + 0.5 for g in gains]) > tu.many_chains_limit(gains)


def test_the_choice_is_written_into_the_card_the_engine_reads(tmp_path):
    card = {"schedule": {"sigmaMax": 0.05, "sigmaMin": 0.001, "levels": 8, "stepsPerLevel": 20, "etaScale": 0.05},
            "warmStart": {"upsample": 0.02, "inpaint": 0.002}, "taskEtaScale": {"separate": 2}, "bins": [-1, 1]}
    path = tmp_path / "voice.json"
    path.write_text(json.dumps(card))
    res = {"best": {"sigmaMax": 0.05, "etaScale": 1.0, "gainDb": 0.19641}, "command": "tune it", "ckpt": "v.pt"}
    tu.write_card(str(path), res, str(tmp_path / "tune.json"))
    out = json.loads(path.read_text())
    assert out["warmStart"] == {"upsample": 0.05, "inpaint": 0.002}  # the other tasks keep theirs
    assert out["taskEtaScale"] == {"separate": 2, "upsample": 1.0}
    assert out["upsampleTuned"]["by"] == "tune it" and out["upsampleTuned"]["tuneSetGainDb"] == 0.1964
    assert out["schedule"] == card["schedule"] and out["bins"] == [-1, 1]
    assert [p.name for p in tmp_path.iterdir()] == ["voice.json"]  # no temp file left behind
    # a start above the card's schedule would be cut by the engine (min of the two): refused, card untouched
    before = path.read_text()
    with pytest.raises(SystemExit, match="above the card's schedule.sigmaMax"):
        tu.write_card(str(path), {**res, "best": {"sigmaMax": 0.1, "etaScale": 1.0, "gainDb": 0.3}}, "t.json")
    assert path.read_text() == before


def test_piano_is_one_kind_its_mean_is_the_plain_mean():
    rows = [{"kind": "piano", "spline": 20, "pnf": 20.3}, {"kind": "piano", "spline": 25, "pnf": 24.9}]
    assert tu.weighted_gain(rows) == pytest.approx(0.1)
    assert tu.weighted_gain(rows, {"piano": 1}) == pytest.approx(0.1)
    assert np.isnan(tu.weighted_gain(rows, {"speech": 1}))


def test_the_piano_tune_set_is_held_out_pieces_on_the_held_out_soundfont(monkeypatch):
    rendered = []

    def fake_render(args):
        rendered.append(args)
        seed, split, i, sf2, program, seconds = args
        y = np.zeros(16000 * 3, np.float32)
        y[16000 + 100 * i] = 0.3  # the loudest second lies around this sample
        return y, {"tonic": i, "mode": "major", "tempo": 100.0}
    monkeypatch.setattr(tu.md, "render_piano", fake_render)
    clips = tu.piano_tune_clips(3, seconds=1.0, peak=0.9)
    assert [a[1] for a in rendered] == ["tune"] * 3 and [a[2] for a in rendered] == [0, 1, 2]
    assert {(a[3], a[4]) for a in rendered} <= set(tu.md.PIANO_VAL)  # the held-out soundfont only
    assert not {(a[3], a[4]) for a in rendered} & set(tu.md.PIANO_TRAIN)
    assert [k for _, k, _ in clips] == ["piano"] * 3
    for _, _, y in clips:
        assert len(y) == 16000 and np.abs(y).max() == pytest.approx(0.9, abs=1e-6)
    assert clips[1][0].startswith("piece 1 (") and "Db major" in clips[1][0]


def test_dump_clips_writes_each_counted_clip_exactly_and_leaves_out_band_limited_ones(tmp_path):
    import soundfile as sf
    t = np.arange(16000) / 16000
    wide = (0.9 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)    # above the 4x Nyquist: a real test
    band_limited = (0.9 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)  # the spline already gets it
    paths = tu.dump_clips([("a/b c.ogg", "speech", wide), ("low.ogg", "speech", band_limited), ("song 0 (x)", "singing", wide[::-1].copy())],
                          str(tmp_path), "voice")
    assert [p.split("/")[-1] for p in paths] == ["00-a_b_c_ogg.wav", "02-song_0_x.wav"]
    y, sr = sf.read(paths[0], dtype="float32")
    assert sr == md.SR and np.array_equal(y, wide)
    assert sorted(p.name for p in (tmp_path / "voice").iterdir()) == ["00-a_b_c_ogg.wav", "02-song_0_x.wav"]
