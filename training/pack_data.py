"""Pack / unpack a compact copy of the training data for a machine without fluidsynth/TTS.

  /usr/bin/python3 training/pack_data.py pack   [--minutes 12] [--out training/.pack/pnf-train-pack.npz]
                                                 [--data-dir training/.data,training/.data-more]
  python3          training/pack_data.py unpack --pack training/.pack/pnf-train-pack.npz --out /tmp/pnfdata

The pack is ONE .npz (numpy only, no soundfile/ffmpeg needed to read it): for each source and
split, whole clips (a deterministic subset, up to --minutes of training audio drawn from every
--data-dir folder and
--val-minutes of validation audio) as int16 first differences compressed with zlib (lossless
for the int16 signal), plus the clip manifests. Unpacking writes the same layout make_data.py
writes (<source>_<split>.npy/.json, summary.json), so train.py reads it unchanged.
The pack lives in a git-ignored folder: it is never committed, only carried.
"""
import argparse
import json
import os
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SR = 16000


def pack(data_dirs, out, minutes, val_minutes, seed=0):
    """data_dirs: one folder or several (a list, or "A,B" as train.py's --data-dir takes them). The
    training split draws its clips from all of them together (a deterministic random subset, so each
    folder's share follows its size); validation comes from the first folder only, as in train.py.
    A source or split no folder has is left out, with a message."""
    from train import data_folders, merged_summary  # (only packing needs train.py; unpack stays numpy only)
    dirs = data_folders(data_dirs)
    arrays = {}
    manifest = {}
    for src in ["piano", "voice"]:
        for split, mins in [("train", minutes), ("val", val_minutes)]:
            folders = dirs if split == "train" else dirs[:1]
            pool, header = [], None  # (folder's audio, clip) for every clip of every folder
            for d in folders:
                path = os.path.join(d, f"{src}_{split}.npy")
                if not os.path.exists(path):
                    continue
                a = np.load(path, mmap_mode="r")
                meta = json.load(open(os.path.join(d, f"{src}_{split}.json")))
                header = header or {k: v for k, v in meta.items() if k != "clips"}
                pool += [(a, c) for c in meta["clips"]]
            if not pool:
                print(f"[pack] {src}/{split}: no data in {', '.join(folders)}; "
                      f"left out (make it with training/data/make_data.py)", flush=True)
                continue
            order = np.random.default_rng(seed).permutation(len(pool))
            chosen, total = [], 0
            for i in order:
                if total >= mins * 60 * SR:
                    break
                chosen.append(int(i))
                total += pool[i][1]["length"]
            parts, off, newclips = [], 0, []
            for i in sorted(chosen):  # folder by folder, in each folder's order
                a, c = pool[i]
                parts.append(np.asarray(a[c["offset"]: c["offset"] + c["length"]], dtype=np.float32))
                newclips.append(dict(c, offset=off))
                off += c["length"]
            y = np.concatenate(parts)
            q = np.clip(np.round(y * 32767), -32767, 32767).astype(np.int16)
            d = np.diff(q.astype(np.int32), prepend=0).astype(np.int16)  # wraps are undone by cumsum in int16
            arrays[f"{src}_{split}"] = np.frombuffer(zlib.compress(d.tobytes(), 9), dtype=np.uint8)
            manifest[f"{src}_{split}"] = dict(header, clips=newclips, samples=int(len(q)))
            print(f"[pack] {src}/{split}: {len(newclips)} clips, {len(q) / SR / 60:.1f} min", flush=True)
    manifest["summary"] = {src: merged_summary(dirs, src) for src in ["piano", "voice"]}
    manifest["summary"]["packed"] = {"minutes": minutes, "valMinutes": val_minutes, "folders": len(dirs)}
    arrays["manifest"] = np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    np.savez(out, **arrays)
    print(f"[pack] wrote {out}: {os.path.getsize(out) / 1e6:.1f} MB", flush=True)


def unpack(path, out):
    z = np.load(path)
    manifest = json.loads(bytes(z["manifest"]).decode())
    os.makedirs(out, exist_ok=True)
    for key, meta in manifest.items():
        if key == "summary":
            with open(os.path.join(out, "summary.json"), "w") as f:
                json.dump(meta, f)
            continue
        d = np.frombuffer(zlib.decompress(bytes(z[key])), dtype=np.int16)
        q = np.cumsum(d, dtype=np.int16)  # int16 wrap-around inverts the int16 diff exactly
        np.save(os.path.join(out, f"{key}.npy"), (q.astype(np.float32) / 32767).astype(np.float32))
        with open(os.path.join(out, f"{key}.json"), "w") as f:
            json.dump(meta, f)
        print(f"[unpack] {key}: {len(q) / SR / 60:.1f} min", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["pack", "unpack"])
    ap.add_argument("--data-dir", default=os.path.join(HERE, ".data"),
                    help="data folder(s), comma-separated (e.g. training/.data,training/.data-more): training clips "
                         "from all, validation from the first")
    ap.add_argument("--pack", default=os.path.join(HERE, ".pack", "pnf-train-pack.npz"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--val-minutes", type=float, default=2)
    a = ap.parse_args()
    if a.mode == "pack":
        pack(a.data_dir, a.out or a.pack, a.minutes, a.val_minutes)
    else:
        unpack(a.pack, a.out or "/tmp/pnfdata")


if __name__ == "__main__":
    main()
