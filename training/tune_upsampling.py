"""Choose a prior's 4x-upsampling schedule (start sigma, step size) on a TUNE set, never on ../shared/eval.

  /usr/bin/python3 training/tune_upsampling.py --ckpt training/.runs/voice/ckpt.pt \
      --data-dir training/.data-kast,training/.data-sing --sigma-maxes 0.005 0.02 0.05 --eta-scales 0.05 0.2 1

The ascent of `reference_sampler.upsample4` moves the spline a distance set by its schedule
(eta = etaScale * sigma^2 from sigma_max down to 0.001): too short and a well-aimed prior adds
nothing, too long and a badly aimed one costs SNR. Which length is right is a property of the prior, so it is measured on
audio the prior was not trained on and the evaluation clips never see:

  * speech: real recordings from the Debian recording sets (festvox-ru, kde-edu) that are NOT in
    the training split of any --data-dir (seeded choice among those of at least 2 s);
  * singing: festival singing-mode songs (make_data.render_singing) drawn from a split name no
    training run uses ("tune"), so different scores from every training song;
  * piano (--source piano): pieces composed for a split no training run uses ("tune"), rendered with
    the held-out soundfont (make_data.PIANO_VAL), so neither the notes nor the instrument were trained on.

Same protocol as the evaluation (loudest 1 s excerpt, peak 0.9, every 4th sample kept, warm
start at the spline, temperature 0, no initial noise, 4 levels x 20 steps down to sigma 0.001);
the mean SNR gain over the cubic spline decides, speech and singing in the eval set's
ratio (4 : 1; piano: the plain mean), clips whose spline is already above 30 dB (band-limited recordings) left out.
Writes bench/priors/tune-upsampling-<source>.{json,md}; `--rescore` recomputes an earlier choice.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "data"))
import make_data as md  # noqa: E402
from export import save_card  # noqa: E402
from model import load_prior  # noqa: E402
from reference_sampler import at_peak, excerpt, upsample4  # noqa: E402


def used_recordings(data_dirs, source="voice"):
    """Recording files (relative to /usr/share, as make_data records them) in any training split."""
    used = set()
    for d in data_dirs:
        p = os.path.join(d, f"{source}_train.json")
        if os.path.exists(p):
            used |= {c["file"] for c in json.load(open(p))["clips"] if c.get("engine") == "recording"}
    return used


def held_out_recordings(sets, used, n, seed=11, min_seconds=2.0):
    """n recordings of the given sets that no training split holds, in a seeded order."""
    found = [fs for name in sets for fs in md.set_recordings(name)]
    free = [f for f, s in found if s >= min_seconds and os.path.relpath(f, "/usr/share") not in used]
    if len(free) < n:
        raise SystemExit(f"only {len(free)} held-out recordings of at least {min_seconds} s in {', '.join(sets)}; "
                         "install the sets' packages (make_data.py does) or ask for fewer")
    order = np.random.default_rng(seed).permutation(len(free))
    return [free[k] for k in order[:n]]


def tune_clips(data_dirs, sets, n_speech, n_songs, seconds=1.0, peak=0.9, min_seconds=2.0):
    """[(name, kind, 1-D float32 excerpt at `peak`)] of the tune set."""
    clips = []
    for f in held_out_recordings(sets, used_recordings(data_dirs), n_speech, min_seconds=min_seconds):
        clips.append((os.path.relpath(f, "/usr/share"), "speech", md.read_audio(f)))
    for j in range(n_songs):
        voice = md.SINGING_VOICES[j % len(md.SINGING_VOICES)]
        y, meta = md.render_singing((1, "tune", j, "singing", voice))
        clips.append((f"song {j} ({voice}, {meta['tonic']} {meta['scale']})", "singing", y))
    return as_evaluated(clips, seconds, peak)


def piano_tune_clips(n_pieces, seconds=1.0, peak=0.9, piece_seconds=8.0, seed=1):
    """[(name, "piano", 1-D float32 excerpt at `peak`)]: n pieces of the "tune" split, each on the
    held-out soundfont (make_data.PIANO_VAL, in turn), their loudest `seconds` as the evaluation takes them."""
    clips = []
    for j in range(n_pieces):
        sf2, program = md.PIANO_VAL[j % len(md.PIANO_VAL)]
        y, meta = md.render_piano((seed, "tune", j, sf2, program, piece_seconds))
        clips.append((f"piece {j} ({sf2}, {md.note_name(60 + meta['tonic'])[:-1]} {meta['mode']}, {meta['tempo']:g} bpm)", "piano", y))
    return as_evaluated(clips, seconds, peak)


def as_evaluated(clips, seconds, peak):
    """[(name, kind, y)] -> the same with each y cut to its loudest `seconds` at `peak`, as the evaluation takes clips."""
    return [(name, kind, at_peak(excerpt(y, seconds), peak)) for name, kind, y in clips]


def upsample_clips(model, ys, eta_scale, sigma_max=0.005, factor=4, sigma_min=0.001, levels=4, steps=20, temperature=0.0, chains=1):
    """The evaluation's 4x ascent (reference_sampler.upsample4) on each clip, one at a time (a batch
    of 1 s clips runs about 3x slower per clip on this CPU). Temperature 0: the deterministic ascent
    from the spline (no initial noise); temperature > 0: Langevin sampling from the spline plus
    sigma_max noise, the mean of `chains` chains (the posterior-mean estimate)."""
    return [upsample4(model, y, factor, sigma_max, sigma_min, levels, steps, eta_scale, temperature=temperature,
                      chains=chains, init_noise=temperature > 0) for y in ys]


# A clip whose cubic spline is already this close (dB) has next to nothing above the low-rate
# Nyquist (2 kHz at 4x): its recording was band-limited (e.g. a low-bitrate Ogg), so it is no
# super-resolution test; every eval clip's spline is at 4.6-21 dB.
MAX_SPLINE_SNR_DB = 30.0


def counts(row):
    """Whether a tune clip takes part in the choice (see MAX_SPLINE_SNR_DB)."""
    return row["spline"] <= MAX_SPLINE_SNR_DB


# how the eval set weighs the kinds of clip (voice: 4 speech clips to 1 sung; piano: one kind)
EVAL_WEIGHTS = {"speech": 4, "singing": 1, "piano": 1}


def weighted_gain(rows, weights=None):
    """Mean gain (dB over the spline) with the kinds of clip in the eval set's ratio (EVAL_WEIGHTS),
    over the clips that count (a band-limited recording is listed but left out)."""
    weights = EVAL_WEIGHTS if weights is None else weights
    g = {k: [r["pnf"] - r["spline"] for r in rows if r["kind"] == k and counts(r)] for k in weights}
    parts = [(weights[k], np.mean(v)) for k, v in g.items() if v and weights[k] > 0]
    return float(sum(w * v for w, v in parts) / sum(w for w, _ in parts)) if parts else float("nan")


def gains_by_chains(rows):
    """weighted_gain of the mean of the first k chains, k = 1 .. chains (rows from upsample4's pnf_by_chains)."""
    n = len(rows[0]["pnf_by_chains"])
    return [weighted_gain([dict(r, pnf=r["pnf_by_chains"][k]) for r in rows]) for k in range(n)]


def many_chains_limit(gains):
    """The gain (dB) the mean of infinitely many chains would give, from the gains of the mean of the
    first k = 1, 2, ... chains: independent chains make the error power of their k-mean B + V/k
    (B: the posterior mean's own error, V: one chain's spread around it), both relative to the
    spline's; B and V by least squares over k, the limit is -10 log10 B."""
    k = np.arange(1, len(gains) + 1, dtype=np.float64)
    err = 10.0 ** (-np.asarray(gains, dtype=np.float64) / 10)
    (b, v), *_ = np.linalg.lstsq(np.stack([np.ones_like(k), 1 / k], 1), err, rcond=None)
    return float(-10 * np.log10(b)) if b > 0 else float("inf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", help="the prior to tune (not needed with --rescore)")
    ap.add_argument("--source", default="voice", choices=["voice", "piano"])
    ap.add_argument("--data-dir", default=os.path.join(HERE, ".data"), help="training folders whose recordings are left out, comma-separated")
    ap.add_argument("--sets", default="festvox-ru,kde-edu", type=md.recording_sets,
                    help="recording sets the held-out speech comes from (festvox-ru: whole sentences no shipped voice prior trained on)")
    ap.add_argument("--speech", type=int, default=8)
    ap.add_argument("--min-seconds", type=float, default=2.0,
                    help="shortest held-out recording taken (tuxpaint-en's descriptions are 0.5-1.5 s: use 0.5)")
    ap.add_argument("--songs", type=int, default=2)
    ap.add_argument("--pieces", type=int, default=8, help="--source piano: tune pieces on the held-out soundfont")
    ap.add_argument("--eta-scales", type=float, nargs="+", default=[0.05, 0.2, 1.0])
    ap.add_argument("--sigma-maxes", type=float, nargs="+", default=[0.005, 0.02, 0.05],
                    help="where the annealing starts (it always ends at 0.001, 4 levels x 20 steps)")
    ap.add_argument("--peak", type=float, default=0.9, help="level each excerpt is scaled to (the evaluation's is 0.9)")
    ap.add_argument("--temperature", type=float, default=0.0,
                    help="0: the deterministic ascent; 1: posterior sampling (from the spline plus sigma_max noise)")
    ap.add_argument("--chains", type=int, default=1, help="chains averaged per clip (with --temperature 1: the posterior mean)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--self-check", action="store_true",
                    help="only run reference_sampler.self_check (sigma 0.05, etaScale 1, the 8x problem, judged on observed "
                         "samples) on each tune clip, and on the eval clips with --eval-clips; writes <out>.json")
    ap.add_argument("--eval-clips", action="store_true", help="with --self-check: the shared/eval voice clips instead")
    ap.add_argument("--dump-clips", default=None, metavar="DIR",
                    help="only write the tune set's excerpts as DIR/<source>/NN-<name>.wav (16 kHz float) and stop: the "
                         "editor's own sampler then runs on them (npx tsx bench/engine/bench.ts --curve --eval-dir DIR)")
    ap.add_argument("--rescore", default=None, help="only recompute the choice of an earlier run's JSON (same --out)")
    ap.add_argument("--out", default=None, help="result files without extension (default bench/priors/tune-upsampling-<source>, "
                    "with --self-check self-check-<source>-<eval|tune>)")
    ap.add_argument("--write-card", default=None, metavar="CARD",
                    help="write the choice into this model card (warmStart.upsample = sigma_max, taskEtaScale.upsample = "
                         "etaScale, upsampleTuned = where it came from): the app's upsampling then runs it")
    a = ap.parse_args()
    # (a self-check must not land on the tune run's files)
    default_name = f"self-check-{a.source}-{'eval' if a.eval_clips else 'tune'}" if a.self_check else f"tune-upsampling-{a.source}"
    a.out = a.out or os.path.join(ROOT, "bench", "priors", default_name)
    if a.rescore:
        res = json.load(open(a.rescore))
        for st in res["settings"].values():
            st["gainDb"] = weighted_gain(st["rows"])
            if "gainDbByChains" in st:
                st["gainDbByChains"] = gains_by_chains(st["rows"])
        return finish(res, a)
    if a.dump_clips:
        return dump_clips(the_tune_set(a), a.dump_clips, a.source)
    if not a.ckpt:
        raise SystemExit("--ckpt: which prior to tune?")
    torch.set_num_threads(a.threads)
    model, ck = load_prior(a.ckpt)
    for p in model.parameters():
        p.requires_grad_(False)
    if a.self_check:
        return self_checks(model, a)
    clips = the_tune_set(a)
    res = {"source": a.source, "ckpt": os.path.relpath(os.path.abspath(a.ckpt), ROOT), "samplesSeen": ck.get("state", {}).get("samples_seen", 0),
           "peak": a.peak, "temperature": a.temperature, "chains": a.chains, "clips": [{"name": n, "kind": k} for n, k, _ in clips], "settings": {}}
    for smax in a.sigma_maxes:
        for eta in a.eta_scales:
            t0 = time.time()
            rows = upsample_clips(model, [y for _, _, y in clips], eta, smax, temperature=a.temperature, chains=a.chains)
            for r, (n, k, _) in zip(rows, clips):
                r.update(name=n, kind=k)
            res["settings"][f"{smax:g}/{eta:g}"] = {"sigmaMax": smax, "etaScale": eta, "gainDb": weighted_gain(rows), "rows": rows}
            if a.chains > 1:
                by_k = res["settings"][f"{smax:g}/{eta:g}"]["gainDbByChains"] = gains_by_chains(rows)
                print("  mean of the first k chains: " + ", ".join(f"k={k + 1}: {g:+.3f}" for k, g in enumerate(by_k)), flush=True)
            kinds = ", ".join(f"{k} {weighted_gain(rows, {k: 1}):+.3f}" for k in EVAL_WEIGHTS if any(r["kind"] == k for r in rows))
            print(f"  sigma {smax:g} -> 0.001, etaScale {eta:<5g} gain {weighted_gain(rows):+.3f} dB ({kinds})   "
                  f"({time.time() - t0:.0f} s)", flush=True)
    finish(res, a)


def the_tune_set(a):
    """The tune set the options name: [(name, kind, 1-D float32 excerpt at a.peak)]."""
    if a.source == "piano":
        clips = piano_tune_clips(a.pieces, peak=a.peak)
        print(f"tune set: {len(clips)} pieces on the held-out soundfont", flush=True)
    else:
        clips = tune_clips([d for d in a.data_dir.split(",") if d], a.sets, a.speech, a.songs, peak=a.peak, min_seconds=a.min_seconds)
        print(f"tune set: {sum(k == 'speech' for _, k, _ in clips)} held-out recordings, {sum(k == 'singing' for _, k, _ in clips)} songs", flush=True)
    return clips


def dump_clips(clips, out_dir, source):
    """Each tune clip as out_dir/<source>/NN-<name>.wav (float, md.SR), the layout bench/eval reads eval clips in;
    a clip whose spline is above MAX_SPLINE_SNR_DB (a band-limited recording, which the choice leaves out) is
    left out here too. Returns the paths written."""
    import re
    import soundfile as sf
    from reference_sampler import snr_db, spline_through_every
    d = os.path.join(out_dir, source)
    os.makedirs(d, exist_ok=True)
    paths = []
    for i, (name, kind, y) in enumerate(clips):
        if not counts({"spline": snr_db(y, spline_through_every(y, 4)[0])}):  # (as upsample4 scores the spline)
            print(f"  left out (band-limited): {name}")
            continue
        path = os.path.join(d, f"{i:02d}-{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_')[:60]}.wav")
        sf.write(path, y, md.SR, subtype="FLOAT")
        paths.append(path)
    print(f"wrote {len(paths)} clips to {d}")
    return paths


def self_checks(model, a):
    """reference_sampler.self_check per clip: the blind test of whether a long ascent helps a clip."""
    from reference_sampler import eval_clips, load_audio, self_check
    if a.eval_clips:
        clips = [(os.path.basename(p), "eval", at_peak(excerpt(load_audio(p), 1.0))) for p in eval_clips(a.source)]
    else:
        clips = tune_clips([d for d in a.data_dir.split(",") if d], a.sets, a.speech, a.songs, peak=a.peak, min_seconds=a.min_seconds)
    out = {"ckpt": os.path.relpath(os.path.abspath(a.ckpt), ROOT), "command": " ".join(["/usr/bin/python3 training/tune_upsampling.py"] + sys.argv[1:]),
           "check": "reference_sampler.self_check: sigma 0.05 -> 0.001, etaScale 1, 4 x 20, every 8th sample kept, gain (dB) on the "
                    "observed samples halfway between", "selfCheckDb": {}}
    for name, _, y in clips:
        out["selfCheckDb"][name] = self_check(model, y)
        print(f"  {name:60s} self-check {out['selfCheckDb'][name]:+.3f} dB", flush=True)
    with open(a.out + ".json", "w") as f:
        json.dump(out, f, indent=1)


def finish(res, a, command=None):
    """Pick the best schedule, print it, write the JSON and the markdown table."""
    best = max(res["settings"].values(), key=lambda s: s["gainDb"])
    res["best"] = {"sigmaMax": best["sigmaMax"], "etaScale": best["etaScale"], "gainDb": best["gainDb"]}
    res["maxSplineSnrDb"] = MAX_SPLINE_SNR_DB
    res["command"] = command or res.get("command") or " ".join(["/usr/bin/python3 training/tune_upsampling.py"] + sys.argv[1:])
    print(f"best on the tune set: sigma {best['sigmaMax']:g} -> 0.001, etaScale {best['etaScale']:g} ({best['gainDb']:+.3f} dB)")
    with open(a.out + ".json", "w") as f:
        json.dump(res, f, indent=1)
    with open(a.out + ".md", "w") as f:
        f.write(to_md(res, res["command"]))
    if getattr(a, "write_card", None):
        write_card(a.write_card, res, a.out + ".json")
        print(f"written into {a.write_card}: warmStart.upsample {best['sigmaMax']:g}, taskEtaScale.upsample {best['etaScale']:g}")


def write_card(card_path, res, tune_file):
    """Put a tune run's choice into a model card (atomically: export.save_card).

    The engine starts upsampling at min(schedule.sigmaMax, warmStart.upsample) and steps with
    taskEtaScale.upsample (src-main/engine/tasks.ts planSchedule), annealing to the card's
    sigmaMin as the reference sampler does; the levels x steps stay the card's measured presets."""
    with open(card_path) as f:
        card = json.load(f)
    b = res["best"]
    if b["sigmaMax"] > card["schedule"]["sigmaMax"]:
        raise SystemExit(f"{card_path}: the chosen sigma_max {b['sigmaMax']:g} is above the card's schedule.sigmaMax "
                         f"{card['schedule']['sigmaMax']:g}, where the engine would cut it: tune within it")
    card["warmStart"] = {**card.get("warmStart", {}), "upsample": b["sigmaMax"]}
    card["taskEtaScale"] = {**card.get("taskEtaScale", {}), "upsample": b["etaScale"]}
    card["upsampleTuned"] = {"by": res["command"], "file": os.path.relpath(os.path.abspath(tune_file), ROOT),
                             "ckpt": res["ckpt"], "sigmaMax": b["sigmaMax"], "etaScale": b["etaScale"],
                             "tuneSetGainDb": round(b["gainDb"], 4),
                             "note": "chosen on held-out recordings and songs, never on shared/eval"}
    save_card(card_path, card)


def to_md(res, command):
    keys = list(res["settings"])
    tune_set = ("pieces composed for a split no training run draws, rendered with the held-out soundfont"
                if res.get("source") == "piano" else
                "real recordings no training split holds, and festival songs from a split no training run draws")
    lines = [f"# 4x upsampling schedule of the {res.get('source', 'voice')} prior, chosen on a tune set", "",
             f"Command: `{command}` (checkpoint `{res['ckpt']}`, {res['samplesSeen'] / 1e6:.0f}M samples in its run). "
             f"Tune set: {tune_set}; "
             "never `shared/eval`. SNR gain over the cubic spline (dB), move a / cosine c of the ascent (see "
             "`reference_sampler.ascent_geometry`).", "",
             f"Excerpts at peak {res.get('peak', 0.9)}. Columns: sigma_max / etaScale (annealed to 0.001 in 4 levels x 20 steps). "
             + (f"Temperature {res['temperature']:g} from the spline plus sigma_max noise, the mean of {res['chains']} chains per clip "
                "(the posterior-mean estimate)." if res.get("temperature", 0) > 0 else "Temperature 0 from the spline (the deterministic ascent)."), "",
             "| clip | kind | " + " | ".join(keys) + " |",
             "|---|---|" + "---|" * len(keys)]
    for i, c in enumerate(res["clips"]):
        cells = [f"{s['rows'][i]['pnf'] - s['rows'][i]['spline']:+.3f} ({s['rows'][i]['moved']:.2f} / {s['rows'][i]['cos_to_truth']:+.2f})"
                 for s in res["settings"].values()]
        first = next(iter(res["settings"].values()))["rows"][i]
        kind = c["kind"] if counts(first) else f"{c['kind']}, left out: spline {first['spline']:.1f} dB (band-limited recording)"
        lines.append(f"| {c['name']} | {kind} | " + " | ".join(cells) + " |")
    left_out = f"clips whose spline is above {MAX_SPLINE_SNR_DB:g} dB left out"
    mean_name = f"mean ({left_out})" if res.get("source") == "piano" else f"weighted mean (speech : singing = 4 : 1; {left_out})"
    lines.append(f"| **{mean_name}** | | " + " | ".join(f"**{s['gainDb']:+.3f}**" for s in res["settings"].values()) + " |")
    if any("gainDbByChains" in s for s in res["settings"].values()):
        lines += ["", "Weighted mean gain of the mean of the first k chains:", "",
                  "| k | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for k in range(res["chains"]):
            lines.append(f"| {k + 1} | " + " | ".join(f"{s['gainDbByChains'][k]:+.3f}" for s in res["settings"].values()) + " |")
        lines.append("| infinitely many (fit of B + V/k, see `many_chains_limit`) | "
                     + " | ".join(f"{many_chains_limit(s['gainDbByChains']):+.3f}" for s in res["settings"].values()) + " |")
    b = res["best"]
    lines += ["", f"Best: sigma {b['sigmaMax']:g} -> 0.001, etaScale {b['etaScale']:g} ({b['gainDb']:+.3f} dB on the tune set)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
