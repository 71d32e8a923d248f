"""Measure B of bench/priors/preregistered-session14.md: the whole-clip gain of the per-clip self-check rule.

  /usr/bin/python3 training/self_check_rule.py --source piano

For each eval clip: if the blind self-check (reference_sampler.self_check at the long schedule, loudest 1 s,
bench/priors/self-check-<source>-eval.json) gains above 0 dB, take the clip's whole-clip result at the long
schedule, else at the reference schedule. Both come from training/whole_clip_check.sh runs
(bench/priors/whole-clip/<source>-<sha>-s<sigma>-e<eta>/<clip>.json); nothing is run here. The rule passes at a
mean gain over the spline of +0.1 dB, the bar of the whole-clip check. Writes
bench/priors/whole-clip-<source>-self-check-rule.json.
"""
import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BAR_DB = 0.1


def choose(self_check_db, long_clip, reference_clip):
    """The rule for one clip: ("long" | "reference", that schedule's whole-clip result)."""
    return ("long", long_clip) if self_check_db > 0 else ("reference", reference_clip)


def rule_gain(self_checks, long_runs, reference_runs):
    """{clip: (schedule, gain dB)} and the mean gain of the rule over the clips the self-check covers;
    every clip must have both whole-clip results."""
    per = {}
    for name, db in self_checks.items():
        if name not in long_runs or name not in reference_runs:
            raise SystemExit(f"{name}: no whole-clip result at the {'long' if name not in long_runs else 'reference'} schedule yet: "
                             "run training/whole_clip_check.sh for it first")
        which, c = choose(db, long_runs[name], reference_runs[name])
        per[name] = (which, c["pnf"] - c["spline"])
    return per, sum(g for _, g in per.values()) / len(per)


def whole_clip_runs(source, tag):
    """{clip: result} of whole_clip_check.sh for the shipped checkpoint at schedule tag (e.g. s0.05-e1)."""
    sha = hashlib.sha256(open(os.path.join(HERE, "checkpoints", f"{source}.pt"), "rb").read()).hexdigest()[:12]
    d = os.path.join(ROOT, "bench", "priors", "whole-clip", f"{source}-{sha}-{tag}")
    runs = {}
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.endswith(".json"):
            runs.update(json.load(open(os.path.join(d, f)))["clips"])
    return runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="piano", choices=["piano", "voice"])
    ap.add_argument("--long", default="s0.05-e1", help="the long schedule's whole-clip tag")
    ap.add_argument("--reference", default="s0.005-e0.05", help="the reference schedule's whole-clip tag")
    a = ap.parse_args()
    checks = json.load(open(os.path.join(ROOT, "bench", "priors", f"self-check-{a.source}-eval.json")))["selfCheckDb"]
    per, mean = rule_gain(checks, whole_clip_runs(a.source, a.long), whole_clip_runs(a.source, a.reference))
    for name, (which, g) in per.items():
        print(f"  {name:40s} self-check {checks[name]:+.2f} dB -> {which:9s} gain {g:+.3f} dB")
    verdict = "PASSES" if mean >= BAR_DB else "does not pass"
    print(f"{a.source} self-check rule: MEAN gain {mean:+.3f} dB -> {verdict} (bar +{BAR_DB} dB)")
    out = {"source": a.source, "rule": "long schedule where the blind self-check gains (> 0 dB), else the reference schedule",
           "long": a.long, "reference": a.reference, "perClip": {n: {"selfCheckDb": checks[n], "schedule": w, "gainDb": g} for n, (w, g) in per.items()},
           "meanGainDb": mean, "passes": mean >= BAR_DB, "preregistered": "bench/priors/preregistered-session14.md",
           "command": " ".join(["/usr/bin/python3 training/self_check_rule.py"] + sys.argv[1:])}
    path = os.path.join(ROOT, "bench", "priors", f"whole-clip-{a.source}-self-check-rule.json")
    with open(path + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
