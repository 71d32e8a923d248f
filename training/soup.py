"""Blend two checkpoints of one prior along the straight line between their weights:
w = (1 - alpha) * w_a + alpha * w_b, for the EMA weights and the raw weights alike.

Both must have the same architecture (cfg). It makes sense when one was fine-tuned from the other
(one shared initialisation), e.g. the shipped piano prior and a direction-trained fine-tune of it:
alpha = 0 is the first, alpha = 1 the second, and values between trade what each was trained for.
The result is an ordinary checkpoint (no optimiser state): its training totals are b's (the
fine-tune's, which include a's lineage), and state["blend"] records what it was made of.

  /usr/bin/python3 training/soup.py --a training/checkpoints/piano.pt \
      --b training/checkpoints/piano-direction-s15.pt --alpha 0.25 --out DIR/piano/ckpt.pt
"""
import argparse
import hashlib
import os

import torch


def sha12(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def blend_state_dicts(sd_a, sd_b, alpha):
    """(1 - alpha) * a + alpha * b, key by key; the keys and shapes must match."""
    if set(sd_a) != set(sd_b):
        raise ValueError(f"the checkpoints hold different weights: {sorted(set(sd_a) ^ set(sd_b))[:5]}")
    out = {}
    for k, va in sd_a.items():
        vb = sd_b[k]
        if va.shape != vb.shape:
            raise ValueError(f"weight {k} has shape {tuple(va.shape)} in one checkpoint and {tuple(vb.shape)} in the other")
        out[k] = (1.0 - alpha) * va + alpha * vb if va.is_floating_point() else va.clone()
    return out


def blend_checkpoints(ck_a, ck_b, alpha, names=("a", "b")):
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (got {alpha})")
    if ck_a["cfg"] != ck_b["cfg"]:
        raise ValueError("the two checkpoints have different architectures (cfg); only one prior's checkpoints can be blended")
    ema_a = ck_a.get("ema") or ck_a["model"]
    ema_b = ck_b.get("ema") or ck_b["model"]
    state = dict(ck_b.get("state", {}))
    state["blend"] = {"a": names[0], "b": names[1], "alpha": alpha}
    state.pop("last_val", None)  # b's validation does not describe the blend (it has not been validated)
    return {"cfg": ck_b["cfg"], "model": blend_state_dicts(ck_a["model"], ck_b["model"], alpha),
            "ema": blend_state_dicts(ema_a, ema_b, alpha), "opt": None, "state": state}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="checkpoint at alpha = 0")
    ap.add_argument("--b", required=True, help="checkpoint at alpha = 1")
    ap.add_argument("--alpha", type=float, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ck_a = torch.load(a.a, map_location="cpu")
    ck_b = torch.load(a.b, map_location="cpu")
    names = (f"{a.a} (sha {sha12(a.a)})", f"{a.b} (sha {sha12(a.b)})")
    ck = blend_checkpoints(ck_a, ck_b, a.alpha, names)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    torch.save(ck, tmp)
    os.replace(tmp, a.out)
    print(f"[soup] {a.out}: (1 - {a.alpha:g}) x {names[0]} + {a.alpha:g} x {names[1]}")


if __name__ == "__main__":
    main()
