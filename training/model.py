"""Noise-conditional causal WaveNet prior for PnF sampling.

Input: a noisy waveform x~ (linear amplitude, roughly [-1, 1]) and a noise level sigma
per batch row. Output: logits over 256 bins whose centres are mu-law-spaced values in
LINEAR amplitude (mu = 255). The logits at time t predict the CLEAN sample x_t from the
noisy history x~_{<t} (causal, zero left padding).

Everything is written channels-last with plain MatMul so that the same code serves
training (autograd), the reference sampler (autograd) and the ONNX score graph
(export.py adds an explicit backward pass written with the same ops).

Architecture (per sample t):
  features  f_t = [x~_{t-1}, mulaw(x~_{t-1})]            (shift by one: causal)
  h0        = f @ W_in + b_in                             [C]
  layer l   a = shift(h, d_l) @ Wa0_l + h @ Wa1_l + b_l + c_l(sigma)     [2C]
            z = tanh(a[:C]) * sigmoid(a[C:])
            r = z @ Wo_l   ([C + S]: residual part and skip part)
            h = h + r[:C] ;  skip += r[C:]
  head      y1 = relu(skip + b_s) @ W1 + b1 ;  logits = relu(y1) @ W2 + b2
  c_l(sigma): an embedding of log(sigma) (Fourier features -> MLP) -> per-layer bias.
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

MU = 255
RHO_MIN = -12.0  # log of the smallest anchor width (6e-6 in linear amplitude)


def mulaw_bins(mu=MU, n=256):
    """Bin centres: n values in linear amplitude spaced uniformly in mu-law space."""
    y = (torch.arange(n, dtype=torch.float64) + 0.5) / n * 2.0 - 1.0  # (-1, 1), symmetric
    x = torch.sign(y) * ((1.0 + mu) ** torch.abs(y) - 1.0) / mu
    return x.float()


def mulaw(x, mu=MU):
    return torch.sign(x) * torch.log1p(mu * torch.abs(x)) / math.log1p(mu)


def mulaw_deriv(x, mu=MU):
    return (mu / math.log1p(mu)) / (1.0 + mu * torch.abs(x))


def quantize(x, bins):
    """Index of the nearest bin centre (bins ascending). x: any shape."""
    mids = 0.5 * (bins[1:] + bins[:-1])
    return torch.bucketize(x.contiguous(), mids.to(x.device))


def shift_right(h, d):
    """h [B,T,C] -> h[t-d] with zeros for t<d (causal delay along time)."""
    if d == 0:
        return h
    return F.pad(h, (0, 0, d, 0))[:, :-d]


def shift_left(g, d):
    """Adjoint of shift_right: g[t+d] with zeros at the end."""
    if d == 0:
        return g
    return F.pad(g, (0, 0, 0, d))[:, d:]


class PriorConfig:
    def __init__(self, layers=12, channels=48, skip=48, head=128, bins=256,
                 dilations=None, emb=32, nfreq=8, mu=MU, sample_rate=16000,
                 sigma_min=1e-3, sigma_max=0.3, anchor=True, ar_order=16):
        self.layers = layers
        self.channels = channels
        self.skip = skip
        self.head = head
        self.bins = bins
        if dilations is None:
            cyc = [2 ** i for i in range(10)]
            dilations = [cyc[i % 10] for i in range(layers)]
        assert len(dilations) == layers
        self.dilations = list(int(d) for d in dilations)
        self.emb = emb
        self.nfreq = nfreq
        self.mu = mu
        self.sample_rate = sample_rate
        self.sigma_min = sigma_min
        self.sigma_max = sigma_max
        self.anchor = bool(anchor)
        self.ar_order = int(ar_order) if anchor else 0

    def to_dict(self):
        return dict(self.__dict__)

    @staticmethod
    def from_dict(d):
        d = dict(d)
        d.setdefault("anchor", False)
        d.setdefault("ar_order", 0)
        return PriorConfig(**d)

    @property
    def receptive_field(self):
        # history samples that influence one prediction: 1 (the shift) + sum of dilations
        return max(1 + sum(self.dilations), self.ar_order)


class WaveNetPrior(nn.Module):
    def __init__(self, cfg: PriorConfig):
        super().__init__()
        self.cfg = cfg
        C, S, H, K, L = cfg.channels, cfg.skip, cfg.head, cfg.bins, cfg.layers
        self.register_buffer("bins", mulaw_bins(cfg.mu, K))
        # sigma embedding: Fourier features of normalised log sigma -> MLP
        self.register_buffer("freqs", torch.arange(1, cfg.nfreq + 1, dtype=torch.float32) * math.pi / 2)
        lo, hi = math.log(cfg.sigma_min), math.log(cfg.sigma_max)
        self.ls_center = 0.5 * (lo + hi)
        self.ls_scale = 0.5 * (hi - lo)
        self.emb1 = nn.Linear(2 * cfg.nfreq + 1, cfg.emb)
        self.emb2 = nn.Linear(cfg.emb, cfg.emb)
        self.cond = nn.Linear(cfg.emb, L * 2 * C)  # per-layer gate bias
        nn.init.normal_(self.cond.weight, std=0.02)
        nn.init.zeros_(self.cond.bias)

        def p(*shape, fan_in=None, scale=1.0):
            fan = fan_in if fan_in is not None else shape[0]
            return nn.Parameter(torch.randn(*shape) * scale / math.sqrt(fan))

        self.W_in = p(2, C, fan_in=1)
        self.b_in = nn.Parameter(torch.zeros(C))
        self.Wa0 = nn.ParameterList([p(C, 2 * C, fan_in=2 * C) for _ in range(L)])
        self.Wa1 = nn.ParameterList([p(C, 2 * C, fan_in=2 * C) for _ in range(L)])
        self.ba = nn.ParameterList([nn.Parameter(torch.zeros(2 * C)) for _ in range(L)])
        self.Wo = nn.ParameterList([p(C, C + S, fan_in=C, scale=0.5) for _ in range(L)])
        self.bo = nn.ParameterList([nn.Parameter(torch.zeros(C)) for _ in range(L)])
        self.b_s = nn.Parameter(torch.zeros(S))
        self.W1 = p(S, H, fan_in=S * 2)
        self.b1 = nn.Parameter(torch.zeros(H))
        self.W2 = p(H, K, scale=0.5)
        self.b2 = nn.Parameter(torch.zeros(K))
        if cfg.anchor:
            # Gaussian anchor on the bins: logits_k += -0.5 ((e_k - m) / s)^2 with
            # m = sum_j w_j(sigma) x~[t-1-j] + head_m(y1)   (a sigma-dependent linear predictor + correction)
            # log s = RHO_MIN + softplus(head_r(y1) + b - RHO_MIN)
            self.Wm = nn.Parameter(torch.zeros(H, 2))
            self.bm = nn.Parameter(torch.tensor([0.0, -3.0]))
            self.ar = nn.Linear(cfg.emb, cfg.ar_order)
            self.rs = nn.Linear(cfg.emb, 1)  # sigma-dependent part of log s
            nn.init.zeros_(self.rs.weight)
            nn.init.zeros_(self.rs.bias)
            nn.init.zeros_(self.ar.weight)
            with torch.no_grad():
                self.ar.bias.zero_()
                self.ar.bias[0] = 1.0

    # ---- pieces shared by forward and the explicit backward (export.py) ----
    def sigma_bias(self, sigma):
        """sigma [B] -> per-layer gate biases [L, B, 1, 2C]."""
        C, L = self.cfg.channels, self.cfg.layers
        c = self.cond(self.embed(sigma))  # [B, L*2C]
        B = sigma.shape[0]
        return c.reshape(B, L, 1, 2 * C).transpose(0, 1)

    def ar_weights(self, sigma):
        """sigma [B] -> linear-predictor taps [B, P] (tap j multiplies x~[t-1-j])."""
        return self.ar(self.embed(sigma))

    def anchor_params(self, sigma):
        """sigma [B] -> (taps [B,P], log-width offset [B,1])."""
        e = self.embed(sigma)
        return self.ar(e), self.rs(e)

    def embed(self, sigma):
        u = (torch.log(sigma) - self.ls_center) / self.ls_scale
        uf = u.unsqueeze(1) * self.freqs.unsqueeze(0)
        feat = torch.cat([u.unsqueeze(1), torch.sin(uf), torch.cos(uf)], dim=1)
        return F.silu(self.emb2(F.silu(self.emb1(feat))))

    def features(self, x):
        """x [B,T] -> shifted input features [B,T,2]."""
        xs = F.pad(x, (1, 0))[:, :-1]
        return torch.stack([xs, mulaw(xs, self.cfg.mu)], dim=-1)

    def forward(self, x, sigma, keep=False):
        """x [B,T], sigma [B] -> logits [B,T,K] (and saved activations if keep)."""
        C = self.cfg.channels
        cb = self.sigma_bias(sigma)
        h = torch.matmul(self.features(x), self.W_in) + self.b_in
        skip = None
        saved = []
        for l, d in enumerate(self.cfg.dilations):
            a = torch.matmul(shift_right(h, d), self.Wa0[l]) + torch.matmul(h, self.Wa1[l]) + (self.ba[l] + cb[l])
            t = torch.tanh(a[..., :C])
            s = torch.sigmoid(a[..., C:])
            z = t * s
            r = torch.matmul(z, self.Wo[l])
            h = h + r[..., :C] + self.bo[l]
            skip = r[..., C:] if skip is None else skip + r[..., C:]
            if keep:
                saved.append((t, s))
        u0 = skip + self.b_s
        y1 = torch.matmul(torch.relu(u0), self.W1) + self.b1
        y1r = torch.relu(y1)
        logits = torch.matmul(y1r, self.W2) + self.b2
        if self.cfg.anchor:
            mr = torch.matmul(y1r, self.Wm) + self.bm  # [B,T,2]
            w, rs = self.anchor_params(sigma)  # [B,P], [B,1]
            m = mr[..., 0]
            for j in range(self.cfg.ar_order):
                m = m + w[:, j:j + 1] * F.pad(x, (j + 1, 0))[:, :x.shape[1]]
            rho = RHO_MIN + F.softplus(mr[..., 1] + rs - RHO_MIN)
            prec = torch.exp(-2.0 * rho)
            dm = self.bins - m.unsqueeze(-1)
            logits = logits - 0.5 * dm * dm * prec.unsqueeze(-1)
        if keep:
            return logits, (saved, u0, y1)
        return logits

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def flops_per_sample(self):
        """Multiply-adds x2 per sample for the forward pass (sigma embedding excluded)."""
        c = self.cfg
        C, S, H, K = c.channels, c.skip, c.head, c.bins
        mac = 2 * C + c.layers * (2 * C * 2 * C + C * (C + S)) + S * H + H * K
        fwd = 2 * mac
        # score graph: forward + explicit backward (~2x forward matmuls) + bin terms
        return {"forward": fwd, "scoreGraph": 3 * fwd + 12 * K}


def bin_spread_variance(bins):
    """Variance each bin's probability is spread over, (w_k / 2)^2 [K], w_k = width of bin k's cell.

    The cell of bin k runs from the midpoint with its left neighbour to the midpoint with its right
    one (the end cells are mirrored). The network predicts which cell the clean sample falls in; the
    sample lies anywhere in that cell, not on its centre. Mu-law cells are wide at high amplitude
    (about 0.013 at 0.3), far wider than the smallest sigma (0.001): with N(e_k, sigma^2) alone the
    smoothed density is a comb of narrow peaks at the centres and the score pulls every sample onto
    a centre (8-bit mu-law quantisation noise added to the output). A Gaussian of std w_k/2 per bin
    makes neighbouring cells add up flat (ripple ~1.5%); the moment match of a uniform cell, std
    w_k/sqrt(12), still leaves a ~40% ripple that pulls samples towards the centres."""
    b = bins.double()
    mids = 0.5 * (b[1:] + b[:-1])
    lo = torch.cat([2 * b[:1] - mids[:1], mids])
    hi = torch.cat([mids, 2 * b[-1:] - mids[-1:]])
    return ((hi - lo) ** 2 / 4.0).to(bins.dtype)


def smoothed_logp(logits, x, sigma, bins):
    """Per-step smoothed log density [B,T]; zero at t=0 (no history).

    log sum_k p_k N(x_t; e_k, sigma^2 + (w_k/2)^2): each bin's probability spread over its cell
    (bin_spread_variance), then convolved with the N(0, sigma^2) noise."""
    v = sigma.view(-1, 1, 1) ** 2 + bin_spread_variance(bins).view(1, 1, -1)
    d = x.unsqueeze(-1) - bins.view(1, 1, -1)
    lq = logits - d * d / (2 * v) - 0.5 * torch.log(2 * math.pi * v)
    lp = torch.logsumexp(lq, -1) - torch.logsumexp(logits, -1)
    mask = torch.ones_like(lp)
    mask[:, 0] = 0
    return lp * mask


def training_totals(state):
    """Steps, samples seen and wall seconds over a checkpoint's whole lineage: its own run plus,
    for a fine-tune (train.py --init), everything before it (state["before"])."""
    before = state.get("before") or {}
    return {"steps": state.get("step", 0) + before.get("steps", 0),
            "samples_seen": state.get("samples_seen", 0) + before.get("samples_seen", 0),
            "wall": state.get("wall", 0.0) + before.get("wall", 0.0)}


def lineage_of(init_state, init_path):
    """What a fine-tune records of the checkpoint it started from (its totals and where it came from)."""
    t = training_totals(init_state)
    return {"from": init_path, "steps": t["steps"], "samples_seen": t["samples_seen"], "wall": t["wall"],
            "lineage": (init_state.get("before") or {}).get("lineage", []) + [init_path]}


def save_checkpoint(path, model, ema, opt, state):
    torch.save({"cfg": model.cfg.to_dict(), "model": model.state_dict(),
                "ema": ema.state_dict() if ema is not None else None,
                "opt": opt.state_dict() if opt is not None else None, "state": state}, path)


def compact_checkpoint(src, dst):
    """The checkpoint `src` as its EMA weights alone (no raw weights, no optimizer), written atomically to `dst`:
    a quarter of the size, e.g. for bringing a GPU run home (the device returns files of at most 16 MiB; the large
    prior's full checkpoint is 24 MiB). It exports and fine-tunes (--init) like the full one; it cannot resume
    exactly (the optimizer is gone). Returns its size in bytes."""
    ck = torch.load(src, map_location="cpu")
    weights = ck["ema"] if ck.get("ema") is not None else ck["model"]
    state = dict(ck.get("state", {}))
    state["compacted"] = {"from": os.path.abspath(src), "weights": "ema" if ck.get("ema") is not None else "raw"}
    tmp = dst + ".tmp"
    torch.save({"cfg": ck["cfg"], "model": {k: v.detach().cpu() for k, v in weights.items()}, "ema": None, "opt": None,
                "state": state}, tmp)
    os.replace(tmp, dst)
    return os.path.getsize(dst)


def load_prior(path, use_ema=True, map_location="cpu"):
    ck = torch.load(path, map_location=map_location)
    cfg = PriorConfig.from_dict(ck["cfg"])
    m = WaveNetPrior(cfg)
    sd = ck["ema"] if (use_ema and ck.get("ema") is not None) else ck["model"]
    m.load_state_dict(sd)
    m.eval()
    return m, ck
