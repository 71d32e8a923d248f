# What a GPU run needs that this CPU cannot run: tensors made where the model is, and a checkpoint small
# enough to come back from the device machine (at most 16 MiB a file).
import os

import numpy as np
import torch

from model import PriorConfig, WaveNetPrior, compact_checkpoint, load_prior, save_checkpoint
from train import init_anchor_from_data


class _Corpus:
    def sample(self, rng, n, length):
        return (0.3 * rng.standard_normal((n, length))).astype(np.float32)


def test_anchor_init_makes_its_sigma_grid_on_the_models_device():
    # on a GPU the model is on CUDA; a grid made on the CPU failed there before the first step ("meta" stands in)
    m = WaveNetPrior(PriorConfig(layers=2, channels=8, skip=8, head=16, dilations=[1, 2], emb=8, nfreq=2)).to("meta")
    seen = []

    def embed(t):
        seen.append(t.device.type)
        return torch.zeros(t.shape[0], m.cfg.emb)

    m.embed = embed
    init_anchor_from_data(m, _Corpus(), n=4, length=256)
    assert seen == ["meta"]


def test_a_compact_checkpoint_is_the_ema_weights_alone_and_loads_as_the_same_prior(tmp_path):
    torch.manual_seed(0)
    cfg = PriorConfig(layers=4, channels=16, skip=16, head=32, dilations=[1, 2, 4, 8], emb=8, nfreq=2)
    model, ema = WaveNetPrior(cfg), WaveNetPrior(cfg)
    with torch.no_grad():
        for p in ema.parameters():
            p.add_(0.01)  # (EMA weights differ from the raw ones)
    opt = torch.optim.Adam(model.parameters())
    model(torch.zeros(1, 64), torch.full((1,), 0.01)).sum().backward()
    opt.step()
    full = str(tmp_path / "full.pt")
    save_checkpoint(full, model, ema, opt, {"step": 7, "samples_seen": 1000, "wall": 1.0, "last_val": {"0.001": 4.2}})
    small = str(tmp_path / "small.pt")
    size = compact_checkpoint(full, small)
    assert size == os.path.getsize(small) < 0.5 * os.path.getsize(full)
    a, _ = load_prior(full)
    b, ck = load_prior(small)
    x, s = 0.1 * torch.randn(2, 300), torch.full((2,), 0.01)
    with torch.no_grad():
        assert torch.equal(a(x, s), b(x, s))
    assert ck["opt"] is None and ck["state"]["step"] == 7 and ck["state"]["compacted"]["weights"] == "ema"
