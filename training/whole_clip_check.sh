#!/usr/bin/env bash
# The 4x upsampling check fixed in advance in session 11 (bench/priors/results-session11.md):
# WHOLE eval clips (no excerpt), piano at its reference schedule, voice at the schedule both
# held-out tune sets chose; deterministic ascent (temperature 0, no initial noise), 4 x 20 steps,
# peak 0.9. A prior passes when its mean SNR gain over the cubic spline is at least +0.1 dB.
#   bash training/whole_clip_check.sh
# 100 s of audio at about 130 s per second of audio per core: about 1 h 50 min on 2 cores, in two
# lanes of similar length. Writes $OUT/whole-clip-{piano,voice}.json (OUT=bench/priors) and prints the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=${WORK:-/tmp/pnf-whole-clip}
OUT=${OUT:-bench/priors}
mkdir -p "$W" "$OUT"
# (EXTRA: more reference_sampler options, last one wins; e.g. a smoke test of this script:
#  EXTRA="--seconds 0.25 --levels 1 --steps 1" OUT=/tmp/wc bash training/whole_clip_check.sh)
R="nice -n 5 $PY training/reference_sampler.py upsample --seconds 0 --temperature 0 --no-init-noise --threads 1 ${EXTRA:-}"
PIANO="--ckpt training/checkpoints/piano.pt --kind piano --sigma-max 0.005 --eta-scale 0.05"
VOICE="--ckpt training/checkpoints/voice.pt --kind voice --sigma-max 0.05 --eta-scale 1"
( $R $PIANO --clips ishizaka_wtc1_fugue7.flac musopen_chopin_nocturne_op15no3.mp3 --json "$W/piano-1.json"
  $R $VOICE --clips librispeech_1688-142285-0000.flac --json "$W/voice-1.json" ) > "$W/lane1.log" 2>&1 &
( $R $PIANO --clips salamander_c4_note.ogg supra_sample.wav --json "$W/piano-2.json"
  $R $VOICE --clips ljspeech_LJ050-0131.wav vctk_p225_003.wav vctk_p308_092_mulaw.wav vocadito_10_singing.wav \
      --json "$W/voice-2.json" ) > "$W/lane2.log" 2>&1 &
wait
$PY - "$W" "$OUT" <<'PYEOF'
import json, os, sys
sys.path.insert(0, "training")
from reference_sampler import eval_clips
W, OUT = sys.argv[1:3]
for s in ["piano", "voice"]:
    parts = [json.load(open(f"{W}/{s}-{i}.json")) for i in (1, 2)]
    clips = {k: v for p in parts for k, v in p["clips"].items()}
    missing = sorted({os.path.basename(p) for p in eval_clips(s)} - set(clips))
    if missing:  # (the lanes name their clips: a clip added to shared/eval must be given a lane)
        raise SystemExit(f"{s}: no lane ran {', '.join(missing)}: add it to a lane in training/whole_clip_check.sh")
    spline = sum(c["spline"] for c in clips.values()) / len(clips)
    pnf = sum(c["pnf"] for c in clips.values()) / len(clips)
    out = {"clips": clips, "mean": {"spline": spline, "pnf": pnf, "gain": pnf - spline}, "settings": parts[0]["settings"],
           "command": "bash training/whole_clip_check.sh"}
    json.dump(out, open(f"{OUT}/whole-clip-{s}.json", "w"), indent=1)
    for name, c in clips.items():
        print(f"{s:6s} {name:40s} spline {c['spline']:6.2f}  PnF {c['pnf']:6.2f}  gain {c['pnf'] - c['spline']:+.3f} dB")
    print(f"{s:6s} MEAN gain {pnf - spline:+.3f} dB -> {'PASSES' if pnf - spline >= 0.1 else 'does not pass'} (bar +0.1 dB)")
PYEOF
