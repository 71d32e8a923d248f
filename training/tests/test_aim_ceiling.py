# training/aim_ceiling.py: the step-length ceilings of a whole-clip run.
import json
import math
import subprocess
import sys
import os

from aim_ceiling import ceilings, gain_db


def test_gain_formula_matches_the_snr_change_of_a_move():
    import numpy as np
    rng = np.random.default_rng(0)
    r = rng.standard_normal(5000)                       # truth - spline
    u = rng.standard_normal(5000); u -= (u @ r) / (r @ r) * r; u /= np.linalg.norm(u)
    a, c = 0.3, 0.2
    d = a * np.linalg.norm(r) * (c * r / np.linalg.norm(r) + math.sqrt(1 - c * c) * u)  # the move
    snr_gain = 10 * math.log10((r @ r) / ((r - d) @ (r - d)))
    assert abs(gain_db(a, c) - snr_gain) < 1e-9


def test_ceilings_pick_the_step_that_matches_the_aim():
    as_run, (k, at_k), ideal = ceilings([(0.4, 0.2)])
    assert abs(k - 0.5) < 1e-9                          # moved 0.4 at cos 0.2: best move is 0.2
    assert abs(at_k - ideal) < 1e-9 and abs(ideal + 10 * math.log10(1 - 0.04)) < 1e-9
    assert as_run < at_k
    # a clip aimed the wrong way adds nothing to the ideal, and drags the best uniform step down
    assert ceilings([(0.4, 0.2), (0.4, -0.2)])[2] == ideal / 2


def test_command_reads_a_whole_clip_folder(tmp_path):
    for name, (a, c) in {"x.wav": (0.4, 0.2), "y.wav": (0.1, -0.1)}.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(
            {"clips": {name: {"spline": 20.0, "pnf": 20.0 + gain_db(a, c), "moved": a, "cos_to_truth": c}}}))
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, os.path.join(here, "aim_ceiling.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    assert "best uniform step scale x" in out and "y.wav" in out


def test_band_cosines_see_a_direction_right_in_one_band_and_wrong_in_another():
    import numpy as np
    from aim_by_band import band_cosines
    t = np.arange(16000) / 16000
    low, high = np.sin(2 * np.pi * 500 * t), np.sin(2 * np.pi * 3000 * t)
    rows = band_cosines(low - high, low + 0.1 * high)
    (c0, s0), (c2, s2) = (rows[0][2], rows[0][3]), (rows[2][2], rows[2][3])
    assert c0 > 0.99 and c2 < -0.99                 # right in 0-1 kHz, reversed in 2-4 kHz
    assert abs(s0) < 0.1 and abs(s2 + 20) < 0.1     # the 3 kHz tone holds 1 % of the energy: -20 dB
    assert rows[1][3] < -100                          # nothing in 1-2 kHz (rounding only)


def test_recording_chains_do_what_they_say():
    import numpy as np
    from aim_by_band import darker, hall
    t = np.arange(32000) / 16000
    low, high = np.sin(2 * np.pi * 200 * t), np.sin(2 * np.pi * 6000 * t)
    def change_db(a, b):
        return 10 * np.log10(np.sum(b[8000:] ** 2) / np.sum(a[8000:] ** 2))
    assert abs(change_db(low, darker(low))) < 0.5          # lows kept
    assert -7 < change_db(high, darker(high)) < -4.5       # highs about 6 dB down
    burst = np.zeros(32000)
    burst[:800] = np.random.default_rng(0).standard_normal(800)
    wet = hall(burst, level=1.0)
    assert np.allclose(wet[:320], burst[:320])           # the direct sound first, the tail 20 ms later
    tail = np.sum(wet[800:] ** 2) / np.sum(burst ** 2)
    assert 0.5 < tail < 1.5                              # a tail of about the direct sound's energy
    np.testing.assert_array_equal(hall(burst), hall(burst))


def test_tune_step_scale_chooses_from_quarter_steps_up_to_8():
    from tune_step_scale import SCALES
    assert SCALES[0] == 0.25 and SCALES[-1] == 8.0 and len(SCALES) == 32
    # moved 0.05 at cos 0.2 wants a move of 0.2: k = 4; moved 0.01 at cos 0.3 wants k = 30: the top, 8
    assert ceilings([(0.05, 0.2)], SCALES)[1][0] == 4.0
    assert ceilings([(0.01, 0.3)], SCALES)[1][0] == 8.0
