#!/usr/bin/env bash
# ONE prepared command for a CUDA machine (PyTorch present, no package sources, <= 64 MiB carried).
#
#   here:   /usr/bin/python3 training/pack_data.py pack          # -> training/.pack/pnf-train-pack.npz (~37 MB, git-ignored)
#           (--data-dir training/.data,training/.data-more: the session-17 pianos too, in the same 12 minutes)
#   there:  OUT=$OUT bash training/gpu_train.sh [minutes=7] [device=cuda]
#           (carry: training/.pack; MODE=finetune starts from training/checkpoints/<source>.pt, which travel as tracked files)
#
# Unpacks the compact data (numpy only), then trains BOTH priors (each one the pack carries) concurrently on the one GPU for
# <minutes> of wall clock each (default 7, so the whole command stays under 10 minutes), writing
#   $OUT/<source>/ckpt.pt  (the run's EMA weights alone, model.compact_checkpoint, rewritten at every checkpoint, each
#                           minute, so a run cut off at the time limit still brings its last one home: the full resumable
#                           checkpoint of the large prior is 24 MiB, over the 16 MiB a file may have to come back; it stays in $RUN)
#   $OUT/<source>_curve.csv and $OUT/<source>.log
# MODE=large (default): a larger prior from scratch (24 layers, 96 channels, head 256).
# MODE=finetune: fine-tune the shipped priors (training/checkpoints/<source>.pt, tracked, so they travel) at their size.
# AUGMENT=room,eq (default; AUGMENT= for none): recording-like rooms and EQ, see train.py --augment.
# DIRECTION=W (default 0 = off): the upsampling-direction term with weight W, in its score form
#   (train.py --direction W --direction-kind score; the gradient of a gradient, cheap on a GPU).
# Bring the checkpoints home, then: python3 training/export.py --ckpt <ckpt.pt> --source <source>.
set -euo pipefail
MIN=${1:-7}
DEV=${2:-cuda}
MODE=${MODE:-large}
OUT=${OUT:-/tmp/pnf-gpu-out}
RUN=${RUN:-/tmp/pnf-gpu-run}
PY=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
DATA=${DATA:-/tmp/pnfdata}
if [ ! -f "$DATA/piano_train.npy" ]; then
  "$PY" "$HERE/pack_data.py" unpack --pack "$HERE/.pack/pnf-train-pack.npz" --out "$DATA" | tee "$OUT/unpack.log"
fi
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')" | tee "$OUT/env.txt"
HOURS=$("$PY" -c "print($MIN/60)")
if [ "$MODE" = "finetune" ]; then
  SIZE=()
  BATCH=(--batch 32 --seg 8000 --lr 5e-4 --lr-final 2e-5)
else
  SIZE=(--layers 24 --channels 96 --skip 96 --head 256)
  BATCH=(--batch 32 --seg 8000 --lr 1e-3 --lr-final 3e-5)
fi
if [ "$MODE" = "finetune" ]; then  # (checked before anything starts)
  for s in piano voice; do
    if [ -f "$DATA/${s}_train.npy" ] && [ ! -f "$HERE/checkpoints/$s.pt" ]; then echo "MODE=finetune: no $HERE/checkpoints/$s.pt to fine-tune" | tee -a "$OUT/env.txt"; exit 2; fi
  done
fi
pids=()
for s in piano voice; do
  if [ ! -f "$DATA/${s}_train.npy" ]; then echo "no $s data in the pack: $s not trained" | tee -a "$OUT/env.txt"; continue; fi
  mkdir -p "$OUT/$s" "$RUN/$s"
  INIT=()
  if [ "$MODE" = "finetune" ]; then INIT=(--init "$HERE/checkpoints/$s.pt"); fi
  "$PY" "$HERE/train.py" --source "$s" --device "$DEV" --threads "${THREADS:-4}" --data-dir "$DATA" --run-dir "$RUN/$s" "${INIT[@]}" \
      --compact-to "$OUT/$s/ckpt.pt" \
      --log "$OUT/${s}_curve.csv" --hours "$HOURS" --val-min 1.5 --ckpt-min 1 "${SIZE[@]}" "${BATCH[@]}" --augment "${AUGMENT-room,eq}" \
      --direction "${DIRECTION:-0}" --direction-kind score > "$OUT/$s.log" 2>&1 &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
ls -l "$OUT"/*/ckpt.pt 2>/dev/null | tee -a "$OUT/env.txt" || true  # (what comes home: each run's EMA weights, written at every checkpoint)
tail -n 3 "$OUT"/*.log
exit $rc
