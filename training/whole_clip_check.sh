#!/usr/bin/env bash
# The 4x upsampling check on WHOLE eval clips (no excerpt), fixed in advance in session 11
# (bench/priors/results-session11.md): deterministic ascent (temperature 0, no initial noise), 4 x 20
# steps, peak 0.9, each prior at a schedule (start sigma -> 0.001, etaScale) chosen WITHOUT the eval
# clips. A prior passes when its mean SNR gain over the cubic spline is at least +0.1 dB.
#   bash training/whole_clip_check.sh
# Schedules ("sigma_max etaScale"): VOICE_SCHEDULE (default 0.05 1: what both voice tune sets chose,
# session 11), PIANO_SCHEDULE (default 0.05 1: what its tune set chose in session 13, bench/priors/tune-upsampling-piano.md;
# session 12 ran 0.005 0.05, its reference schedule: PIANO_SCHEDULE="0.005 0.05" shows that run; session 14 finished
# piano at 0.05 1: mean -1.582 dB, so piano keeps its reference schedule, bench/priors/results-session14.md).
# 100 s of audio at about 185 s of CPU per second of audio: about 2 h 40 min on 2 cores. It RESUMES:
# each clip's result is its own file,
#   $OUT/whole-clip/<source>-<checkpoint sha256, 12 hex>-s<sigma_max>-e<etaScale>/<clip>.json
# (OUT=bench/priors; commit them), written when that clip is done, and a rerun only runs the clips
# still missing (longest first, JOBS=2 at a time). Once every clip of a prior is in, it writes
# $OUT/whole-clip-<source>-s<sigma_max>-e<etaScale>.json and prints that prior's verdict; until both
# are, it says what is left (exit 3).
# PIANO_CKPT / VOICE_CKPT: check another checkpoint than training/checkpoints/<source>.pt (results go to its own folder).
# PIANO_LEVEL_POWER / VOICE_LEVEL_POWER: steps weighted by the spline's local level to this power
# (reference_sampler.py --level-power; session 20); results in a folder of their own (-l<power>).
# PIANO_FOLD_BAND=1 / VOICE_FOLD_BAND=1: each step band-passed around the 4x fold (reference_sampler.py
# --fold-band; session 21); results in a folder of their own (-fb).
# (ONLY="clip.wav ...": run just these of the missing clips, e.g. to share them out between machines.
# EXTRA: more reference_sampler options, last one wins; a smoke test of this script:
#  EXTRA="--seconds 0.25 --levels 1 --steps 1" OUT=/tmp/wc bash training/whole_clip_check.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export PY=/usr/bin/python3
export OUT=${OUT:-bench/priors}
export R="nice -n 5 $PY training/reference_sampler.py upsample --seconds 0 --temperature 0 --no-init-noise --threads 1 ${EXTRA:-}"
export PIANO_SCHEDULE=${PIANO_SCHEDULE:-"0.05 1"}
export VOICE_SCHEDULE=${VOICE_SCHEDULE:-"0.05 1"}
export LOGS=${WORK:-/tmp/pnf-whole-clip}
mkdir -p "$LOGS"
# each prior's sampler options and results folder, named by its checkpoint and schedule (new weights
# or another schedule start afresh)
for s in piano voice; do
  sched=${s^^}_SCHEDULE
  read -r smax eta <<< "${!sched}"
  [ -n "$eta" ] || { echo "$sched must be \"sigma_max etaScale\" (got \"${!sched}\")" >&2; exit 2; }
  ckptvar=${s^^}_CKPT
  ckpt=${!ckptvar:-training/checkpoints/$s.pt}
  export "${s^^}=--ckpt $ckpt --kind $s --sigma-max $smax --eta-scale $eta"
  tag=s$smax-e$eta
  lpvar=${s^^}_LEVEL_POWER
  if [ -n "${!lpvar:-}" ]; then  # level-weighted steps (reference_sampler --level-power): their own results
    # a number above 0, written one way (0.50 and .5 are the 0.5 run)
    lp=$(LC_ALL=C printf %g "${!lpvar}" 2>/dev/null) && awk -v p="$lp" 'BEGIN { exit !(p > 0) }' \
      || { echo "$lpvar must be a number above 0 (got \"${!lpvar}\"); leave it unset for a fixed step" >&2; exit 2; }
    optvar=${s^^}
    export "$optvar=${!optvar} --level-power $lp"
    tag=$tag-l$lp
  fi
  fbvar=${s^^}_FOLD_BAND
  case "${!fbvar:-}" in
    "") ;;
    1) optvar=${s^^}; export "$optvar=${!optvar} --fold-band"; tag=$tag-fb ;;
    *) echo "$fbvar must be 1 (got \"${!fbvar}\"); leave it unset for an unfiltered step" >&2; exit 2 ;;
  esac
  sha=$(sha256sum "$ckpt" | cut -c1-12)
  export "${s^^}_DIR=$OUT/whole-clip/$s-$sha-$tag"
  # the summary's name: the schedule, and the checkpoint's sha too when it is not the shipped one
  [ -n "${!ckptvar:-}" ] && tag=$sha-$tag
  export "${s^^}_TAG=$tag"
done

# "<source> <folder> <clip>" for every clip without a result, longest first
todo=$($PY - <<'PYEOF'
import os, sys
sys.path.insert(0, "training")
import soundfile as sf
from reference_sampler import eval_clips
rows = []
only = os.environ.get("ONLY", "").split()
for s in ("piano", "voice"):
    d = os.environ[f"{s.upper()}_DIR"]
    for p in eval_clips(s):
        name = os.path.basename(p)
        if not os.path.exists(f"{d}/{name}.json") and (not only or name in only):
            rows.append((sf.info(p).duration, s, d, name))
for _, s, d, name in sorted(rows, reverse=True):
    print(s, d, name)
PYEOF
)
if [ -n "$todo" ]; then
  echo "to run, longest first (logs in $LOGS):"
  echo "$todo" | sed 's/^/  /'
  # one clip per process; its JSON lands under its final name only once complete (temp, then rename)
  # (a clip another run finished meanwhile is skipped; each run writes its own temp file)
  echo "$todo" | xargs -P "${JOBS:-2}" -L 1 bash -c '
    mkdir -p "$1"
    if [ -e "$1/$2.json" ]; then echo "already done: $0 $2"; exit 0; fi
    if [ "$0" = piano ]; then args=$PIANO; else args=$VOICE; fi
    $R $args --clips "$2" --json "$1/$2.json.$$.tmp" > "$LOGS/$0-$2.log" 2>&1 && mv "$1/$2.json.$$.tmp" "$1/$2.json" \
      && echo "done: $0 $2" || echo "FAILED: $0 $2 (see $LOGS/$0-$2.log)"'
fi

$PY - <<'PYEOF'
import json, os, sys
sys.path.insert(0, "training")
from reference_sampler import eval_clips
left = 0
for s in ("piano", "voice"):
    d, tag = os.environ[f"{s.upper()}_DIR"], os.environ[f"{s.upper()}_TAG"]
    names = [os.path.basename(p) for p in eval_clips(s)]
    parts = {n: json.load(open(f"{d}/{n}.json")) for n in names if os.path.exists(f"{d}/{n}.json")}
    missing = [n for n in names if n not in parts]
    left += len(missing)
    settings = {json.dumps(p["settings"], sort_keys=True) for p in parts.values()}
    if len(settings) > 1:  # (a clip run with other options must not be averaged with the rest)
        raise SystemExit(f"{s}: the clips in {d} were run with different settings; delete the odd ones and rerun")
    for n, p in parts.items():
        c = p["clips"][n]
        print(f"{s:6s} {n:40s} spline {c['spline']:6.2f}  PnF {c['pnf']:6.2f}  gain {c['pnf'] - c['spline']:+.3f} dB  ({c['wall_s']} s)")
    if missing:
        print(f"{s:6s} {len(parts)} of {len(names)} clips done; still to run: {', '.join(missing)}")
        continue
    clips = {n: p["clips"][n] for n, p in parts.items()}
    spline = sum(c["spline"] for c in clips.values()) / len(clips)
    pnf = sum(c["pnf"] for c in clips.values()) / len(clips)
    out = {"clips": clips, "mean": {"spline": spline, "pnf": pnf, "gain": pnf - spline},
           "settings": next(iter(parts.values()))["settings"], "perClip": d,
           "command": (f"{s.upper()}_CKPT={os.environ[s.upper() + '_CKPT']} " if os.environ.get(s.upper() + "_CKPT") else "")
                      + (f"{s.upper()}_LEVEL_POWER={os.environ[s.upper() + '_LEVEL_POWER']} " if os.environ.get(s.upper() + "_LEVEL_POWER") else "")
                      + (f"{s.upper()}_FOLD_BAND=1 " if os.environ.get(s.upper() + "_FOLD_BAND") else "")
                      + f"{s.upper()}_SCHEDULE=\"{os.environ[s.upper() + '_SCHEDULE']}\" bash training/whole_clip_check.sh"}
    with open(f"{os.environ['OUT']}/whole-clip-{s}-{tag}.json", "w") as f:
        json.dump(out, f, indent=1)
    print(f"{s:6s} ({tag}) MEAN gain {pnf - spline:+.3f} dB -> {'PASSES' if pnf - spline >= 0.1 else 'does not pass'} (bar +0.1 dB)")
if left:
    print(f"{left} clip(s) still to run: rerun `bash training/whole_clip_check.sh` to go on (done clips are kept).")
    sys.exit(3)
PYEOF
