"""How much could a different step length buy, given where an ascent aimed? From a whole-clip run's
per-clip results (bench/priors/whole-clip/<source>-<sha>-s..-e../*.json: 'moved' a, 'cos_to_truth' c).

A move of length a (relative to the spline's distance to the truth) at cosine c gains
-10 log10(1 - 2 a c + a^2) dB over the spline. Scaling every step by k scales the move to about k a
(small steps) at the same aim, so:
* best uniform k: the one step scale for all clips that maximises the mean gain;
* ideal per clip: each clip moved exactly c (its best), -10 log10(1 - c^2) dB, 0 where c <= 0.
Both are CEILINGS for schedule tuning with this prior's aim (they use the truth); if they miss the
+0.1 dB bar, only a better aim (a higher cosine) can pass it.

  /usr/bin/python3 training/aim_ceiling.py bench/priors/whole-clip/piano-dc95658a264e-s0.005-e0.05
"""
import glob
import json
import math
import os
import sys


def gain_db(a, c):
    return -10.0 * math.log10(1.0 - 2.0 * a * c + a * a)


def ceilings(rows, scales=tuple(i / 20 for i in range(1, 61))):
    """rows: [(moved, cos)]. Returns (mean gain as run, (best k, mean gain at k), mean ideal-per-clip gain)."""
    n = len(rows)
    as_run = sum(gain_db(a, c) for a, c in rows) / n
    best = max(((k, sum(gain_db(k * a, c) for a, c in rows) / n) for k in scales), key=lambda t: t[1])
    ideal = sum(-10.0 * math.log10(1.0 - max(c, 0.0) ** 2) for _, c in rows) / n
    return as_run, best, ideal


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for d in sys.argv[1:]:
        files = sorted(glob.glob(os.path.join(d, "*.json")))
        if not files:
            raise SystemExit(f"no per-clip results (*.json) in {d}")
        rows = []
        for f in files:
            name, c = next(iter(json.load(open(f))["clips"].items()))
            rows.append((c["moved"], c["cos_to_truth"]))
            print(f"{name:40s} gain {c['pnf'] - c['spline']:+.3f} dB  moved {c['moved']:.3f} at cos {c['cos_to_truth']:+.3f}")
        as_run, (k, at_k), ideal = ceilings(rows)
        print(f"{os.path.basename(os.path.normpath(d))}: mean gain {as_run:+.3f} dB as run (from moved/cos); "
              f"best uniform step scale x{k:.2f}: {at_k:+.3f} dB; ideal step per clip: {ideal:+.3f} dB\n")


if __name__ == "__main__":
    main()
