"""Build the tiny random-weight Wan pipeline this example is rendered with (no download):

    python projects/generated/make_model.py

writes models/tiny-wan/ (a few hundred KB, saved with diffusers' save_pretrained). Swap it for
a real model in storyboard.yaml (`model: Wan-AI/Wan2.1-T2V-1.3B-Diffusers`) to make the film.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.testing.tiny_pipelines import save_wan_text_to_video

FOLDER = Path(__file__).resolve().parent / "models" / "tiny-wan"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER
    save_wan_text_to_video(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
