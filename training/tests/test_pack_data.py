# pack_data.py: the compact data a GPU machine gets. Lossless (to int16) round trip, training clips drawn from
# every folder, validation from the first only, and a source no folder has left out.
import json
import os

import numpy as np

import pack_data
from train import Corpus

SR = pack_data.SR


def make_folder(path, renderer, clips, val_clips=0, seed=0):
    """A make_data.py-shaped folder: piano_<split>.npy/.json (+ summary.json), clips of 0.1 s each."""
    os.makedirs(path, exist_ok=True)
    rng = np.random.default_rng(seed)
    summary = {"piano": {}, "voice": {}}
    for split, n in [("train", clips), ("val", val_clips)]:
        if not n:
            continue
        audio = (rng.standard_normal(n * 1600) * 0.1).astype(np.float32)
        meta = {"source": "piano", "split": split, "sampleRate": SR,
                "clips": [{"renderer": renderer, "offset": i * 1600, "length": 1600} for i in range(n)]}
        np.save(os.path.join(path, f"piano_{split}.npy"), audio)
        json.dump(meta, open(os.path.join(path, f"piano_{split}.json"), "w"))
        summary["piano"][split] = {"clips": n, "minutes": n * 0.1 / 60, "renderers": [renderer]}
    json.dump(summary, open(os.path.join(path, "summary.json"), "w"))


def test_two_folders_pack_and_unpack(tmp_path, capsys):
    a, b, out = str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "out")
    make_folder(a, "first", clips=30, val_clips=5, seed=1)
    make_folder(b, "second", clips=30, seed=2)  # an extra folder without validation, as .data-more
    pack_path = str(tmp_path / "p.npz")
    pack_data.pack(f"{a},{b}", pack_path, minutes=2.0 / 60, val_minutes=1)  # 2 s of the 6 s of training audio
    assert "voice/train: no data" in capsys.readouterr().out
    pack_data.unpack(pack_path, out)

    meta = json.load(open(os.path.join(out, "piano_train.json")))
    got = {c["renderer"] for c in meta["clips"]}
    assert got == {"first", "second"}, got  # drawn from both folders
    assert 20 <= len(meta["clips"]) <= 21  # up to the 2 s asked for (whole clips: the last one may cross it)
    assert not os.path.exists(os.path.join(out, "voice_train.npy"))

    # every packed clip is its source clip to int16 precision, and train.py reads the unpacked folder
    src = {"first": np.load(os.path.join(a, "piano_train.npy")), "second": np.load(os.path.join(b, "piano_train.npy"))}
    src_meta = {"first": json.load(open(os.path.join(a, "piano_train.json")))["clips"],
                "second": json.load(open(os.path.join(b, "piano_train.json")))["clips"]}
    packed = np.load(os.path.join(out, "piano_train.npy"))
    for c in meta["clips"]:
        y = packed[c["offset"]: c["offset"] + c["length"]]
        # find the source clip it came from: the one it matches
        errs = [np.abs(src[c["renderer"]][s["offset"]: s["offset"] + s["length"]] - y).max() for s in src_meta[c["renderer"]]]
        assert min(errs) <= 0.5 / 32767 + 1e-7
    assert len(Corpus([out], "piano", "train").clips) == len(meta["clips"])

    val = json.load(open(os.path.join(out, "piano_val.json")))
    assert {c["renderer"] for c in val["clips"]} == {"first"} and len(val["clips"]) == 5
    summary = json.load(open(os.path.join(out, "summary.json")))
    assert summary["piano"]["train"]["renderers"] == ["first", "second"]
    assert summary["piano"]["train"]["clips"] == 60  # the folders' data summary, as train.py records it
    assert summary["packed"]["folders"] == 2


def test_one_folder_packs_the_same_from_a_string_or_a_list(tmp_path):
    a = str(tmp_path / "a")
    make_folder(a, "first", clips=10, val_clips=2)
    p1, p2 = str(tmp_path / "1.npz"), str(tmp_path / "2.npz")
    pack_data.pack(a, p1, minutes=0.5 / 60, val_minutes=1)
    pack_data.pack([a], p2, minutes=0.5 / 60, val_minutes=1)
    z1, z2 = np.load(p1), np.load(p2)
    assert sorted(z1.files) == sorted(z2.files)
    for k in z1.files:
        assert np.array_equal(z1[k], z2[k]), k  # deterministic
