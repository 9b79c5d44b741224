"""Record (synthesise, once) the voice-over for `water-cycle-voiceover.yaml`, the way a teacher
would record a lesson in one take: the same narration as the storyboard, read with a few small
departures from the script, and natural pauses between the paragraphs.

    python projects/water-cycle/make_voiceover.py

writes assets/narration.ogg (Opus, mono). The file is shipped, so building the example needs
no synthesis of the narration: the film follows the recording.
"""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path

from pipeline.audio.tts import Speaker, find_model
from pipeline.edit import ffmpeg
from pipeline.spec import Voice

HERE = Path(__file__).resolve().parent
PAUSE = 0.9  # seconds between paragraphs, as a teacher breathes and turns the page

# As read: compare with the narration in water-cycle-voiceover.yaml.
PARAGRAPHS = [
    "Every single drop of water on Earth is on a journey. Today we will follow it around the water cycle.",
    "It starts with evaporation. The sun heats the sea, and water rises into the air as invisible vapour.",
    "High above, the vapour cools. It condenses into tiny droplets, and the droplets gather into clouds.",
    "When the droplets grow too heavy, they fall as rain, or as snow on the mountains. That is precipitation.",
    "Finally, collection. Rivers and groundwater carry the water back to the lakes and to the sea.",
    "And then the journey begins again. The water you drink today may once have fallen as snow.",
]


def main() -> None:
    speaker = Speaker()
    model = find_model("joe", HERE)
    voice = Voice(rate=0.95)
    with tempfile.TemporaryDirectory() as folder:
        joined = Path(folder) / "take.wav"
        with wave.open(str(joined), "wb") as out:
            out.setnchannels(1), out.setsampwidth(2), out.setframerate(48000)
            out.writeframes(b"\0\0" * 24000)
            for n, paragraph in enumerate(PARAGRAPHS):
                clip = Path(folder) / f"{n}.wav"
                speaker.speak(paragraph, voice, model, clip)
                with wave.open(str(clip), "rb") as handle:
                    out.writeframes(handle.readframes(handle.getnframes()))
                out.writeframes(b"\0\0" * round(PAUSE * 48000))
        ffmpeg.run(["-i", str(joined), "-c:a", "libopus", "-b:a", "32k", "-ac", "1", str(HERE / "assets" / "narration.ogg")])


if __name__ == "__main__":
    main()
