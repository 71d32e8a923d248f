"""Write piano's tune pieces (never ../shared/eval) as 16 kHz WAV files, so the editor's engine benches can run on them.

The same pieces tune_step_scale.py chooses the step on: tune_upsampling.piano_tune_clips (composed for the "tune"
split, rendered with the held-out soundfont, whole, at peak 0.9). Files go to OUT/piano/piece-J.wav (the layout
bench/eval/eval.ts loadClips reads), written to a temp file and renamed.

  /usr/bin/python3 training/write_tune_pieces.py --pieces 4 --piece-seconds 8 --out /tmp/tune
  /usr/bin/python3 training/write_tune_pieces.py --pieces 4 --only 0,1 --out /tmp/tune-a   # a subset, by index
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "data"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pieces", type=int, default=4)
    ap.add_argument("--piece-seconds", type=float, default=8.0)
    ap.add_argument("--only", default=None, help="comma-separated piece indices to write (default: all)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    import soundfile as sf
    from tune_upsampling import piano_tune_clips
    keep = None if a.only is None else {int(i) for i in a.only.split(",")}
    d = os.path.join(a.out, "piano")
    os.makedirs(d, exist_ok=True)
    for j, (name, _, y) in enumerate(piano_tune_clips(a.pieces, seconds=0, piece_seconds=a.piece_seconds)):
        if keep is not None and j not in keep:
            continue
        path = os.path.join(d, f"piece-{j}.wav")
        sf.write(path + ".tmp.wav", y, 16000, subtype="FLOAT")
        os.replace(path + ".tmp.wav", path)
        print(f"{path}: {name}, {len(y) / 16000:.2f} s")


if __name__ == "__main__":
    main()
