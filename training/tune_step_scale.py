"""Choose the step length of piano's 4x ascent on the TUNE set, never on ../shared/eval, from one run.

Runs the whole-clip ascent (reference_sampler.upsample4: temperature 0, no initial noise, 4 x 20 steps from
sigma_max to 0.001, level weights and fold band as asked) on N whole tune pieces (composed for the "tune"
split, rendered with the held-out soundfont: tune_upsampling.piano_tune_clips) at one etaScale, and records
each piece's move a and aim c (reference_sampler.ascent_geometry). Then, as aim_ceiling.py does for the eval
clips but on the tune pieces: a move of k a at the same aim gains -10 log10(1 - 2 k a c + (k a)^2) dB, and the
step scale k (0.25 to 8 by 0.25) with the best mean gain gives the etaScale to run: etaScale x k.
(The move grows about linearly with the step only while the steps are small; the whole-clip gate on the eval
clips is what decides.)

  /usr/bin/python3 training/tune_step_scale.py --ckpt training/checkpoints/piano.pt --level-power 0.5 --fold-band \
      --pieces 4 --piece-seconds 8 --json bench/priors/tune-step-scale-piano-l0.5-fb.json
"""
import argparse
import json
import os
import sys
import time
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "data"))

SCALES = tuple(i / 4 for i in range(1, 33))


_MODEL = None


def load_model(ckpt):
    """Pool initializer: each process loads the prior once, on one thread."""
    global _MODEL
    import torch
    from model import load_prior
    torch.set_num_threads(1)
    _MODEL, _ = load_prior(ckpt)
    for p in _MODEL.parameters():
        p.requires_grad_(False)


def run_piece(job):
    from reference_sampler import upsample4
    a, name, y = job
    r = upsample4(_MODEL, y, 4, a.sigma_max, 0.001, 4, 20, a.eta_scale, temperature=0.0, init_noise=False,
                  level_power=a.level_power, fold=a.fold_band)
    print(f"  {name[:44]:44s} spline {r['spline']:6.2f}  gain {r['pnf'] - r['spline']:+.3f} dB  moved {r['moved']:.3f} "
          f"at cos {r['cos_to_truth']:+.3f}  ({r['wall_s']} s)", flush=True)
    return name, {k: r[k] for k in ("spline", "pnf", "moved", "cos_to_truth", "wall_s", "samples")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--sigma-max", type=float, default=0.005)
    ap.add_argument("--eta-scale", type=float, default=0.05)
    ap.add_argument("--level-power", type=float, default=0.0)
    ap.add_argument("--fold-band", action="store_true")
    ap.add_argument("--pieces", type=int, default=4)
    ap.add_argument("--piece-seconds", type=float, default=8.0)
    ap.add_argument("--jobs", type=int, default=2, help="processes, one thread each")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    from aim_ceiling import ceilings
    from tune_upsampling import piano_tune_clips
    clips = piano_tune_clips(a.pieces, seconds=0, piece_seconds=a.piece_seconds)
    t0 = time.time()
    with Pool(a.jobs, initializer=load_model, initargs=(a.ckpt,)) as pool:
        rows = dict(pool.map(run_piece, [(a, name, y) for name, _, y in clips], chunksize=1))
    as_run, (k, at_k), ideal = ceilings([(r["moved"], r["cos_to_truth"]) for r in rows.values()], SCALES)
    mean_gain = sum(r["pnf"] - r["spline"] for r in rows.values()) / len(rows)
    print(f"tune set, {len(rows)} whole pieces of {a.piece_seconds:g} s: mean gain {mean_gain:+.3f} dB as run; "
          f"best uniform step scale x{k:.2f} ({at_k:+.3f} dB by the linear model): etaScale {a.eta_scale * k:.4g}")
    if a.json:
        out = {"rows": rows, "meanGain": mean_gain, "bestScale": k, "gainAtBestScale": at_k, "idealPerPiece": ideal,
               "chosenEtaScale": a.eta_scale * k, "wallS": round(time.time() - t0, 1),
               "settings": {"sigmaMax": a.sigma_max, "etaScale": a.eta_scale, "levelPower": a.level_power,
                            "foldBand": a.fold_band, "pieces": a.pieces, "pieceSeconds": a.piece_seconds},
               "command": "/usr/bin/python3 training/tune_step_scale.py " + " ".join(sys.argv[1:])}
        with open(a.json + ".tmp", "w") as f:
            json.dump(out, f, indent=1)
        os.replace(a.json + ".tmp", a.json)


if __name__ == "__main__":
    main()
