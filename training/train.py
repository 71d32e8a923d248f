"""Train a noise-conditional WaveNet prior (resumable).

  nice -n 10 /usr/bin/python3 training/train.py --source piano --threads 1 --hours 2
  /usr/bin/python3 training/train.py --source voice --device cuda --layers 20 --channels 96 ...

Data: training/.data/<source>_{train,val}.npy + .json (make_data.py) or a FLAC pack
(--data-dir pointing at the unpacked gpu pack, same layout).
Loss: cross-entropy (bits/sample) of the CLEAN next sample's bin (nearest mu-law-spaced
centre in linear amplitude) given the NOISY history x + sigma*eps, sigma per segment drawn
log-uniform over the sampler's range (with extra mass on small sigmas: super-resolution and
inpainting run at small sigma, separation also uses the large ones).
Checkpoint: training/.runs/<source>/ckpt.pt (model, EMA, Adam, counters) written atomically
every --ckpt-min minutes; rerunning the same command resumes.
Log: bench/priors/<source>_curve.csv (one row per validation: samples seen, wall seconds,
train bits, validation bits at each sigma, EMA weights, positions with full context only).
"""
import argparse
import copy
import csv
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
from model import PriorConfig, WaveNetPrior, compact_checkpoint, lineage_of, quantize, save_checkpoint, smoothed_logp  # noqa: E402

VAL_SIGMAS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3]
SIGMA_MIN, SIGMA_MAX = 1e-3, 0.3


def data_folders(data_dirs):
    """The data folders of a `--data-dir` value ("A,B") or of a list of folders."""
    return [d for d in data_dirs.split(",") if d] if isinstance(data_dirs, str) else list(data_dirs)


class Corpus:
    """One split of one or more data folders (`--data-dir A,B`: their clips together)."""

    def __init__(self, data_dirs, source, split):
        self.parts, self.clips = [], []
        for d in data_folders(data_dirs):
            audio = np.load(os.path.join(d, f"{source}_{split}.npy"), mmap_mode="r")
            meta = json.load(open(os.path.join(d, f"{source}_{split}.json")))
            self.clips += [(len(self.parts), c["offset"], c["length"]) for c in meta["clips"]]
            self.parts.append(audio)
        self.lengths = np.array([l for _, _, l in self.clips], dtype=np.float64)

    def sample(self, rng, n, length):
        """n windows of `length` samples from random clips (weighted by length), zero-padded if short."""
        out = np.zeros((n, length), np.float32)
        p = self.lengths / self.lengths.sum()
        idx = rng.choice(len(self.clips), size=n, p=p)
        for i, k in enumerate(idx):
            part, off, ln = self.clips[k]
            audio = self.parts[part]
            if ln <= length:
                out[i, :ln] = audio[off:off + ln]
            else:
                s = int(rng.integers(0, ln - length + 1))
                out[i] = audio[off + s: off + s + length]
        return out


def merged_summary(data_dirs, source, val_dir=None):
    """The data summary (make_data.py's summary.json) of the training folders together: the first
    folder's, with the training clips, minutes and renderers of the others added (and the validation
    split of val_dir instead, when given)."""
    out = {}
    for d in data_dirs:
        p = os.path.join(d, "summary.json")
        s = json.load(open(p)).get(source, {}) if os.path.exists(p) else {}
        if not out:
            out = copy.deepcopy(s)
            continue
        t, extra = out.setdefault("train", {"clips": 0, "minutes": 0, "renderers": []}), s.get("train", {})
        t["clips"] = t.get("clips", 0) + extra.get("clips", 0)
        t["minutes"] = round(t.get("minutes", 0) + extra.get("minutes", 0), 2)
        t["renderers"] = sorted(set(t.get("renderers", [])) | set(extra.get("renderers", [])))
    if val_dir:
        p = os.path.join(val_dir, "summary.json")
        val = json.load(open(p)).get(source, {}).get("val") if os.path.exists(p) else None
        out.pop("val", None)
        if val is not None:
            out["val"] = val
    return out


def draw_sigma(rng, n, low_frac=0.6, low_max=0.03):
    u = rng.random(n)
    lo, hi = math.log(SIGMA_MIN), math.log(SIGMA_MAX)
    a = np.exp(lo + rng.random(n) * (hi - lo))
    b = np.exp(lo + rng.random(n) * (math.log(low_max) - lo))
    return np.where(u < low_frac, b, a).astype(np.float32)


AUGMENTS = ("room", "eq", "speed", "shelf")
SPEED_RANGE = (0.88, 1.12)  # playback-rate factors of the "speed" augmentation (about +-2 semitones)
SPEED_MARGIN = 256  # samples either side that absorb the FFT resampler's wrap-around ringing


def speed_input_length(n):
    """How many samples change_speed needs to produce n."""
    return int(math.ceil(n * SPEED_RANGE[1])) + 2 * SPEED_MARGIN + 1


def change_speed(clean, rng, n, p=0.5):
    """Tape-speed variety (pitch and tempo together, so formants and timbre move): per segment,
    with probability p, play [B, speed_input_length(n)] back at a random rate f (log-uniform in
    SPEED_RANGE) by band-limited FFT resampling, numpy only; return the middle n samples. f > 1
    drops the band above Nyquist/f first, so nothing aliases."""
    m_in = clean.shape[1]
    assert m_in >= speed_input_length(n), "give change_speed speed_input_length(n) samples"
    out = np.empty((clean.shape[0], n), np.float32)
    for i in range(clean.shape[0]):
        x = clean[i].astype(np.float64)
        if rng.random() < p:
            f = math.exp(rng.uniform(math.log(SPEED_RANGE[0]), math.log(SPEED_RANGE[1])))
            m = int(round((n + 2 * SPEED_MARGIN) * f))  # input span that becomes n + 2 margins
            x = x[:m]
            k = n + 2 * SPEED_MARGIN
            spec = np.fft.rfft(x)
            keep = min(len(spec), k // 2 + 1)
            y = np.zeros(k // 2 + 1, np.complex128)
            y[:keep] = spec[:keep]
            x = np.fft.irfft(y, k) * (k / m)
        out[i] = x[SPEED_MARGIN:SPEED_MARGIN + n]
    return out


def decaying_noise(rng, rt60, sr=16000):
    """A reverberation tail's shape: white noise decaying by 60 dB over rt60 seconds."""
    n = int(rt60 * sr)
    t = np.arange(n) / sr
    return rng.standard_normal(n) * np.exp(-6.91 * t / rt60)


def with_direct_sound(tail, pre_delay):
    """An impulse response: the direct sound (1 at time 0), then `tail` from sample `pre_delay` on."""
    ir = np.zeros(pre_delay + len(tail))
    ir[0] = 1.0
    ir[pre_delay:] += tail
    return ir


def room_ir(rng, sr=16000):
    """A small room: the direct sound plus an exponentially decaying noise tail (RT60 0.15-0.6 s,
    tail level 0.05-0.35 of the direct sound, 2-12 ms pre-delay). Not a simulation, just the two
    things synthetic renders lack most against real recordings: room tail and early reflections."""
    tail = decaying_noise(rng, rng.uniform(0.15, 0.6), sr)
    tail *= rng.uniform(0.05, 0.35) / (np.sqrt(np.sum(tail ** 2)) + 1e-12)
    return with_direct_sound(tail, int(rng.uniform(0.002, 0.012) * sr))


def peaking_eq(rng, sr=16000):
    """One random peaking biquad (RBJ cookbook): 150 Hz-6 kHz, +-6 dB, Q 0.5-2."""
    f0, gain_db, q = np.exp(rng.uniform(np.log(150), np.log(6000))), rng.uniform(-6, 6), rng.uniform(0.5, 2.0)
    A, w = 10 ** (gain_db / 40), 2 * np.pi * f0 / sr
    alpha = np.sin(w) / (2 * q)
    b = np.array([1 + alpha * A, -2 * np.cos(w), 1 - alpha * A])
    a = np.array([1 + alpha / A, -2 * np.cos(w), 1 - alpha / A])
    return b / a[0], a / a[0]


def high_shelf(rng, sr=16000):
    """One random high-shelf biquad (RBJ cookbook, slope 1): corner 2-5 kHz, 0 to +12 dB. Synthetic
    voices are duller than real recordings (1.5 % of the energy above 4 kHz in the training renders,
    up to 16 % in real speech), and a prior that never saw a bright fricative attributes what
    decimation folds down to the low band (upsampling then cannot beat the spline)."""
    f0, gain_db = np.exp(rng.uniform(np.log(2000), np.log(5000))), rng.uniform(0, 12)
    A, w = 10 ** (gain_db / 40), 2 * np.pi * f0 / sr
    alpha = np.sin(w) / 2 * np.sqrt(2)
    c, sa = np.cos(w), 2 * np.sqrt(A) * alpha
    b = np.array([A * ((A + 1) + (A - 1) * c + sa), -2 * A * ((A - 1) + (A + 1) * c), A * ((A + 1) + (A - 1) * c - sa)])
    a = np.array([(A + 1) - (A - 1) * c + sa, 2 * ((A - 1) - (A + 1) * c), (A + 1) - (A - 1) * c - sa])
    return b / a[0], a / a[0]


EQ_TAIL = 2048  # zero padding that holds a peaking biquad's impulse response (it decays in < 100 ms)


def augment(clean, rng, kinds, p=0.5):
    """Recording-like variety for synthetic renders: per segment, with probability p each, a room
    (convolution), a peaking EQ and/or a high shelf, all applied as one product of spectra over a zero-padded
    FFT (numpy only: the GPU machine has no scipy). Segments keep their length; the caller
    re-limits the peak."""
    kinds = tuple(k for k in kinds if k != "speed")  # change_speed, which changes lengths, ran first
    out = clean.astype(np.float64, copy=True)
    n = out.shape[1]
    for i in range(out.shape[0]):
        room = "room" in kinds and rng.random() < p
        eqs = [f for k, f in (("eq", peaking_eq), ("shelf", high_shelf)) if k in kinds and rng.random() < p]
        if not (room or eqs):
            continue
        ir = room_ir(rng) if room else np.ones(1)
        m = 1 << int(np.ceil(np.log2(n + len(ir) + EQ_TAIL)))
        spec = np.fft.rfft(out[i], m) * np.fft.rfft(ir, m)
        z = np.exp(-1j * np.pi * np.arange(m // 2 + 1) / (m // 2))  # e^{-jw} at the rfft bins
        for make in eqs:
            b, a = make(rng)
            spec *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
        out[i] = np.fft.irfft(spec, m)[:n]
    return out.astype(np.float32)


def spline_from_every(clean, factor, phases):
    """Each row of `clean` [B, L] kept at every `factor`-th sample (from its phase) and the rest
    filled by the cubic spline through those: what 4x super-resolution starts from."""
    from scipy.interpolate import CubicSpline
    out = np.empty_like(clean)
    t = np.arange(clean.shape[1])
    for i, row in enumerate(clean):
        idx = np.arange(int(phases[i]), clean.shape[1], factor)
        out[i] = CubicSpline(idx, row[idx])(t)
    return out


def upsampling_start(clean, rng, factor, sigma_lo=0.001, sigma_hi=0.005):
    """What the direction terms start from: the spline through every `factor`-th sample of each
    row (random phase) and a sigma of the super-resolution schedule per row (log-uniform)."""
    n = clean.shape[0]
    phases = rng.integers(0, factor, n)
    spl = torch.from_numpy(spline_from_every(clean.detach().cpu().numpy(), factor, phases)).to(clean.device)
    sigma = torch.from_numpy(np.exp(rng.uniform(math.log(sigma_lo), math.log(sigma_hi), n)).astype(np.float32)).to(clean.device)
    return spl, phases, sigma


def direction_term(model, clean, rng, factor, eps, rf):
    """The upsampling-direction term (train.py --direction): how much more likely the prior rates
    the spline moved a step `eps` towards the truth than the spline itself, in nats/sample over
    positions with full context, at a sigma of the super-resolution schedule. Super-resolution
    ascends the prior's log density from the spline; the first step goes the right way when this
    difference is positive. Returns (loss, mean difference); the loss is a smooth hinge that stops
    pulling once the difference is clearly positive."""
    spl, _, sigma = upsampling_start(clean, rng, factor)
    moved = spl + eps * (clean - spl)
    x = torch.cat([spl, moved])
    s2 = sigma.repeat(2)
    lp = smoothed_logp(model(x, s2), x, s2, model.bins)[:, rf:]
    n = clean.shape[0]
    d = (lp[n:] - lp[:n]).mean(1)
    tau = 0.05
    return (tau * F.softplus(-d / tau)).mean(), float(d.mean())


def score_alignment_term(model, clean, rng, factor, rf, reach_steps=0):
    """The score form of the upsampling-direction term (train.py --direction-kind score): the cosine
    between the prior's score at the spline (d sum log p / dx, what super-resolution's ascent
    follows, at a sigma of its schedule) and the way to the truth (truth - spline), over the
    interpolated samples that have full context on both sides. A step along the score improves
    the estimate by about 4.3 cos^2 dB at best, so the cosine, not the log-density difference, is
    what decides. Needs the gradient of a gradient (about 3x a training step). Returns
    (1 - mean cosine, mean cosine); with `reach_steps` (--direction-kind reach) the loss is instead
    the error left after that many of the schedule's steps along the score, relative to the spline's."""
    L = clean.shape[1]
    spl, phases, sigma = upsampling_start(clean, rng, factor)
    free = torch.ones_like(spl)
    for i, ph in enumerate(phases):
        free[i, int(ph)::factor] = 0
    free[:, :rf] = 0
    free[:, L - rf:] = 0
    x = spl.clone().requires_grad_(True)
    lp = smoothed_logp(model(x, sigma), x, sigma, model.bins)
    (g,) = torch.autograd.grad(lp.sum(), x, create_graph=True)
    g = g * free
    r = (clean - spl) * free
    cos = (g * r).sum(1) / (g.norm(dim=1) * r.norm(dim=1) + 1e-12)
    if reach_steps:
        # the length too: the error left after reach_steps steps of the schedule's size
        # (0.05 sigma^2) along this score, relative to the spline's; 1 - that is the gain
        step = reach_steps * 0.05 * sigma.view(-1, 1) ** 2
        left = ((r - step * g) ** 2).sum(1) / ((r ** 2).sum(1) + 1e-12)
        return left.mean(), float(cos.mean())
    return (1 - cos).mean(), float(cos.mean())


def bits_per_sample(model, clean, sigma, noise, start):
    """Mean CE (bits) of the clean bins at positions >= start given noisy history."""
    x = clean + sigma.view(-1, 1) * noise
    logits = model(x, sigma)
    tgt = quantize(clean, model.bins)
    ce = F.cross_entropy(logits[:, start:].reshape(-1, logits.shape[-1]), tgt[:, start:].reshape(-1), reduction="mean")
    return ce.item() / math.log(2)


def make_val_set(corpus, rf, n=24, length=2048, seed=123):
    rng = np.random.default_rng(seed)
    clean = torch.from_numpy(corpus.sample(rng, n, rf + length))
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(clean.shape, generator=g)
    return clean, noise


@torch.no_grad()
def validate(model, val, rf, device, chunk=8):
    clean, noise = val
    res = {}
    for s in VAL_SIGMAS:
        tot, cnt = 0.0, 0
        for i in range(0, clean.shape[0], chunk):
            c = clean[i:i + chunk].to(device)
            z = noise[i:i + chunk].to(device)
            sig = torch.full((c.shape[0],), s, device=device)
            tot += bits_per_sample(model, c, sig, z, rf) * c.shape[0]
            cnt += c.shape[0]
        res[f"{s:g}"] = round(tot / cnt, 4)
    return res


def init_anchor_from_data(model, corpus, seed=0, n=48, length=4096, ridge=1e-3):
    """Start the anchor at the least-squares linear predictor of the data at each sigma.

    For a grid of sigmas: fit P taps predicting the clean sample from the P previous NOISY
    samples, and the log rms of the residual; then set the sigma-embedding -> taps and
    sigma-embedding -> log-width layers (ridge least squares) to reproduce them."""
    cfg = model.cfg
    if not cfg.anchor:
        return None
    P = cfg.ar_order
    rng = np.random.default_rng(seed)
    clean = corpus.sample(rng, n, length + P).astype(np.float64)
    grid = np.exp(np.linspace(math.log(SIGMA_MIN), math.log(SIGMA_MAX), 16))
    taps, logr = [], []
    for s in grid:
        noisy = clean + s * rng.standard_normal(clean.shape)
        H = np.stack([noisy[:, P - 1 - j: P - 1 - j + length] for j in range(P)], -1).reshape(-1, P)
        t = clean[:, P: P + length].reshape(-1)
        A = H.T @ H + 1e-9 * np.eye(P) * len(t)
        c = np.linalg.solve(A, H.T @ t)
        r = t - H @ c
        taps.append(c)
        logr.append(math.log(max(1e-5, float(np.sqrt(np.mean(r ** 2))))))
    with torch.no_grad():
        dev = next(model.parameters()).device  # (the grid goes where the model is: on CUDA a CPU tensor fails)
        E = model.embed(torch.tensor(grid, dtype=torch.float32, device=dev)).double().cpu().numpy()  # [G, emb]
        X = np.concatenate([E, np.ones((len(grid), 1))], 1)
        Y = np.concatenate([np.array(taps), np.array(logr)[:, None]], 1)  # [G, P+1]
        Wt = np.linalg.solve(X.T @ X + ridge * np.eye(X.shape[1]), X.T @ Y)  # [emb+1, P+1]
        model.ar.weight.copy_(torch.from_numpy(Wt[:-1, :P].T).float())
        model.ar.bias.copy_(torch.from_numpy(Wt[-1, :P]).float())
        model.rs.weight.copy_(torch.from_numpy(Wt[:-1, P:].T).float())
        model.rs.bias.copy_(torch.from_numpy(Wt[-1, P:]).float())
        model.bm[1] = 0.0
        fit = (X @ Wt)
    err = float(np.abs(fit - Y).max())
    print(f"[train] anchor initialised from data: taps@sigma_min {np.round(taps[0][:6], 3)}, "
          f"log rms residual {np.round(logr[0], 2)}..{np.round(logr[-1], 2)}, fit err {err:.3f}", flush=True)
    return {"grid": grid.tolist(), "logResidual": logr}


def atomic_save(path, *args):
    tmp = path + ".tmp"
    save_checkpoint(tmp, *args)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True, choices=["piano", "voice"])
    ap.add_argument("--data-dir", default=os.path.join(HERE, ".data"), help="data folder(s), comma-separated: training draws from all, validation from the first")
    ap.add_argument("--val-dir", default=None, help="validation folder (default: the first --data-dir), e.g. to train on an "
                    "extra folder alone and still validate where every other run did")
    ap.add_argument("--run-dir", default=None)
    ap.add_argument("--log", default=None, help="CSV learning curve (default bench/priors/<source>_curve.csv)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hours", type=float, default=2.0, help="wall-clock budget for THIS invocation")
    ap.add_argument("--max-samples", type=float, default=0, help="stop after this many samples seen (total)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seg", type=int, default=3000, help="predicted positions per segment (plus receptive field)")
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--lr-final", type=float, default=None, help="cosine-decay lr to this value by --max-samples (or by the end of --hours)")
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--channels", type=int, default=48)
    ap.add_argument("--skip", type=int, default=48)
    ap.add_argument("--head", type=int, default=128)
    ap.add_argument("--val-min", type=float, default=10.0, help="minutes between validations")
    ap.add_argument("--ckpt-min", type=float, default=5.0)
    ap.add_argument("--compact-to", default=None, help="at each checkpoint also write its EMA weights alone here (model.compact_checkpoint)")
    ap.add_argument("--init", default=None, help="start from these weights (fine-tune), if no checkpoint exists yet")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--augment", default="", help=f"comma list of {','.join(AUGMENTS)}: recording-like variety (rooms, EQ, tape speed, brighter highs) per segment")
    ap.add_argument("--direction", type=float, default=0.0,
                    help="weight of the upsampling-direction term (0 = off, the default): for half of each batch, "
                         "the prior is also taught to rate the cubic spline through every --direction-factor-th sample "
                         "BELOW the spline moved --direction-eps of the way to the truth (see direction_term)")
    ap.add_argument("--direction-kind", choices=["step", "score", "reach"], default="step",
                    help="step: the log-density difference (direction_term); score: the cosine between the score at "
                         "the spline and the way to the truth (score_alignment_term; --direction-eps unused); reach: "
                         "the error left after the ascent's 80 steps of its own size along that score (direction and length)")
    ap.add_argument("--direction-eps", type=float, default=0.25)
    ap.add_argument("--direction-factor", type=int, default=4)
    a = ap.parse_args()
    augments = tuple(k for k in a.augment.split(",") if k)
    if any(k not in AUGMENTS for k in augments):
        ap.error(f"--augment takes {', '.join(AUGMENTS)}")

    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    run_dir = a.run_dir or os.path.join(HERE, ".runs", a.source)
    os.makedirs(run_dir, exist_ok=True)
    ckpt_path = os.path.join(run_dir, "ckpt.pt")
    log_path = a.log or os.path.join(ROOT, "bench", "priors", f"{a.source}_curve.csv")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)

    data_dirs = data_folders(a.data_dir)
    train = Corpus(data_dirs, a.source, "train")
    valc = Corpus([a.val_dir] if a.val_dir else data_dirs[:1], a.source, "val")  # one validation set, so runs stay comparable
    data_summary = merged_summary(data_dirs, a.source, a.val_dir)

    state = {"step": 0, "samples_seen": 0, "wall": 0.0, "device": str(dev), "data_summary": data_summary,
             "history": []}
    init = ckpt_path if os.path.exists(ckpt_path) else a.init
    if init:
        ck = torch.load(init, map_location="cpu")
        cfg = PriorConfig.from_dict(ck["cfg"])
    else:
        ck = None
        cfg = PriorConfig(layers=a.layers, channels=a.channels, skip=a.skip, head=a.head,
                          sigma_min=SIGMA_MIN, sigma_max=SIGMA_MAX)
    torch.manual_seed(a.seed)
    model = WaveNetPrior(cfg).to(dev)
    ema = copy.deepcopy(model)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.99))
    if ck is not None:
        model.load_state_dict(ck["model"])
        ema.load_state_dict(ck["ema"] if ck.get("ema") is not None else ck["model"])
        if init == ckpt_path:
            if ck.get("opt"):
                opt.load_state_dict(ck["opt"])
            state.update(ck.get("state", {}))
            state["data_summary"] = data_summary or state.get("data_summary", {})
            print(f"[train] resumed {ckpt_path}: step {state['step']}, {state['samples_seen'] / 1e6:.1f}M samples", flush=True)
        else:
            state["before"] = lineage_of(ck.get("state", {}), os.path.relpath(init, ROOT))
            print(f"[train] fine-tuning from {init} ({state['before']['samples_seen'] / 1e6:.0f}M samples before)", flush=True)
    if augments or "augment" not in state:
        state["augment"] = list(augments)
    if a.direction > 0:
        state["direction"] = {"kind": a.direction_kind, "weight": a.direction, "factor": a.direction_factor,
                              **({"eps": a.direction_eps} if a.direction_kind == "step" else {})}
    if ck is None and cfg.anchor:
        init_anchor_from_data(model, train, seed=a.seed)
        ema.load_state_dict(model.state_dict())
    for p in ema.parameters():
        p.requires_grad_(False)
    ema.eval()
    rf = cfg.receptive_field
    print(f"[train] {a.source}: params {model.n_params()}, flops/sample {model.flops_per_sample()}, rf {rf}, device {dev}, threads {a.threads}", flush=True)

    rng = np.random.default_rng([a.seed, state["step"]])
    # (the training noise too: a resumed run must not replay the noise its first steps drew)
    torch.manual_seed(int(np.random.default_rng([a.seed, state["step"], 1]).integers(2 ** 62)))
    val = make_val_set(valc, rf)
    L = rf + a.seg
    t_start = time.time()
    wall0 = state["wall"]
    last_val = time.time() if state["step"] > 0 else 0.0
    last_ck = time.time()
    run_bits, run_n = 0.0, 0
    run_dir_sum = 0.0
    new_file = not os.path.exists(log_path)
    logf = open(log_path, "a", newline="")
    w = csv.writer(logf)
    if new_file:
        w.writerow(["step", "samples_seen", "wall_s", "train_bits"] + [f"val_bits_s{s:g}" for s in VAL_SIGMAS] + ["lr"])
    budget = a.hours * 3600

    def lr_at(samples):
        warm = min(1.0, state["step"] / 300.0)
        if a.lr_final is None:
            return a.lr * max(warm, 0.01)
        # cosine decay over this invocation: by samples if --max-samples, else by wall-clock budget
        if a.max_samples:
            f = min(1.0, samples / a.max_samples)
        else:
            f = min(1.0, (time.time() - t_start) / budget)
        return (a.lr_final + 0.5 * (a.lr - a.lr_final) * (1 + math.cos(math.pi * f))) * max(warm, 0.01)

    def do_val():
        nonlocal run_bits, run_n
        res = validate(ema, val, rf, dev)
        tb = run_bits / max(1, run_n)
        row = [state["step"], state["samples_seen"], round(state["wall"], 1), round(tb, 4)] + [res[f"{s:g}"] for s in VAL_SIGMAS] + [opt.param_groups[0]["lr"]]
        w.writerow(row)
        logf.flush()
        state["last_val"] = {"bitsPerSample": res, "set": "held-out renderers (val split), full-context positions, EMA weights",
                             "samplesSeen": state["samples_seen"]}
        state["history"].append({"samples": state["samples_seen"], "wall": state["wall"], "train_bits": tb, "val": res})
        print(f"[val] step {state['step']} samples {state['samples_seen'] / 1e6:.1f}M wall {state['wall'] / 60:.1f}min train {tb:.3f} val {res}", flush=True)
        run_bits, run_n = 0.0, 0

    while True:
        now = time.time()
        state["wall"] = wall0 + (now - t_start)
        done = (now - t_start) > budget or (a.max_samples and state["samples_seen"] >= a.max_samples)
        if done or now - last_val > a.val_min * 60:
            do_val()
            last_val = time.time()
        if done or time.time() - last_ck > a.ckpt_min * 60:
            atomic_save(ckpt_path, model, ema, opt, state)
            if a.compact_to:  # (a copy small enough to travel, kept as fresh as the checkpoint)
                compact_checkpoint(ckpt_path, a.compact_to)
            last_ck = time.time()
        if done:
            break
        # ---- one step ----
        if "speed" in augments:
            clean = change_speed(train.sample(rng, a.batch, speed_input_length(L)), rng, L)
        else:
            clean = train.sample(rng, a.batch, L)
        if augments:
            clean = augment(clean, rng, augments)
        gain = np.exp(rng.uniform(math.log(0.5), math.log(2.0), size=(a.batch, 1))).astype(np.float32)
        gain *= np.where(rng.random((a.batch, 1)) < 0.5, -1.0, 1.0).astype(np.float32)
        peak = np.abs(clean).max(axis=1, keepdims=True) + 1e-9
        gain = np.sign(gain) * np.minimum(np.abs(gain), 0.99 / peak)
        clean = torch.from_numpy(clean * gain).to(dev)
        sigma = torch.from_numpy(draw_sigma(rng, a.batch)).to(dev)
        x = clean + sigma.view(-1, 1) * torch.randn_like(clean)
        for g_ in opt.param_groups:
            g_["lr"] = lr_at(state["samples_seen"])
        logits = model(x, sigma)
        tgt = quantize(clean, model.bins)
        loss = F.cross_entropy(logits[:, 1:].reshape(-1, cfg.bins), tgt[:, 1:].reshape(-1))
        total = loss
        if a.direction > 0:
            nd = max(1, a.batch // 2)
            if a.direction_kind == "step":
                dloss, dmean = direction_term(model, clean[:nd], rng, a.direction_factor, a.direction_eps, rf)
            else:
                dloss, dmean = score_alignment_term(model, clean[:nd], rng, a.direction_factor, rf,
                                                    reach_steps=80 if a.direction_kind == "reach" else 0)
            total = loss + a.direction * dloss
            run_dir_sum += dmean
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state["step"] += 1
        state["samples_seen"] += a.batch * (L - 1)
        d = min(a.ema, (1 + state["step"]) / (10 + state["step"]))
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(d).add_(pm.detach(), alpha=1 - d)
        run_bits += loss.item() / math.log(2)
        run_n += 1
        if state["step"] % 50 == 0:
            el = time.time() - t_start
            if a.direction > 0:
                what = (f"log p(spline + {a.direction_eps:g} (truth - spline)) - log p(spline) = {run_dir_sum / 50:+.4f} nats/sample"
                        if a.direction_kind == "step" else f"cos(score at the spline, truth - spline) = {run_dir_sum / 50:+.4f}")
                print(f"[train] direction: {what} (mean of the last 50 steps)", flush=True)
                run_dir_sum = 0.0
            print(f"[train] step {state['step']} loss {loss.item() / math.log(2):.3f} bits, "
                  f"{a.batch * (L - 1) * 50 / max(1e-9, el - getattr(main, '_last', 0)):.0f} samples/s", flush=True)
            main._last = el
    logf.close()
    print("[train] done", flush=True)


if __name__ == "__main__":
    main()
