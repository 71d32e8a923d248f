"""Do several priors aim better together? The cosine between the score at the spline and the way to the truth
(4x, the loudest 1 s of each ../shared/eval piano clip at peak 0.9, sigma 0.005) for each checkpoint and for the
mean of the scores of every combination of them (a product of the experts' smoothed densities).

  /usr/bin/python3 training/aim_ensemble.py piano piano-more-only-s17 piano-blend-s16 piano-direction-s15 piano-resumed

(names of checkpoints in training/checkpoints/; session 20: no combination aims better than its best member.)
"""
import itertools
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import load_prior  # noqa: E402
from reference_sampler import at_peak, cosine, eval_clips, excerpt, load_audio, score_at_spline  # noqa: E402


def main():
    names = sys.argv[1:]
    if not names:
        raise SystemExit(__doc__)
    torch.set_num_threads(2)
    models = {}
    for n in names:
        m, _ = load_prior(os.path.join(HERE, "checkpoints", f"{n}.pt"))
        for p in m.parameters():
            p.requires_grad_(False)
        models[n] = m
    rows = {}
    for path in eval_clips("piano"):
        y = at_peak(excerpt(load_audio(path), 1.0))
        gs = {}
        for n, m in models.items():
            _, gs[n], way = score_at_spline(m, y, 0.005)
        out = {}
        for k in range(1, len(names) + 1):
            for combo in itertools.combinations(names, k):
                out[" + ".join(combo)] = cosine(sum(gs[c] for c in combo), way)
        rows[os.path.basename(path)] = out
    print(" " * 60 + "".join(f"{c[:10]:>11s}" for c in rows) + "       mean")
    for key in next(iter(rows.values())):
        vals = [r[key] for r in rows.values()]
        print(f"{key[:60]:60s}" + "".join(f"{v:+11.3f}" for v in vals) + f"{np.mean(vals):+11.3f}")


if __name__ == "__main__":
    main()
