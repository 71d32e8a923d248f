# training/soup.py: blending two checkpoints of one prior.
import pytest
import torch

from model import PriorConfig, WaveNetPrior
from soup import blend_checkpoints


def _ck(seed, cfg=None):
    torch.manual_seed(seed)
    m = WaveNetPrior(cfg or PriorConfig(layers=4, channels=8, skip=8, head=8))
    ema = {k: v + 0.5 for k, v in m.state_dict().items()}
    return {"cfg": m.cfg.to_dict(), "model": m.state_dict(), "ema": ema, "opt": None, "state": {"step": seed}}


def test_blend_is_the_straight_line_between_the_weights_and_loads_as_a_prior():
    a, b = _ck(1), _ck(2)
    for alpha in (0.0, 0.25, 1.0):
        ck = blend_checkpoints(a, b, alpha)
        for k in a["model"]:
            torch.testing.assert_close(ck["model"][k], (1 - alpha) * a["model"][k] + alpha * b["model"][k])
            torch.testing.assert_close(ck["ema"][k], (1 - alpha) * a["ema"][k] + alpha * b["ema"][k])
        assert ck["state"]["blend"]["alpha"] == alpha and ck["state"]["step"] == 2
        m = WaveNetPrior(PriorConfig.from_dict(ck["cfg"]))
        m.load_state_dict(ck["ema"])


def test_blend_refuses_different_architectures_and_alpha_outside_0_1():
    a = _ck(1)
    with pytest.raises(ValueError, match="architectures"):
        blend_checkpoints(a, _ck(2, PriorConfig(layers=4, channels=16, skip=8, head=8)), 0.5)
    with pytest.raises(ValueError, match="alpha"):
        blend_checkpoints(a, _ck(2), 1.5)
