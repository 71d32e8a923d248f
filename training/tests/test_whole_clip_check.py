# whole_clip_check.sh's bookkeeping: which folder a checkpoint's per-clip results go to, and the summary's name.
# Runs no sampler: ONLY=none with fake per-clip results already in place.
import hashlib
import json
import os
import shutil
import subprocess

import pytest

from reference_sampler import eval_clips

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def sha12(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()[:12]


def fake_results(folder, clips, gain):
    os.makedirs(folder, exist_ok=True)
    for p in clips:
        n = os.path.basename(p)
        c = {"spline": 20.0, "pnf": 20.0 + gain, "wall_s": 1.0}
        json.dump({"clips": {n: c}, "settings": {"fake": True}}, open(os.path.join(folder, n + ".json"), "w"))


def run_check(out, **env):
    return subprocess.run(["bash", "training/whole_clip_check.sh"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "OUT": str(out), "ONLY": "none", "WORK": str(out / "logs"), **env})


@pytest.fixture
def piano_clips():
    clips = eval_clips("piano")
    if not clips:
        pytest.skip("the piano eval clips (../shared/eval/piano) are not on this machine")
    return clips


def test_another_checkpoint_gets_its_own_folder_and_summary(tmp_path, piano_clips):
    other = tmp_path / "other.pt"
    shutil.copy(os.path.join(ROOT, "training", "checkpoints", "piano.pt"), other)
    with open(other, "ab") as f:
        f.write(b"x")  # another checkpoint: another sha
    sha = sha12(other)
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05", piano_clips, 0.25)
    r = run_check(tmp_path, PIANO_CKPT=str(other), PIANO_SCHEDULE="0.005 0.05")
    assert r.returncode == 3, r.stdout + r.stderr  # voice's clips are still missing
    assert "MEAN gain +0.250 dB -> PASSES" in r.stdout
    summary = json.load(open(tmp_path / f"whole-clip-piano-{sha}-s0.005-e0.05.json"))
    assert summary["mean"]["gain"] == pytest.approx(0.25)
    assert summary["command"] == f'PIANO_CKPT={other} PIANO_SCHEDULE="0.005 0.05" bash training/whole_clip_check.sh'
    assert not (tmp_path / "whole-clip-piano-s0.005-e0.05.json").exists()  # the shipped prior's summary is untouched


def test_the_shipped_checkpoint_keeps_the_plain_summary_name(tmp_path, piano_clips):
    sha = sha12(os.path.join(ROOT, "training", "checkpoints", "piano.pt"))
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05", piano_clips, 0.05)
    r = run_check(tmp_path, PIANO_SCHEDULE="0.005 0.05")
    assert "MEAN gain +0.050 dB -> does not pass" in r.stdout, r.stdout + r.stderr
    summary = json.load(open(tmp_path / "whole-clip-piano-s0.005-e0.05.json"))
    assert summary["command"] == 'PIANO_SCHEDULE="0.005 0.05" bash training/whole_clip_check.sh'


def test_a_level_weighted_run_gets_its_own_folder_and_says_so_in_its_command(tmp_path, piano_clips):
    sha = sha12(os.path.join(ROOT, "training", "checkpoints", "piano.pt"))
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05", piano_clips, 0.05)  # the plain run's
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05-l0.5", piano_clips, 0.12)
    r = run_check(tmp_path, PIANO_SCHEDULE="0.005 0.05", PIANO_LEVEL_POWER="0.5")
    assert "(s0.005-e0.05-l0.5) MEAN gain +0.120 dB -> PASSES" in r.stdout, r.stdout + r.stderr
    summary = json.load(open(tmp_path / "whole-clip-piano-s0.005-e0.05-l0.5.json"))
    assert summary["command"] == 'PIANO_LEVEL_POWER=0.5 PIANO_SCHEDULE="0.005 0.05" bash training/whole_clip_check.sh'
    assert not (tmp_path / "whole-clip-piano-s0.005-e0.05.json").exists()


def test_a_level_power_must_be_above_0_and_is_written_one_way(tmp_path, piano_clips):
    for bad in ("0", "-1", "abc"):
        r = run_check(tmp_path, PIANO_SCHEDULE="0.005 0.05", PIANO_LEVEL_POWER=bad)
        assert r.returncode == 2 and "must be a number above 0" in r.stderr, (bad, r.stdout + r.stderr)
    sha = sha12(os.path.join(ROOT, "training", "checkpoints", "piano.pt"))
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05-l0.5", piano_clips, 0.07)
    r = run_check(tmp_path, PIANO_SCHEDULE="0.005 0.05", PIANO_LEVEL_POWER="0.50")
    assert "(s0.005-e0.05-l0.5) MEAN gain +0.070 dB -> does not pass" in r.stdout, r.stdout + r.stderr


def test_a_fold_band_run_has_its_own_results_and_must_be_1(tmp_path, piano_clips):
    sha = sha12(os.path.join(ROOT, "training", "checkpoints", "piano.pt"))
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05-l0.5", piano_clips, 0.07)  # the level-weighted run's
    fake_results(tmp_path / "whole-clip" / f"piano-{sha}-s0.005-e0.05-l0.5-fb", piano_clips, 0.15)
    r = run_check(tmp_path, PIANO_SCHEDULE="0.005 0.05", PIANO_LEVEL_POWER="0.5", PIANO_FOLD_BAND="1")
    assert "(s0.005-e0.05-l0.5-fb) MEAN gain +0.150 dB -> PASSES" in r.stdout, r.stdout + r.stderr
    summary = json.load(open(tmp_path / "whole-clip-piano-s0.005-e0.05-l0.5-fb.json"))
    assert summary["command"] == 'PIANO_LEVEL_POWER=0.5 PIANO_FOLD_BAND=1 PIANO_SCHEDULE="0.005 0.05" bash training/whole_clip_check.sh'
    for bad in ("0", "yes", "2"):
        r = run_check(tmp_path, PIANO_SCHEDULE="0.005 0.05", PIANO_FOLD_BAND=bad)
        assert r.returncode == 2 and "PIANO_FOLD_BAND must be 1" in r.stderr, (bad, r.stdout + r.stderr)
