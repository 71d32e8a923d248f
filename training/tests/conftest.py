import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data"))


import pytest  # noqa: E402


@pytest.fixture
def frozen_tiny_prior():
    """A seeded 4-layer WaveNet prior with its weights frozen (a sampler's view of a prior)."""
    import torch
    from model import PriorConfig, WaveNetPrior
    torch.manual_seed(0)
    model = WaveNetPrior(PriorConfig(layers=4, channels=8, skip=8, head=8))
    for p in model.parameters():
        p.requires_grad_(False)
    return model
