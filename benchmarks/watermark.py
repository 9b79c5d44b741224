"""How well the invisible mark (pipeline.watermark) survives, and what it costs.

Prints, measured in this run, at 1280x720 (and 1080x1920 vertical, 640x360 preview):
- per content (lighthouse frames if built, testsrc2, mandelbrot, a flat colour, cellauto noise):
  confidence, found, and bit errors of the 32 bits after a copy re-encoded with libx264 at
  CRF 28 and scaled to 50%, at CRF 32 and 50%, with the first 2 s trimmed (CRF 28, 50%), and
  through 8-bit RGB (CRF 28, 50%);
- false positives: the same copies of the unmarked videos, tried with the real key and 200 other
  keys (each key an independent trial of the detector on unmarked video);
- PSNR of the marked against the unmarked encode (luma), and of the mark alone;
- embed cost (ms/frame, encode with the mark against without) and detection time;
- the same survival figures for `invisible-watermark`'s dwtDct (Python per frame) when
  `imwatermark` imports (it needs cv2, pywt; torch is stubbed: dwtDct does not use it), e.g.
  PYTHONPATH=/tmp/wm-helper/venv/lib/python3.11/site-packages python benchmarks/watermark.py

    python benchmarks/watermark.py [--quick]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import watermark as wm          # noqa: E402
from pipeline.edit import ffmpeg              # noqa: E402

FF = ffmpeg.exe()
LIGHTHOUSE = Path("/tmp/wm-helper/renders/lighthouse/preview/final.mp4")
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-bf", "0", "-pix_fmt", "yuv420p",
          "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv", "-an"]
ATTACKS = {
    "crf28 50%": ["-vf", "scale=iw/2:ih/2", "-crf", "28"],
    "crf32 50%": ["-vf", "scale=iw/2:ih/2", "-crf", "32"],
    "trim2s crf28 50%": ["-ss", "2", "-vf", "scale=iw/2:ih/2", "-crf", "28"],
    "rgb crf28 50%": ["-vf", "scale=iw/2:ih/2,format=rgb24,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
                      "-crf", "28"],
}


def ff(args):
    subprocess.run([FF, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *[str(a) for a in args]], check=True)


def conform(w, h):
    return (f"scale={w}:{h}:out_color_matrix=bt709:out_range=tv,format=yuv420p,"
            "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")


def sources(w, h):
    found = {"testsrc2": ["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=24"],
             "mandelbrot": ["-f", "lavfi", "-i", f"mandelbrot=s={w}x{h}:r=24"],
             "flat": ["-f", "lavfi", "-i", f"color=c=0x5a7d9a:s={w}x{h}:r=24"],
             "cellauto": ["-f", "lavfi", "-i", f"cellauto=s={w // 4}x{h // 4}:r=24:rule=18:seed=7"]}
    if LIGHTHOUSE.exists():
        found = {"lighthouse": ["-ss", "4", "-i", LIGHTHOUSE], **found}
    return found


def gray(path, w, h, frames=24):
    raw = subprocess.run([FF, "-v", "error", "-i", str(path), "-frames:v", str(frames), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w).astype(np.float64)


def psnr(a, b):
    return 10 * np.log10(255 ** 2 / max(np.mean((a - b) ** 2), 1e-12))


def attack(src, out, args):
    ff(["-i", src, *args, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", out])
    return out


def errors(path, payload):
    grid = wm.Grid.of(*ffmpeg_size(path))
    scores = wm.bit_scores(wm.read_frames(Path(path), grid, wm.FRAMES), grid)
    return int(np.sum((scores > 0) != (wm._bits(payload) > 0)))


def ffmpeg_size(path):
    info = ffmpeg.probe(path)
    return info.width, info.height


def ours(folder: Path, w: int, h: int, frames: int, names=None):
    print(f"\n== ours: {w}x{h}, {frames} frames at 24 fps, CELLS={wm.CELLS}, AMPLITUDE={wm.AMPLITUDE} RMS, "
          f"threshold {wm.THRESHOLD}")
    payload = wm.payload_for("lighthouse-film")
    mark = folder / f"mark-{w}x{h}.png"
    t = time.perf_counter()
    wm.write_mark(mark, w, h, payload)
    print(f"mark image: {1000 * (time.perf_counter() - t):.0f} ms; alone: PSNR "
          f"{psnr(wm.mark_image(w, h, payload).astype(float), 128.0):.2f} dB")
    unmarked_copies = []
    for name, src in sources(w, h).items():
        if names and name not in names:
            continue
        plain, marked = folder / f"{name}-{w}-plain.mp4", folder / f"{name}-{w}-marked.mp4"
        t = time.perf_counter()
        ff([*src, "-frames:v", frames, "-vf", conform(w, h), *ENCODE, plain])
        t_plain = time.perf_counter() - t
        t = time.perf_counter()
        ff([*src, "-loop", "1", "-i", mark, "-frames:v", frames, "-filter_complex",
            f"[0:v]{conform(w, h)}[v];" + wm.mark_filter("v", "1:v", "out"), "-map", "[out]", *ENCODE, marked])
        t_marked = time.perf_counter() - t
        print(f"{name:10s} PSNR marked/unmarked {psnr(gray(marked, w, h), gray(plain, w, h)):.2f} dB; encode "
              f"{1000 * t_plain / frames:.1f} ms/frame, with mark {1000 * t_marked / frames:.1f} "
              f"(+{1000 * (t_marked - t_plain) / frames:.1f})")
        for label, args in ATTACKS.items():
            copy = attack(marked, folder / f"{name}-{w}-m-{label.replace(' ', '_')}.mp4", args)
            t = time.perf_counter()
            found = wm.detect(copy)
            took = time.perf_counter() - t
            plain_copy = attack(plain, folder / f"{name}-{w}-p-{label.replace(' ', '_')}.mp4", args)
            unmarked_copies.append(plain_copy)
            null = wm.detect(plain_copy)
            print(f"    {label:17s} marked: found={found.found!s:5s} right={found.payload == payload!s:5s} "
                  f"bit errors {errors(copy, payload):2d}/32 conf {found.confidence:6.2f} weakest |z| "
                  f"{found.weakest:.2f} ({took:.2f} s) | unmarked: found={null.found} conf {null.confidence:5.2f}")
    return unmarked_copies


def false_positives(copies, keys=200):
    """Each unmarked copy tried with the real key and `keys` others."""
    original = wm.KEY
    confidences, found = [], 0
    frames = {}
    try:
        for copy in copies:
            size = ffmpeg_size(copy)
            for k in range(keys + 1):
                wm.KEY = original if k == 0 else original + f"/trial{k}".encode()
                wm.layout.cache_clear()
                grid = wm.Grid.of(*size)
                if (copy, grid) not in frames:
                    frames[(copy, grid)] = wm.read_frames(Path(copy), grid, wm.FRAMES)
                d = wm.decide(wm.bit_scores(frames[(copy, grid)], grid), 0)
                confidences.append(d.confidence)
                found += d.found
    finally:
        wm.KEY = original
        wm.layout.cache_clear()
    c = np.array(confidences)
    print(f"\n== false positives: {len(c)} trials ({len(copies)} unmarked copies x {keys + 1} keys): found {found}; "
          f"confidence mean {c.mean():.2f} sd {c.std():.2f} max {c.max():.2f} (threshold {wm.THRESHOLD})")


def dwtdct(folder: Path, w: int, h: int, frames: int):
    try:
        sys.modules.setdefault("torch", types.ModuleType("torch"))   # only rivaGan uses it
        from imwatermark.maxDct import EmbedMaxDct
    except ImportError as error:
        print(f"\n== invisible-watermark dwtDct: skipped (imwatermark does not import: {error})")
        return
    print(f"\n== invisible-watermark dwtDct (its defaults: scales [0,36,36], block 4): {w}x{h}, {frames} frames")
    payload = wm.payload_for("lighthouse-film")
    bits = [int(b) for b in wm._bits(payload)]
    for name, src in sources(w, h).items():
        if name not in ("lighthouse", "testsrc2", "flat"):
            continue
        raw = subprocess.run([FF, "-v", "error", *map(str, src), "-frames:v", str(frames), "-vf", conform(w, h),
                              "-f", "rawvideo", "-pix_fmt", "bgr24", "-"], capture_output=True, check=True).stdout
        video = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
        encoder = EmbedMaxDct(watermarks=bits, wmLen=32)
        t = time.perf_counter()
        marked_frames = np.stack([encoder.encode(frame.copy()) for frame in video])
        embed = (time.perf_counter() - t) / len(video)
        outs = {}
        for kind, data in (("plain", video), ("marked", marked_frames)):
            outs[kind] = folder / f"dwt-{name}-{kind}.mp4"
            subprocess.run([FF, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}",
                            "-r", "24", "-i", "-", "-vf", conform(w, h), *ENCODE, str(outs[kind])],
                           input=data.tobytes(), check=True)
        p = psnr(gray(outs["marked"], w, h), gray(outs["plain"], w, h))
        line = [f"{name:10s} PSNR {p:.2f} dB, embed {1000 * embed:.0f} ms/frame (Python)"]
        for label in ("none", "crf28 50%", "crf32 50%"):
            copy = outs["marked"] if label == "none" else attack(outs["marked"], folder / f"dwt-{name}-{label[:5]}.mp4",
                                                                 ATTACKS[label])
            # scaled back to the original size, as its decoder needs
            raw = subprocess.run([FF, "-v", "error", "-i", str(copy), "-frames:v", "12", "-vf", f"scale={w}:{h}",
                                  "-f", "rawvideo", "-pix_fmt", "bgr24", "-"], capture_output=True, check=True).stdout
            got = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
            t = time.perf_counter()
            votes = np.mean([encoder.decode(frame) for frame in got], axis=0) > 0.5
            took = time.perf_counter() - t
            line.append(f"{label}: bit errors {int(np.sum(votes != np.array(bits, bool)))}/32 ({took / len(got):.2f} s/frame)")
        print("    " + "; ".join(line))


def main():
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory(prefix="wm-bench-") as name:
        folder = Path(name)
        copies = ours(folder, 1280, 720, 96 if quick else 288)
        if not quick:
            copies += ours(folder, 1080, 1920, 96, names=("lighthouse", "testsrc2"))
            copies += ours(folder, 640, 360, 288, names=("lighthouse", "testsrc2"))
        false_positives(copies, keys=50 if quick else 200)
        dwtdct(folder, 1280, 720, 24)


if __name__ == "__main__":
    main()
