"""Reference annealed Langevin sampler (PyTorch autograd), following the PnF authors' algorithm.

    x <- x + eta * d/dx [log p_sigma(x) + log p(y|x)] + sqrt(2 eta) z,   eta = etaScale * sigma^2
    (observed samples masked: they are kept fixed; geometric sigma schedule, T steps per level)

This is the speed/quality reference for the TypeScript engine (same weights, same math).

CLI: 4x super-resolution of the real clips in ../shared/eval (paper-style decimation: keep
every 4th sample of the 16 kHz signal fixed, warm start from the cubic spline through them),
prints SNR of PnF vs cubic spline per clip:

  /usr/bin/python3 training/reference_sampler.py upsample --ckpt training/.runs/piano/ckpt.pt \
      --clips ../shared/eval/piano --seconds 2 --levels 4 --steps 20 --sigma-max 0.005 --sigma-min 0.001
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from model import load_prior, smoothed_logp  # noqa: E402

SR = 16000
# which smoothed density the sampler differentiates (model.smoothed_logp); recorded with every result
DENSITY = "bins spread over their cells: N(e_k, sigma^2 + (w_k/2)^2)"


# ----------------------------------------------------------------------------------
# audio I/O
# ----------------------------------------------------------------------------------
def load_audio(path, sr=SR):
    """Decode wav/flac/ogg with soundfile (mp3 through ffmpeg), mono, resampled to sr (float32)."""
    from scipy.signal import resample_poly
    y, fs = None, None
    try:
        import soundfile as sf
        y, fs = sf.read(path, dtype="float32", always_2d=True)
        y = y.mean(axis=1)
    except Exception:
        out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-ac", "1", "-ar", str(sr), "-"],
                             check=True, capture_output=True).stdout
        return np.frombuffer(out, dtype=np.float32).copy()
    if fs != sr:
        g = math.gcd(int(fs), sr)
        y = resample_poly(y.astype(np.float64), sr // g, int(fs) // g).astype(np.float32)
    return y


def eval_clips(kind):
    d = os.path.join(ROOT, "..", "shared", "eval", kind)
    if not os.path.isdir(d):
        d = os.path.join("/work/shared/eval", kind)
    return sorted(p for p in glob.glob(os.path.join(d, "*")) if p.split(".")[-1] in ("wav", "flac", "mp3", "ogg"))


def excerpt(y, seconds, sr=SR):
    """Deterministic excerpt: the `seconds` window with the most energy (whole clip if shorter)."""
    n = int(seconds * sr)
    if seconds <= 0 or len(y) <= n:
        return y
    hop = sr // 10
    e = np.convolve(y.astype(np.float64) ** 2, np.ones(n), mode="valid")[::hop]
    s = int(np.argmax(e)) * hop
    return y[s:s + n]


def at_peak(y, peak=0.9):
    """y scaled to the given peak, float32 (the evaluation's normalisation)."""
    return (y / (np.abs(y).max() + 1e-9) * peak).astype(np.float32)


def clip_kind(ckpt_path, ck, kind=None):
    """Which eval clips a checkpoint is measured on: `kind` if given, else the model's source."""
    return kind or ck.get("state", {}).get("source") or ("voice" if "voice" in ckpt_path else "piano")


def snr_db(ref, est):
    return float(10 * np.log10(np.sum(ref ** 2) / max(1e-20, np.sum((ref - est) ** 2))))


# ----------------------------------------------------------------------------------
# score and sampler
# ----------------------------------------------------------------------------------
# Positions per piece when scoring a long input (a whole clip): exact, and faster than one piece.
SCORE_WINDOW = 32768


def score(model, x, sigma, window=SCORE_WINDOW):
    """logp [B,T] and grad = d sum(logp)/dx by autograd.

    A long input goes in pieces of `window` positions, each with the receptive field of context on
    both sides: logp[t] depends on x[t - rf .. t] and grad[s] on logp[s .. s + rf], so every piece's
    own positions come out as from the whole input, to float rounding (a test checks it). One piece
    of a whole 20 s clip (320k positions) runs about 1.5x slower per sample: its activations do not
    stay in cache."""
    T = x.shape[-1]
    rf = model.cfg.receptive_field + 1
    if not window or T <= window + 2 * rf:
        return _score_piece(model, x, sigma)
    lps, gs = [], []
    for a in range(0, T, window):
        b = min(T, a + window)
        a0, b1 = max(0, a - rf), min(T, b + rf)
        lp, g = _score_piece(model, x[:, a0:b1], sigma)
        lps.append(lp[:, a - a0:b - a0])
        gs.append(g[:, a - a0:b - a0])
    return torch.cat(lps, 1), torch.cat(gs, 1)


def _score_piece(model, x, sigma):
    x = x.detach().requires_grad_(True)
    s = torch.full((x.shape[0],), float(sigma), dtype=x.dtype)
    lp = smoothed_logp(model(x, s), x, s, model.bins)
    (g,) = torch.autograd.grad(lp.sum(), x)
    return lp.detach(), g.detach()


def geometric(sigma_max, sigma_min, levels):
    if levels == 1:
        return [sigma_min]
    r = (sigma_min / sigma_max) ** (1.0 / (levels - 1))
    return [sigma_max * r ** i for i in range(levels)]


@torch.no_grad()
def langevin(model, x0, known_mask, known_values, sigmas, steps, eta_scale=0.05, seed=0, init_noise=True,
             denoise=True, obs_grad=None, callback=None, temperature=1.0, step_weights=None, step_filter=None):
    """Annealed Langevin with fixed (masked) observed samples.

    x0: [B,T] initial estimate; known_mask: [B,T] 1 where the sample is observed (kept fixed);
    obs_grad(x, sigma) -> extra gradient of log p(y|x) (e.g. separation), optional.
    step_weights: [B,T] in (0, 1], optional: a diagonal preconditioner M, each step
    x += eta M grad + sqrt(2 eta T M) noise (e.g. level_weights: quiet passages move less).
    step_filter: 1-D odd-length FIR kernel, optional (e.g. fold_band): each step's weighted gradient is
    filtered by it (then masked again), so the ascent moves only the band it passes. Only for the
    deterministic ascent (temperature 0, no initial noise): a filtered step has no matching noise here.
    Returns the final x (and, if denoise, one Tweedie step x + sigma_min^2 * grad on unknowns).
    """
    if step_filter is not None and (temperature > 0 or init_noise):
        raise ValueError("step_filter is for the deterministic ascent only (temperature 0, init_noise=False)")
    g = torch.Generator().manual_seed(seed)
    free = 1.0 - known_mask
    step = free if step_weights is None else free * step_weights
    x = x0.clone()
    if init_noise:  # (with step weights, noise the weighted steps can take away again: sqrt(w) as large)
        x = x + torch.sqrt(step) * sigmas[0] * torch.randn(x.shape, generator=g)
    x = x * free + known_values * known_mask
    for li, s in enumerate(sigmas):
        eta = eta_scale * s * s
        for it in range(steps):
            with torch.enable_grad():
                _, gr = score(model, x, s)
            if obs_grad is not None:
                gr = gr + obs_grad(x, s)
            if step_filter is not None:
                x = x + free * eta * fir_same(step * gr, step_filter)
            else:
                x = x + step * eta * gr + torch.sqrt(2 * eta * temperature * step) * torch.randn(x.shape, generator=g)
            if callback:
                callback(li, it, x)
    if denoise:
        s = sigmas[-1]
        with torch.enable_grad():
            _, gr = score(model, x, s)
        x = x + free * (s * s) * gr
    return x


def spline_through_every(y, k):
    """The cubic spline through every k-th sample of y (from the first) and the mask of those samples."""
    from scipy.interpolate import CubicSpline
    T = len(y)
    idx = np.arange(0, T, k)
    mask = np.zeros(T, np.float32)
    mask[idx] = 1
    return CubicSpline(idx, y[idx])(np.arange(T)).astype(np.float32), mask


def level_weights(y, power=1.0, window=800):
    """Per-sample step weights from a signal's own level: its RMS in a Hann window of `window` samples
    (50 ms at 16 kHz) around each sample, over the loudest such RMS, to the `power`; at least 1e-3.
    With them the ascent moves each passage in proportion to its level (power 1), as an error of the
    spline there is in proportion to it: a fixed step moves quiet passages as far as loud ones (the
    score is no smaller there), and so moves them mostly the wrong way."""
    from scipy.signal import fftconvolve
    w = np.hanning(window + 2)[1:-1]
    lev = np.sqrt(np.maximum(fftconvolve(np.asarray(y, np.float64) ** 2, w / w.sum(), mode="same"), 0.0))
    lev = lev / max(float(lev.max()), 1e-12)
    return np.maximum(lev ** power, 1e-3).astype(np.float32)


def band_fir(lo, hi, taps):
    """A Hann-windowed ideal band-pass FIR from lo to hi (cycles per sample), `taps` (odd) long."""
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * hi * np.sinc(2 * hi * n) - 2 * lo * np.sinc(2 * lo * n)
    return (h * np.hanning(taps + 2)[1:-1]).astype(np.float32)


def fold_band(factor):
    """The FIR band-pass around the fold of a factor-x decimation (the low rate's Nyquist, 1 / (2 factor) of
    the full rate): band_fir from 0.625 to 1.375 times the fold, 16 factor + 1 taps (4x at 16 kHz: 65 taps,
    half gain at 1250 and 2750 Hz, under 0.1 below 1 kHz and above 3 kHz). The cubic spline's error sits
    around the fold, while the prior's score also points elsewhere, mostly the wrong way (session 21:
    training/aim_by_fold.py)."""
    fold = 1.0 / (2 * factor)  # cycles per sample
    return band_fir(0.625 * fold, 1.375 * fold, 16 * factor + 1)


def fir_same(x, h):
    """[B,T] tensor x filtered by the odd-length FIR h (numpy, symmetric), zero-padded, same length."""
    k = torch.as_tensor(np.asarray(h, np.float32)).flip(0)[None, None]
    return torch.nn.functional.conv1d(x[:, None], k, padding=(len(h) - 1) // 2)[:, 0]


def upsample4(model, y, factor=4, sigma_max=0.005, sigma_min=0.001, levels=4, steps=20, eta_scale=0.05, seed=0,
              temperature=1.0, chains=1, init_noise=True, level_power=0.0, fold=False):
    """Paper-style k x super-resolution of a clean 16 kHz clip y (numpy). Returns dict of results.

    chains > 1: that many independent chains (seeds seed, seed+1, ...), one after another (a batch
    of 1 s clips runs about 3x slower per clip on this CPU), and their mean is the estimate: with
    temperature 1 each chain is a posterior sample, so the mean estimates the posterior mean, the
    estimate with the least expected squared error (the best SNR) under the prior.
    `pnf_by_chains[j]` is the SNR of the mean of the first j+1 chains."""
    T = len(y)
    spline, mask = spline_through_every(y, factor)
    sig = geometric(sigma_max, sigma_min, levels)
    t0 = time.time()
    m, known = torch.from_numpy(mask)[None], torch.from_numpy(y.astype(np.float32))[None]
    # step weights from the spline's level (observed samples only: blind to the truth)
    weights = torch.from_numpy(level_weights(spline, level_power))[None] if level_power > 0 else None
    step_filter = fold_band(factor) if fold else None
    total, total_d, by_chains = np.zeros(T), np.zeros(T), []
    for c in range(chains):
        x = langevin(model, torch.from_numpy(spline)[None], m, known, sig, steps, eta_scale, seed=seed + c, denoise=False,
                     temperature=temperature, init_noise=init_noise, step_weights=weights, step_filter=step_filter)
        with torch.enable_grad():
            _, gr = score(model, x, sig[-1])
        total += x[0].numpy()
        total_d += (x + (1 - m) * sig[-1] ** 2 * gr)[0].numpy()
        by_chains.append(snr_db(y, (total / (c + 1)).astype(np.float32)))
    wall = time.time() - t0
    out, outd = (total / chains).astype(np.float32), (total_d / chains).astype(np.float32)
    return {"spline": snr_db(y, spline), "pnf": snr_db(y, out), "pnf_denoised": snr_db(y, outd),
            "logp_truth": mean_logp(model, y, sigma_min), "logp_spline": mean_logp(model, spline, sigma_min),
            **ascent_geometry(y, spline, out), "pnf_by_chains": by_chains,
            "wall_s": round(wall, 1), "steps": levels * steps, "samples": T}


def self_check(model, y, factor=4, sigma_max=0.05, sigma_min=0.001, levels=4, steps=20, eta_scale=1.0):
    """Does a long ascent help on THIS clip? Judged blind, from the observed samples only: keep every
    (2 factor)-th sample, run the ascent on that (2 factor)x problem from its spline, and compare
    ascent and spline on the observed samples halfway between (known in the real factor-x problem,
    hidden here). Returns the SNR gain (dB) there; no sample of the full-rate truth is used."""
    T = len(y)
    k = 2 * factor
    spline, mask = spline_through_every(y, k)
    x = langevin(model, torch.from_numpy(spline)[None], torch.from_numpy(mask)[None], torch.from_numpy(y.astype(np.float32))[None],
                 geometric(sigma_max, sigma_min, levels), steps, eta_scale, denoise=False, temperature=0.0, init_noise=False)[0].numpy()
    held = np.arange(factor, T, k)  # observed in the factor-x problem, hidden in this one
    return snr_db(y[held], x[held]) - snr_db(y[held], spline[held])


def cosine(a, b):
    """The cosine of two signals, in float64 (0 when either is all zeros)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def score_at_spline(model, y, sigma, factor=4):
    """The ascent's first direction for factor-x upsampling of y: the score at the cubic spline through every
    factor-th sample, on the interpolated samples only. Returns (spline, that score, y - spline), float64."""
    spline, mask = spline_through_every(y, factor)
    with torch.enable_grad():
        _, g = score(model, torch.from_numpy(spline)[None], sigma)
    return spline, g[0].numpy().astype(np.float64) * (1 - mask), (y - spline).astype(np.float64)


def ascent_geometry(truth, start, end):
    """Where the ascent went from its start: how far (relative to the distance to the truth) and
    how well aimed (cosine with truth - start). The SNR gain is -10 log10(1 - 2 a c + a^2) dB for
    distance a and cosine c: at best (a = c) about 4.3 c^2 dB, so +0.1 dB needs c of about 0.15."""
    r = (truth - start).astype(np.float64)
    d = (end - start).astype(np.float64)
    nr = np.linalg.norm(r)
    return {"moved": float(np.linalg.norm(d) / nr) if nr > 0 else 0.0, "cos_to_truth": cosine(d, r)}


@torch.no_grad()
def mean_logp(model, y, sigma):
    """Mean smoothed log density (nats/sample) of a 1-D signal at sigma, over positions with a full
    receptive field. Comparing the truth with the spline is a diagnostic: gradient steps move towards
    what the prior rates higher, so while it rates the (smoother) spline above the true signal, low-noise
    (MAP-like) sampling drifts away from the truth."""
    x = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32))[None]
    s = torch.full((1,), float(sigma))
    lp = smoothed_logp(model(x, s), x, s, model.bins)[0]
    rf = model.cfg.receptive_field
    return float(lp[rf:].mean()) if len(lp) > rf else float(lp[1:].mean())


def run_upsample(model, kind, seconds, args, peak=0.9, verbose=True):
    rows = {}
    only = getattr(args, "clips", None)
    for p in eval_clips(kind):
        if only and os.path.basename(p) not in only:
            continue
        y = at_peak(excerpt(load_audio(p), seconds), peak)
        r = upsample4(model, y, 4, args.sigma_max, args.sigma_min, args.levels, args.steps, args.eta_scale, args.seed,
                      getattr(args, "temperature", 1.0), getattr(args, "chains", 1), not getattr(args, "no_init_noise", False),
                      getattr(args, "level_power", 0.0), getattr(args, "fold_band", False))
        rows[os.path.basename(p)] = r
        if verbose:
            print(f"  {os.path.basename(p):40s} spline {r['spline']:6.2f} dB   pnf {r['pnf']:6.2f} dB   "
                  f"pnf+denoise {r['pnf_denoised']:6.2f} dB   moved {r['moved']:.3f} at cos {r['cos_to_truth']:+.3f}   ({r['wall_s']} s)", flush=True)
    mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in ("spline", "pnf", "pnf_denoised", "logp_truth", "logp_spline", "moved", "cos_to_truth")}
    if verbose:
        print(f"  {'MEAN':40s} spline {mean['spline']:6.2f} dB   pnf {mean['pnf']:6.2f} dB   pnf+denoise {mean['pnf_denoised']:6.2f} dB")
        print(f"  prior log p (nats/sample at sigma {args.sigma_min}): truth {mean['logp_truth']:.3f}, spline {mean['logp_spline']:.3f} "
              f"-> the prior prefers the {'TRUTH' if mean['logp_truth'] > mean['logp_spline'] else 'SPLINE'}")
    return {"clips": rows, "mean": mean, "scoreWindow": SCORE_WINDOW,
            "settings": {"factor": 4, "seconds": seconds, "peak": peak, "sigmaMax": args.sigma_max, "sigmaMin": args.sigma_min,
                         "levels": args.levels, "stepsPerLevel": args.steps, "etaScale": args.eta_scale, "seed": args.seed,
                         "temperature": getattr(args, "temperature", 1.0), "chains": getattr(args, "chains", 1),
                         "initNoise": not getattr(args, "no_init_noise", False), "density": DENSITY,
                         **({"levelPower": args.level_power} if getattr(args, "level_power", 0.0) > 0 else {}),
                         **({"foldBand": True} if getattr(args, "fold_band", False) else {})}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["upsample", "speed"])
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--kind", choices=["piano", "voice"], default=None, help="eval clip folder (default: model's source)")
    ap.add_argument("--seconds", type=float, default=2.0, help="excerpt length per clip (0 = whole clip)")
    ap.add_argument("--sigma-max", type=float, default=0.005)
    ap.add_argument("--sigma-min", type=float, default=0.001)
    ap.add_argument("--levels", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--eta-scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--temperature", type=float, default=1.0, help="noise scale^2 of the Langevin steps (1 = posterior sampling)")
    ap.add_argument("--chains", type=int, default=1, help="independent chains averaged (posterior-mean estimate)")
    ap.add_argument("--no-init-noise", action="store_true", help="start exactly at the spline (no sigma_max noise)")
    ap.add_argument("--level-power", type=float, default=0.0,
                    help="> 0: each step weighted by the spline's local level to this power (level_weights); 0: a fixed step")
    ap.add_argument("--fold-band", action="store_true",
                    help="each step band-passed around the decimation's fold (fold_band); temperature 0, --no-init-noise only")
    ap.add_argument("--peak", type=float, default=0.9, help="each excerpt is scaled to this peak before upsampling")
    ap.add_argument("--clips", nargs="*", default=None, help="only these clip file names")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--raw", action="store_true")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, ck = load_prior(a.ckpt, use_ema=not a.raw)
    for p in model.parameters():
        p.requires_grad_(False)
    if a.mode == "speed":
        x = torch.randn(8, 4000) * 0.1
        score(model, x, 0.01)
        t0 = time.time()
        n = 3
        for _ in range(n):
            score(model, x, 0.01)
        print(f"PyTorch autograd logp+grad, {a.threads} threads, B=8 T=4000: {n * 8 * 4000 / (time.time() - t0):.0f} samples/s")
        return
    kind = clip_kind(a.ckpt, ck, a.kind)
    print(f"4x upsampling, {kind} clips, {a.seconds}s excerpts, samples seen {ck.get('state', {}).get('samples_seen', 0) / 1e6:.0f}M")
    res = run_upsample(model, kind, a.seconds, a, peak=a.peak)
    res["samplesSeen"] = ck.get("state", {}).get("samples_seen", 0)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
