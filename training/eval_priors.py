"""Evaluate the priors: bits/sample vs baselines, 4x upsampling vs spline, PyTorch speed.

  /usr/bin/python3 training/eval_priors.py                    # both priors, writes bench/priors/results.{md,json}
  /usr/bin/python3 training/eval_priors.py --sources piano --quick

Bits/sample = cross-entropy of the clean sample's bin (nearest of the 256 mu-law-spaced centres)
given the noisy history (x + sigma*eps), positions with a full receptive field of history only.
Baselines on exactly the same positions and bins:
  * uniform: 8 bits;
  * LPC order 16: least-squares linear predictor of the clean sample from the 16 previous
    NOISY samples, fitted per window on that window itself (an oracle fit, i.e. a strong
    baseline), Gaussian residual with the window's residual variance, integrated over each
    bin's interval (mixed with 1e-4 of uniform so no bin has zero mass).
Sets: the held-out validation split (renderers never seen in training) and the REAL clips in
../shared/eval (piano prior on piano clips, voice prior on voice clips; each clip resampled
to 16 kHz, peak-normalised to 0.9, first --eval-seconds seconds).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from model import load_prior, quantize, training_totals  # noqa: E402
from reference_sampler import eval_clips, excerpt, load_audio, run_upsample, score  # noqa: E402
from train import Corpus  # noqa: E402

SIGMAS = [0.001, 0.003, 0.01, 0.03, 0.1]
LPC_ORDER = 16


def windows_from_signal(y, rf, length):
    """Cut y into windows of rf + length (overlapping by rf) so every predicted position has full history."""
    out = []
    s = 0
    while s + rf + 256 <= len(y):
        w = y[s: s + rf + length]
        if len(w) < rf + length:
            w = np.pad(w, (0, rf + length - len(w)))
            n_valid = len(y) - s - rf
        else:
            n_valid = length
        out.append((w.astype(np.float32), n_valid))
        s += length
    return out


def bin_edges(bins):
    mids = 0.5 * (bins[1:] + bins[:-1])
    return np.concatenate([[-np.inf], mids, [np.inf]])


def _lpc_design(clean, noisy, idx, order):
    H = np.stack([noisy[idx - k] for k in range(1, order + 1)], 1).astype(np.float64)
    H = np.concatenate([H, np.ones((len(idx), 1))], 1)
    return H, clean[idx].astype(np.float64)


def lpc_fit(clean, noisy, idx, order=LPC_ORDER):
    H, t = _lpc_design(clean, noisy, idx, order)
    coef, *_ = np.linalg.lstsq(H, t, rcond=None)
    return coef, max(float(np.sqrt(np.mean((t - H @ coef) ** 2))), 1e-6)


def lpc_bits(clean, noisy, start, n_valid, edges, order=LPC_ORDER, mode="oracle", fixed=None):
    """Bits/sample of an LPC-16 Gaussian baseline at positions start..start+n_valid (one window).

    mode "oracle": coefficients and residual rms fitted on the evaluated positions themselves;
    "causal": fitted on the window's receptive-field context (the `start` samples before them:
    backward-adaptive, uses the same history the WaveNet sees); "global": `fixed` = (coef, rms)
    fitted once on training data."""
    from scipy.special import ndtr
    idx = np.arange(start, start + n_valid)
    H, t = _lpc_design(clean, noisy, idx, order)
    if mode == "oracle":
        coef, sd = lpc_fit(clean, noisy, idx, order)
    elif mode == "causal":
        coef, sd = lpc_fit(clean, noisy, np.arange(order, start), order)
    else:
        coef, sd = fixed
    pred = H @ coef
    k = np.searchsorted(edges, t, side="right") - 1  # bin index of the clean sample
    k = np.clip(k, 0, len(edges) - 2)
    hi = ndtr((edges[k + 1] - pred) / sd)
    lo = ndtr((edges[k] - pred) / sd)
    p = np.maximum(hi - lo, 0) * (1 - 1e-4) + 1e-4 / (len(edges) - 1)
    return float(-np.sum(np.log2(p))), len(idx)


GLOBAL_LPC = {}


def global_lpc(data_dir, source, sigma, n=48, length=4096, seed=3):
    """LPC-16 fitted once on the TRAINING split at this sigma (a fixed linear-prediction model)."""
    key = (source, sigma)
    if key not in GLOBAL_LPC:
        c = Corpus(data_dir, source, "train")
        rng = np.random.default_rng(seed)
        clean = c.sample(rng, n, length + LPC_ORDER).astype(np.float64).reshape(-1)
        noisy = clean + sigma * rng.standard_normal(clean.shape)
        GLOBAL_LPC[key] = lpc_fit(clean, noisy, np.arange(LPC_ORDER, len(clean)))
    return GLOBAL_LPC[key]


@torch.no_grad()
def bits_on_windows(model, wins, sigmas, seed=0, do_lpc=True, batch=8, data_dir=None, source=None):
    rf = model.cfg.receptive_field
    edges = bin_edges(model.bins.numpy().astype(np.float64))
    out = {}
    for s in sigmas:
        g = torch.Generator().manual_seed(seed)
        tot, cnt, ltot, lcnt = 0.0, 0, 0.0, 0
        ctot, gtot = 0.0, 0.0
        fixed = global_lpc(data_dir, source, s) if (do_lpc and data_dir) else None
        for i in range(0, len(wins), batch):
            chunk = wins[i:i + batch]
            clean = torch.from_numpy(np.stack([w for w, _ in chunk]))
            noise = torch.randn(clean.shape, generator=g)
            x = clean + s * noise
            logits = model(x, torch.full((clean.shape[0],), s))
            tgt = quantize(clean, model.bins)
            ce = F.cross_entropy(logits.transpose(1, 2), tgt, reduction="none") / math.log(2)  # [B,T]
            for b, (_, nv) in enumerate(chunk):
                tot += ce[b, rf: rf + nv].sum().item()
                cnt += nv
                if do_lpc:
                    cb, xb = clean[b].numpy(), x[b].numpy()
                    lb, ln = lpc_bits(cb, xb, rf, nv, edges)
                    ltot += lb
                    lcnt += ln
                    ctot += lpc_bits(cb, xb, rf, nv, edges, mode="causal")[0]
                    if fixed is not None:
                        gtot += lpc_bits(cb, xb, rf, nv, edges, mode="global", fixed=fixed)[0]
        out[f"{s:g}"] = {"wavenet": round(tot / cnt, 4), "lpc16": round(ltot / max(1, lcnt), 4) if do_lpc else None,
                         "lpc16Causal": round(ctot / max(1, lcnt), 4) if do_lpc else None,
                         "lpc16Global": round(gtot / max(1, lcnt), 4) if fixed is not None else None,
                         "uniform": 8.0, "positions": cnt}
    return out


def val_windows(data_dir, source, rf, n=32, length=4096, seed=7):
    c = Corpus(data_dir, source, "val")
    rng = np.random.default_rng(seed)
    arr = c.sample(rng, n, rf + length)
    return [(a, length) for a in arr]


def real_windows(source, rf, seconds, length=4096, peak=0.9):
    per_clip = {}
    for p in eval_clips(source):
        y = load_audio(p)
        if seconds > 0:
            y = y[: int(seconds * 16000)]
        y = y / (np.abs(y).max() + 1e-9) * peak
        per_clip[os.path.basename(p)] = windows_from_signal(y, rf, length)
    return per_clip


def speed(model, threads=2, B=8, T=4000, reps=3):
    torch.set_num_threads(threads)
    x = torch.randn(B, T) * 0.1
    score(model, x, 0.01)
    t0 = time.time()
    for _ in range(reps):
        score(model, x, 0.01)
    return B * T * reps / (time.time() - t0)


class _A:  # sampler settings holder
    pass


def evaluate(source, ckpt, data_dir, args):
    model, ck = load_prior(ckpt)
    for p in model.parameters():
        p.requires_grad_(False)
    rf = model.cfg.receptive_field
    st = ck.get("state", {})
    t0 = time.time()
    sig = SIGMAS if not args.quick else [0.001, 0.01, 0.1]
    val = bits_on_windows(model, val_windows(data_dir, source, rf, n=8 if args.quick else 32), sig,
                          data_dir=data_dir, source=source)
    real = {}
    real_sig = [0.001, 0.01, 0.1]
    keys = ["wavenet", "lpc16", "lpc16Causal", "lpc16Global"]
    agg = {f"{s:g}": {k: 0.0 for k in keys + ["n"]} for s in real_sig}
    for name, wins in real_windows(source, rf, args.eval_seconds).items():
        r = bits_on_windows(model, wins, real_sig, data_dir=data_dir, source=source)
        real[name] = {k: {kk: v[kk] for kk in keys} for k, v in r.items()}
        for k, v in r.items():
            for kk in keys:
                agg[k][kk] += v[kk] * v["positions"]
            agg[k]["n"] += v["positions"]
    real_mean = {k: {kk: round(a[kk] / a["n"], 4) for kk in keys} for k, a in agg.items() if a["n"]}
    totals = training_totals(st)
    res = {
        "source": source, "ckpt": os.path.relpath(ckpt, ROOT), "samplesSeen": totals["samples_seen"],
        "steps": totals["steps"], "trainWallSeconds": round(totals["wall"], 1),
        **({"fineTunedFrom": st["before"]["lineage"], "augment": st.get("augment", [])} if st.get("before") else {}),
        "params": model.n_params(), "flopsPerSample": model.flops_per_sample(), "receptiveField": rf,
        "validation": {
            "bitsPerSample": {k: v["wavenet"] for k, v in val.items()},
            "baselines": {"uniform": 8.0, "lpc16": {k: v["lpc16"] for k, v in val.items()},
                          "lpc16Causal": {k: v["lpc16Causal"] for k, v in val.items()},
                          "lpc16Global": {k: v["lpc16Global"] for k, v in val.items()},
                          "lpcNote": "lpc16 = per-window oracle fit on the evaluated samples (strongest); lpc16Causal = "
                                     "fitted on the receptive-field history before them; lpc16Global = one fit on the training split"},
            "set": "held-out renderers (val split of make_data.py), full-context positions",
            "evalClips": {"bitsPerSample": {k: v["wavenet"] for k, v in real_mean.items()},
                          "lpc16": {k: v["lpc16"] for k, v in real_mean.items()},
                          "lpc16Causal": {k: v["lpc16Causal"] for k, v in real_mean.items()},
                          "lpc16Global": {k: v["lpc16Global"] for k, v in real_mean.items()},
                          "perClip": real, "seconds": args.eval_seconds, "peak": 0.9},
        },
    }
    if not args.no_upsample:
        sa = _A()
        sa.sigma_max, sa.sigma_min, sa.levels, sa.steps, sa.eta_scale, sa.seed = (
            args.sigma_max, args.sigma_min, args.levels, args.steps, args.eta_scale, 0)
        sa.temperature, sa.chains, sa.clips = args.temperature, args.chains, None
        sa.no_init_noise = args.no_init_noise
        torch.set_num_threads(args.threads)
        print(f"[eval] {source}: 4x upsampling on real clips", flush=True)
        res["upsample4x"] = run_upsample(model, source, args.up_seconds, sa)
        res["validation"]["evalClips"]["upsample4xSNR"] = res["upsample4x"]["mean"]
    if not args.no_speed:
        res["pytorchSamplesPerSec2Threads"] = round(speed(model, 2))
    res["evalWallSeconds"] = round(time.time() - t0, 1)
    return res


HDR = ("| sigma | WaveNet | LPC-16 fitted on training data | LPC-16 causal-adaptive (fit on the 1,027-sample history) "
       "| LPC-16 oracle (fit on the evaluated window) | uniform |")


def to_md(allres):
    L = ["# Priors: results", "", "Produced by `/usr/bin/python3 training/eval_priors.py` (see training/README.md).", "",
         "Bits/sample: cross-entropy of the clean sample's bin (256 mu-law-spaced centres, linear amplitude) given the "
         "noisy history x + sigma*eps, on positions with a full receptive field. Baselines on the same positions and bins: "
         "uniform (8 bits) and three LPC-16 models with a Gaussian residual (least squares on the noisy history): fitted "
         "once on the training data (a fixed model), fitted causally on the history each prediction sees "
         "(backward-adaptive), and fitted on the evaluated window itself (an oracle: coefficients and residual variance "
         "chosen with knowledge of the answers).", ""]
    for src, r in allres.items():
        v = r["validation"]
        L += [f"## {src}", "",
              f"checkpoint `{r['ckpt']}`: {r['samplesSeen'] / 1e6:.0f}M samples seen, {r['steps']} steps, "
              f"{r['trainWallSeconds'] / 3600:.2f} h training; params {r['params']}, forward FLOPs/sample "
              f"{r['flopsPerSample']['forward']}, score graph FLOPs/sample {r['flopsPerSample']['scoreGraph']}, receptive field {r['receptiveField']}."
              + (f" Totals over its lineage: fine-tuned (augment: {', '.join(r.get('augment') or []) or 'none'}) from "
                 f"{' -> '.join(r['fineTunedFrom'])}." if r.get("fineTunedFrom") else ""), "",
              "Held-out validation (renderers never seen in training), bits/sample:", "",
              HDR, "|---|---|---|---|---|---|"]
        bl = v["baselines"]
        for k, b in v["bitsPerSample"].items():
            L.append(f"| {k} | {b:.3f} | {bl['lpc16Global'][k]:.3f} | {bl['lpc16Causal'][k]:.3f} | {bl['lpc16'][k]:.3f} | 8 |")
        ec = v["evalClips"]
        L += ["", f"Real recordings (`shared/eval/{src}`, first {ec['seconds']} s of each clip, peak 0.9), bits/sample:", "",
              HDR, "|---|---|---|---|---|---|"]
        for k, b in ec["bitsPerSample"].items():
            L.append(f"| {k} | {b:.3f} | {ec['lpc16Global'][k]:.3f} | {ec['lpc16Causal'][k]:.3f} | {ec['lpc16'][k]:.3f} | 8 |")
        L += ["", "Per clip at sigma 0.001 (WaveNet / LPC-16 trained / causal / oracle): " + ", ".join(
            f"{n}: {c['0.001']['wavenet']:.2f} / {c['0.001']['lpc16Global']:.2f} / {c['0.001']['lpc16Causal']:.2f} / {c['0.001']['lpc16']:.2f}"
            for n, c in ec["perClip"].items())]
        if "upsample4x" in r:
            u = r["upsample4x"]
            s = u["settings"]
            L += ["", f"4x super-resolution (keep every 4th sample, warm start from cubic spline, {schedule_words(s)}, "
                      f"{s['seconds']} s loudest excerpt per clip), SNR dB:", "",
                  ] + snr_table(u)
            m = u["mean"]
            best = max(m["pnf"], m["pnf_denoised"])
            L += ["", upsample_verdict(best, m["spline"])]
            if "logp_truth" in m:
                L += ["", f"Why, in one number: the prior's mean log density (nats/sample, sigma {s['sigmaMin']}) of the TRUE "
                          f"signal is {m['logp_truth']:.3f} and of the cubic spline {m['logp_spline']:.3f}; per clip (truth / spline): "
                          + ", ".join(f"{n}: {c['logp_truth']:.2f} / {c['logp_spline']:.2f}" for n, c in u["clips"].items())
                          + ". Gradient steps move towards what the prior rates higher, so while it rates the smoother spline "
                            "above the truth, the low-noise (MAP-like) settings used here cannot beat the spline; a strong prior "
                            "would rate the truth higher or at least concentrate its posterior around it (`logpTruthMinusSpline` "
                            "in the learning curve tracks this per checkpoint)."]
            if "cos_to_truth" in m:
                L += ["", f"Where the ascent went: from the spline it moved {m['moved']:.3f} of the distance to the truth, at a cosine "
                          f"of {m['cos_to_truth']:+.3f} with the way there (mean over clips; per clip: "
                          + ", ".join(f"{n}: {c['moved']:.3f} at {c['cos_to_truth']:+.3f}" for n, c in u["clips"].items())
                          + "). A move of a at cosine c changes the error by -10 log10(1 - 2ac + a^2) dB: at best (a = c) "
                            "4.3 c^2 dB, so beating the spline by 0.1 dB takes a cosine of about 0.15."]
        if "upsample4xTuned" in r:
            u = r["upsample4xTuned"]
            st = u["settings"]
            m = u["mean"]
            L += ["", f"The same with the schedule chosen for this checkpoint on held-out audio, never on these clips "
                      f"(`bench/priors/tune-upsampling-{src}.md`, `training/tune_upsampling.py`): {schedule_words(st)}, SNR dB:", "",
                  ] + snr_table(u) + ["", upsample_verdict(max(m["pnf"], m["pnf_denoised"]), m["spline"])
                                      + f" (moved {m['moved']:.3f} at a cosine of {m['cos_to_truth']:+.3f})"]
        if "upsample4xPaperStyle" in r:
            u = r["upsample4xPaperStyle"]
            st = u["settings"]
            L += ["", f"Paper-style sampler for the record (initial noise sigma_max = {st['sigmaMax']}, temperature "
                      f"{st.get('temperature', 1.0)}, {st['levels']} x {st['stepsPerLevel']} steps, {st['seconds']} s excerpts), SNR dB:", "",
                  ] + snr_table(u)
        if "pytorchSamplesPerSec2Threads" in r:
            L += ["", f"Score throughput, PyTorch autograd (logp + grad, B=8 x T=4000, 2 threads, measured after training on a "
                      f"machine shared with other jobs): {r['pytorchSamplesPerSec2Threads']} samples/s. ONNX Runtime: the "
                      f"TypeScript side measures it; `node bench/priors/ort_check.cjs` (same weights, same B and T) gives "
                      f"`bench/priors/ort_check.txt`."]
        L.append("")
    L += learning_curve_md()
    return "\n".join(L)


def schedule_words(s):
    """An upsampling run's schedule in words, from its `settings`."""
    return (f"{s['levels']} levels x {s['stepsPerLevel']} steps, sigma {s['sigmaMax']} -> {s['sigmaMin']}, "
            f"eta = {s['etaScale']} sigma^2, temperature {s.get('temperature', 1.0)}, initial noise {s.get('initNoise', True)}")


def snr_table(u):
    """Markdown rows of an upsampling result: per clip and mean SNR (spline / PnF / PnF + denoise)."""
    rows = ["| clip | cubic spline | PnF | PnF + final denoise |", "|---|---|---|---|"]
    rows += [f"| {n} | {c['spline']:.2f} | {c['pnf']:.2f} | {c['pnf_denoised']:.2f} |" for n, c in u["clips"].items()]
    m = u["mean"]
    return rows + [f"| **mean** | {m['spline']:.2f} | {m['pnf']:.2f} | {m['pnf_denoised']:.2f} |"]


def learning_curve_md():
    import csv
    L = ["## Learning curves", "",
         "Validation bits/sample at sigma 0.001 (held-out renderers, EMA weights) against training samples seen, "
         "from `bench/priors/<source>_curve.csv` (written by train.py):", ""]
    for src in ["piano", "voice"]:
        p = os.path.join(ROOT, "bench", "priors", f"{src}_curve.csv")
        if not os.path.exists(p):
            continue
        rows = list(csv.DictReader(open(p)))
        pts = ", ".join(f"{float(r['samples_seen']) / 1e6:.0f}M: {float(r['val_bits_s0.001']):.2f}" for r in rows)
        L.append(f"* {src}: {pts}")
    cp = os.path.join(ROOT, "bench", "priors", "learning_curve.json")
    if os.path.exists(cp):
        L += ["", "Evaluated checkpoints (eval_priors.py runs): samples seen -> held-out bits, real-clip bits "
                  "(LPC-16 on the same clips), 4x upsampling mean SNR (spline / PnF / PnF + denoise):", "",
              "| source | samples | held-out bits | real-clip bits (LPC-16 oracle) | 4x SNR spline / PnF / PnF+denoise | log p truth - spline (nats/sample) | settings |",
              "|---|---|---|---|---|---|---|"]
        for r in json.load(open(cp)):
            u = r.get("upsample4xMean") or {}
            st = r.get("upsampleSettings") or {}
            ups = f"{u['spline']:.2f} / {u['pnf']:.2f} / {u['pnf_denoised']:.2f}" if u else "-"
            sets = (f"{st.get('seconds')} s, {st.get('levels')}x{st.get('stepsPerLevel')}, "
                    f"{st.get('sigmaMax')}->{st.get('sigmaMin')}, eta {st.get('etaScale')}, "
                    f"temperature {st.get('temperature', 1.0)}, init noise {st.get('initNoise', True)}, "
                    f"density {st.get('density', 'N(e_k, sigma^2) (the comb, before session 3)')}") if st else "-"
            if r.get("upsample4xPaperStyleMean"):
                pm = r["upsample4xPaperStyleMean"]
                sets += f"; paper-style (temperature 1, init noise): {pm['pnf']:.2f} / {pm['pnf_denoised']:.2f}"
            gap = r.get("logpTruthMinusSpline")
            L.append(f"| {r['source']} | {r['samplesSeen'] / 1e6:.0f}M | {r['valBits0.001']} | "
                     f"{r['evalClipBits0.001']} ({r['lpc16EvalClipBits0.001']}) | {ups} | {'-' if gap is None else gap} | {sets} |")
    L.append("")
    return L


# A mean margin below this is a tie, not a win: moving the start sigma or the excerpt length alone moves
# single clips by +-0.3 dB (training/README.md, "Sampler settings for upsampling").
MEANINGFUL_DB = 0.1


def upsample_verdict(pnf, spline):
    d = pnf - spline
    if d >= MEANINGFUL_DB:
        return f"PnF BEATS cubic spline on the mean by {d:.2f} dB ({pnf:.2f} vs {spline:.2f})."
    if d > -MEANINGFUL_DB:
        return (f"PnF is LEVEL with cubic spline on the mean ({pnf:.3f} vs {spline:.3f} dB, {d:+.3f}): within "
                f"{MEANINGFUL_DB} dB, not a meaningful win. The prior adds next to nothing to the spline yet.")
    return f"PnF does NOT beat cubic spline on the mean ({pnf:.2f} vs {spline:.2f} dB): the prior is too weak yet."


def logp_gap(mean):
    """Prior log p of the truth minus that of the spline (nats/sample), or None when not measured."""
    return round(mean["logp_truth"] - mean["logp_spline"], 4) if mean and "logp_truth" in mean else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", nargs="+", default=["piano", "voice"])
    ap.add_argument("--ckpt-dir", default=os.path.join(HERE, ".runs"))
    ap.add_argument("--data-dir", default=os.path.join(HERE, ".data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "priors", "results"))
    ap.add_argument("--eval-seconds", type=float, default=8.0)
    ap.add_argument("--up-seconds", type=float, default=2.0)
    ap.add_argument("--sigma-max", type=float, default=0.005)
    ap.add_argument("--sigma-min", type=float, default=0.001)
    ap.add_argument("--levels", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--eta-scale", type=float, default=0.05)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--chains", type=int, default=1)
    ap.add_argument("--no-init-noise", action="store_true")
    ap.add_argument("--merge", nargs="*", default=None, help="merge these results .json files into --out and rewrite the .md")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-upsample", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    allres = {}
    if os.path.exists(a.out + ".json"):
        allres = json.load(open(a.out + ".json"))
    if a.merge is not None:
        for p in a.merge:
            allres.update(json.load(open(p)))
        with open(a.out + ".json", "w") as f:
            json.dump(allres, f, indent=1)
        with open(a.out + ".md", "w") as f:
            f.write(to_md(allres))
        print(to_md(allres))
        return
    for s in a.sources:
        allres[s] = evaluate(s, os.path.join(a.ckpt_dir, s, "ckpt.pt"), a.data_dir, a)
        print(json.dumps({k: v for k, v in allres[s].items() if k != "upsample4x"}, indent=1)[:3000], flush=True)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    # learning curve: one row per evaluated checkpoint (samples seen -> bits and 4x SNR)
    cpath = os.path.join(os.path.dirname(a.out), "learning_curve.json")
    curve = json.load(open(cpath)) if os.path.exists(cpath) else []
    for s in a.sources:
        r = allres[s]
        v = r["validation"]
        curve.append({"source": s, "samplesSeen": r["samplesSeen"], "trainWallSeconds": r["trainWallSeconds"],
                      "valBits0.001": v["bitsPerSample"].get("0.001"), "evalClipBits0.001": v["evalClips"]["bitsPerSample"].get("0.001"),
                      "lpc16EvalClipBits0.001": v["evalClips"]["lpc16"].get("0.001"),
                      "upsample4xMean": r.get("upsample4x", {}).get("mean"),
                      "logpTruthMinusSpline": logp_gap(r.get("upsample4x", {}).get("mean")),
                      "upsampleSettings": r.get("upsample4x", {}).get("settings"),
                      "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    with open(cpath, "w") as f:
        json.dump(curve, f, indent=1)
    with open(a.out + ".json", "w") as f:
        json.dump(allres, f, indent=1)
    with open(a.out + ".md", "w") as f:
        f.write(to_md(allres))
    print(to_md(allres))


if __name__ == "__main__":
    main()
