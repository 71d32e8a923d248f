#!/usr/bin/env bash
# Evaluate both trained priors, ship them, and write bench/priors/results.{md,json}.
#   bash training/evaluate_all.sh            (about 10-15 minutes on 2 cores)
# 1. bits/sample (held-out + real clips, 4 baselines) and 4x upsampling with the recommended
#    upsampling schedule (spline warm start, no initial noise, temperature 0), piano and voice in parallel;
# 2. 4x upsampling with the paper-style sampler (initial noise sigma_max, temperature 1) for the record,
#    and with the schedule tune_upsampling.py chose on held-out audio, where there is one;
# 3. PyTorch autograd throughput (2 threads); 4. export ONNX + cards + parity; 5. tests;
# 6. what an oracle linear-prediction prior would add to the spline (bench/priors/upsample-bounds.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=${WORK:-/tmp/pnf-eval}
UPS=${UP_SECONDS:-1}
rm -rf "$W"; mkdir -p "$W/piano" "$W/voice"
for s in piano voice; do
  cp bench/priors/learning_curve.json "$W/$s/learning_curve.json" 2>/dev/null || echo "[]" > "$W/$s/learning_curve.json"
  nice -n 5 $PY training/eval_priors.py --sources $s --eval-seconds "${EVAL_SECONDS:-8}" --up-seconds "$UPS" --temperature 0 --no-init-noise \
      --threads 1 --no-speed --out "$W/$s/results" > "$W/$s.log" 2>&1 &
done
wait
for s in piano voice; do
  nice -n 5 $PY training/reference_sampler.py upsample --ckpt training/.runs/$s/ckpt.pt --kind $s --seconds "$UPS" \
      --threads 1 --json "$W/$s/paper_style.json" > "$W/${s}_paper.log" 2>&1 &
done
wait
# 2b. where a schedule was chosen on the tune set for this very checkpoint (tune_upsampling.py),
#     4x upsampling with it too: the prior's own recommended schedule, chosen without the eval clips
for s in piano voice; do
  T=bench/priors/tune-upsampling-$s.json
  [ -f "$T" ] || continue
  ARGS=$($PY - "$T" "training/.runs/$s/ckpt.pt" <<'PYEOF'
import json, sys, torch
t, ck = json.load(open(sys.argv[1])), torch.load(sys.argv[2], map_location="cpu", weights_only=False)
if t["samplesSeen"] != ck.get("state", {}).get("samples_seen"):
    print(f"{sys.argv[1]} was tuned on another checkpoint: rerun training/tune_upsampling.py", file=sys.stderr)
else:
    print(f"--sigma-max {t['best']['sigmaMax']} --eta-scale {t['best']['etaScale']}")
PYEOF
)
  [ -n "$ARGS" ] || continue
  nice -n 5 $PY training/reference_sampler.py upsample --ckpt training/.runs/$s/ckpt.pt --kind $s --seconds "$UPS" \
      $ARGS --temperature 0 --no-init-noise --threads 2 --json "$W/$s/tuned.json" > "$W/${s}_tuned.log" 2>&1
done
$PY training/reference_sampler.py speed --ckpt training/.runs/piano/ckpt.pt --threads 2 | tee "$W/speed.txt"
$PY - "$W" <<'PYEOF'
import json, sys, os
W = sys.argv[1]
res, curve = {}, json.load(open("bench/priors/learning_curve.json")) if os.path.exists("bench/priors/learning_curve.json") else []
speed = float(open(os.path.join(W, "speed.txt")).read().split(":")[-1].split()[0])
for s in ["piano", "voice"]:
    r = json.load(open(os.path.join(W, s, "results.json")))[s]
    r["upsample4xPaperStyle"] = json.load(open(os.path.join(W, s, "paper_style.json")))
    if os.path.exists(os.path.join(W, s, "tuned.json")):
        r["upsample4xTuned"] = json.load(open(os.path.join(W, s, "tuned.json")))
    r["pytorchSamplesPerSec2Threads"] = round(speed)
    res[s] = r
    curve.append(json.load(open(os.path.join(W, s, "learning_curve.json")))[-1])
    curve[-1]["upsample4xPaperStyleMean"] = r["upsample4xPaperStyle"]["mean"]
json.dump(res, open(os.path.join(W, "merged.json"), "w"), indent=1)
json.dump(curve, open("bench/priors/learning_curve.json", "w"), indent=1)
PYEOF
rm -f bench/priors/results.json
$PY training/eval_priors.py --merge "$W/merged.json" --out bench/priors/results > /dev/null
for s in piano voice; do
  $PY training/export.py --ckpt training/.runs/$s/ckpt.pt --source $s 2>&1 | grep -E "wrote|float64" | cut -c1-160
done
node bench/priors/ort_check.cjs | tee bench/priors/ort_check.txt || true
$PY -m pytest training/tests -q 2>&1 | tail -1
$PY training/upsample_bounds.py --seconds "$UPS" | tail -1
