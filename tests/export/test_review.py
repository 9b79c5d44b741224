"""The review page (review.html) in a real headless Chromium: it loads with no errors and no
failed request, the cut plays (H.264 + AAC), its subtitles load, clicking a shot's card shows
that shot's first frame, and what writers typed is shown as text, never run.

The page is served over http://127.0.0.1 from a thread here rather than opened as file://: a
page opened from disk may not load the <track> beside it (Chromium treats each file as its own
origin and refuses it, with a console error), so only over http does "no console errors" mean
something. The file:// case is checked apart: the page adds the cues itself there.

Driven by Selenium through Debian's chromedriver (the `chromium-driver` package, the same
version as `chromium`). Skipped when the browser is missing, unless FILM_REQUIRE_BROWSER=1
(CI), where that is a failure. One browser for the whole file.
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import io
import json
import os
import re
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import frame_at
from pipeline.export import review

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900", "--hide-scrollbars")
RANGE = re.compile(r"bytes=(\d*)-(\d*)")
HOSTILE = "</script><script>window.pwned = 1</script> \"quoted\" & 'single' <b>bold</b>"


def missing_browser() -> list[str]:
    """What of Chromium, its driver and Selenium is not here."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    return missing


MISSING = missing_browser()
REQUIRED = os.environ.get("FILM_REQUIRE_BROWSER") == "1"
WHY = f"no headless browser: {', '.join(MISSING)} missing (apt-get install chromium chromium-driver)"
# Skipped before any fixture is made (the example film is not built for nothing), unless required.
pytestmark = pytest.mark.skipif(bool(MISSING) and not REQUIRED, reason=WHY)


class Ranged(http.server.SimpleHTTPRequestHandler):
    """A static file server that answers byte ranges (`Range: bytes=A-B`), as any web server
    does: without them a browser cannot seek in a video it has not read to the end."""

    def send_head(self):
        found = RANGE.fullmatch(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if not found or not any(found.groups()) or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first = int(found[1]) if found[1] else max(0, size - int(found[2]))
        last = min(int(found[2]), size - 1) if found[1] and found[2] else size - 1
        if first >= size or first > last:
            self.send_error(416)
            return None
        with path.open("rb") as file:
            file.seek(first)
            body = file.read(last - first + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def browser(lighthouse, tmp_path_factory):
    """(driver, base URL of lighthouse's render folder, the page written): review.html written
    once, the folder served over http on a free port, one Chromium."""
    if MISSING:
        pytest.fail(f"{WHY}, and FILM_REQUIRE_BROWSER=1")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    (page,) = review.write(lighthouse, lighthouse.folder.parent)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Ranged, directory=str(page.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS + (f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_script_timeout(20)
    try:
        yield driver, f"http://127.0.0.1:{server.server_port}/", page
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()


def problems(driver) -> list[str]:
    """Console errors and failed requests since the last call (a media request the player
    cancels itself, seeking, is not one)."""
    found = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    for entry in driver.get_log("performance"):
        event = json.loads(entry["message"])["message"]
        params = event.get("params", {})
        if event["method"] == "Network.loadingFailed" and not params.get("canceled"):
            found.append(f"request failed: {params.get('errorText')}")
        if event["method"] == "Network.responseReceived" and params["response"]["status"] >= 400:
            found.append(f"{params['response']['url']}: HTTP {params['response']['status']}")
    return found


def open_page(driver, url: str) -> None:
    """Load `url` and wait until its video has data (or failed)."""
    driver.get(url)
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1], video = document.getElementById("cut");
        if (video.readyState >= 2 || video.error) done();
        else { video.addEventListener("loadeddata", done, {once: true}); video.addEventListener("error", done, {once: true}); }
    """)


def test_the_page_is_one_offline_file(lighthouse, browser):
    """Pictures inlined, the cut and its subtitles named beside it, nothing from the network,
    one card per shot with its frames, times, prompt, lines and what the build did."""
    _, _, page = browser
    text = page.read_text(encoding="utf-8")
    assert '<video id="cut"' in text and 'src="final.mp4"' in text
    assert '<track kind="subtitles"' in text and 'src="subtitles.vtt" default' in text
    assert "http://" not in text and "https://" not in text and "//cdn" not in text
    plan = lighthouse.plan
    assert text.count('<article class="shot"') == len(plan.shots)
    assert text.count('src="data:image/jpeg;base64,') == 3 * len(plan.shots)
    wick = next(s for s in plan.shots if s.id == "wick")
    start = plan.starts()[plan.shots.index(wick)]
    assert f"frame {start})" in text and f"({wick.frames} frames)" in text
    assert html.escape(wick.texts[0][1]) in text and html.escape(wick.prompt) in text
    built, words = {r.id: r for r in lighthouse.results}, re.sub(r"<[^>]+>", "", text)
    for job in lighthouse.graph.by_shot["wick"]:
        assert f"{html.escape(job)}: {built[job].status}" in words   # this build made them all: "rendered (new)"


def test_the_page_loads_clean_and_the_cut_plays(browser):
    driver, url, _ = browser
    open_page(driver, url + "review.html")
    state = driver.execute_async_script("""
        const done = arguments[arguments.length - 1], video = document.getElementById("cut");
        const ready = video.readyState, codecs = video.canPlayType('video/mp4; codecs="avc1.640028, mp4a.40.2"');
        video.muted = true;
        video.play().then(() => setTimeout(() => {
            video.pause();
            done({ready, codecs, at: video.currentTime, error: video.error && video.error.code,
                  width: video.videoWidth, audio: video.webkitAudioDecodedByteCount});
        }, 600), (e) => done({ready, codecs, failed: String(e)}));
    """)
    assert state.get("failed") is None and state["error"] is None, state
    assert state["ready"] >= 2 and state["codecs"] in ("probably", "maybe"), state
    assert state["at"] > 0.2 and state["width"] > 0, state   # it advanced: frames were decoded
    assert state["audio"] > 0, state                          # and the AAC track too
    assert problems(driver) == []


def test_the_subtitles_track_is_loaded(lighthouse, browser):
    import pysubs2

    driver, url, _ = browser
    if not driver.current_url.startswith(url):
        open_page(driver, url + "review.html")
    tracks = driver.execute_async_script("""
        const done = arguments[arguments.length - 1], element = document.querySelector("#cut track");
        const report = () => done({state: element.readyState, tracks: Array.from(document.getElementById("cut").textTracks)
            .map((t) => ({kind: t.kind, mode: t.mode, cues: t.cues ? Array.from(t.cues).map((c) => c.text) : null}))});
        if (element.readyState >= 2) report(); else { element.addEventListener("load", report); element.addEventListener("error", report); }
    """)
    expected = [e.text.replace("\\N", "\n") for e in pysubs2.load(str(lighthouse.folder / "subtitles.vtt"))]
    assert tracks["state"] == 2   # HTMLTrackElement.LOADED: read from subtitles.vtt itself
    assert tracks["tracks"] == [{"kind": "subtitles", "mode": "showing", "cues": expected}]
    assert len(expected) > 3
    assert problems(driver) == []


def test_clicking_a_shot_shows_its_first_frame(lighthouse, browser):
    """A shot in the middle of the film: the video lands inside its first frame, and the
    picture drawn is that frame of the cut (the one before it is another shot's, across a cut)."""
    from selenium.webdriver.common.by import By

    driver, url, _ = browser
    if not driver.current_url.startswith(url):
        open_page(driver, url + "review.html")
    plan = lighthouse.plan
    index = len(plan.shots) // 2
    shot, start = plan.shots[index], plan.starts()[index]
    assert plan.shots[index - 1].transition == "cut" and start > 0   # the frame before is another picture
    card = driver.find_element(By.CSS_SELECTOR, f'article[data-shot="{shot.id}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", card)
    seeked = driver.execute_async_script("""
        const done = arguments[arguments.length - 1], video = document.getElementById("cut");
        video.addEventListener("seeked", () => requestAnimationFrame(() => {
            const canvas = document.createElement("canvas");
            canvas.width = video.videoWidth; canvas.height = video.videoHeight;
            canvas.getContext("2d").drawImage(video, 0, 0);
            done({at: video.currentTime, picture: canvas.toDataURL("image/png"),
                  playing: document.querySelector(".shot.playing").dataset.shot});
        }), {once: true});
        arguments[0].click();
    """, card)
    fps = plan.fmt.fps
    frame = seeked["at"] * fps.numerator / fps.denominator
    assert start <= frame < start + 1, (seeked["at"], start)   # within half a frame of the middle of it
    assert abs(seeked["at"] - (start + 0.5) / float(fps)) < 0.5 / float(fps)
    assert seeked["playing"] == shot.id
    shown = np.asarray(Image.open(io.BytesIO(base64.b64decode(seeked["picture"].split(",", 1)[1]))).convert("RGB"),
                       np.float32)
    wanted = frame_at(lighthouse.output, start).astype(np.float32)
    before = frame_at(lighthouse.output, start - 1).astype(np.float32)
    assert shown.shape == wanted.shape
    off, other = np.abs(shown - wanted).mean(), np.abs(shown - before).mean()
    assert off < 4 and other > 3 * off, (off, other)
    assert problems(driver) == []


def test_writers_text_is_shown_never_run(lighthouse, browser, tmp_path):
    """A prompt, a line and a speaker holding `</script>`, quotes and tags: shown as typed, and
    the page's script still runs (the cards seek)."""
    from selenium.webdriver.common.by import By

    driver, _, _ = browser
    shots = tuple(replace(s, prompt=HOSTILE, texts=((HOSTILE, HOSTILE),)) if s.id == "wick" else s
                  for s in lighthouse.plan.shots)
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name in ("final.mp4", "subtitles.vtt"):
        os.link(lighthouse.folder / name, folder / name)
    (page,) = review.write(replace(lighthouse, plan=replace(lighthouse.plan, shots=shots), folder=folder),
                           tmp_path)
    driver.get(page.as_uri())
    card = driver.find_element(By.CSS_SELECTOR, 'article[data-shot="wick"]')
    assert card.find_element(By.CSS_SELECTOR, ".prompt").get_attribute("textContent") == HOSTILE
    assert card.find_element(By.CSS_SELECTOR, ".lines li").get_attribute("textContent") == f"{HOSTILE}: {HOSTILE}"
    assert driver.execute_script("return window.pwned === undefined && typeof REVIEW === 'object'")
    assert not card.find_elements(By.CSS_SELECTOR, "b")
    driver.get_log("browser")
    driver.get_log("performance")


def test_opened_from_disk_it_still_plays_with_subtitles(browser):
    """file://: Chromium refuses the track beside the page; the page adds the same cues itself."""
    driver, _, page = browser
    open_page(driver, page.as_uri())
    state = driver.execute_async_script("""
        const done = arguments[arguments.length - 1], video = document.getElementById("cut");
        setTimeout(() => done({ready: video.readyState, showing: Array.from(video.textTracks)
            .filter((t) => t.mode === "showing").map((t) => t.cues.length)}), 300);
    """)
    cues = json.loads(driver.execute_script("return JSON.stringify(REVIEW.cues.length)"))
    assert state["ready"] >= 2 and state["showing"] == [cues] and cues > 3, state
    driver.get_log("browser")
    driver.get_log("performance")


def test_screenshot(lighthouse, browser, tmp_path):
    """The page as a reviewer sees it, with a shot picked: a 1280-wide picture, not blank.
    FILM_REVIEW_SCREENSHOT=PATH keeps a copy (the README's docs/review.png is one)."""
    from selenium.webdriver.common.by import By

    driver, url, _ = browser
    open_page(driver, url + "review.html")
    driver.find_element(By.CSS_SELECTOR, 'article[data-shot="wick"]').click()
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1], video = document.getElementById("cut");
        const settle = () => setTimeout(done, 1000);   // past the player's loading spinner, which lingers
        video.addEventListener("seeked", () => video.readyState >= 3 ? settle()
            : video.addEventListener("canplay", settle, {once: true}), {once: true});
        video.currentTime = 19;
    """)
    path = tmp_path / "review.png"
    assert driver.save_screenshot(str(path))
    with Image.open(path) as shot:
        picture = np.asarray(shot.convert("RGB"), np.float32)
    assert picture.shape[1] == 1280 and picture.std() > 20
    if os.environ.get("FILM_REVIEW_SCREENSHOT"):
        shutil.copyfile(path, os.environ["FILM_REVIEW_SCREENSHOT"])
    assert problems(driver) == []


def test_a_generated_shots_takes_are_side_by_side(browser, tmp_path, monkeypatch):
    """A shot with `takes: 2`: a frame of each take, labelled, the one in the cut marked (a
    tiny random-weight pipeline: seconds)."""
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    from selenium.webdriver.common.by import By

    from conftest import write_project
    from pipeline.build import build
    from pipeline.testing.tiny_pipelines import one_thread, save_stable_diffusion

    monkeypatch.setenv("FILM_MODELS", str(tmp_path / "models"))
    with one_thread():
        model = save_stable_diffusion(tmp_path / "models" / "sd").name
        path = write_project(tmp_path / "tiny", f"""\
            title: Tiny
            size: 96x64
            fps: 12
            speech: false
            title_card: false
            generator: {{name: diffusers, model: {model}, size: 32x32, steps: 2, guidance: 1.0}}
            scenes:
              - heading: EXT. SEA - NIGHT
                shots:
                  - {{id: one, prompt: waves, duration: 1, takes: 2, take: 2}}
                  - {{id: two, prompt: rocks, duration: 1}}
        """)
        result = build(path.parent, renders=tmp_path / "renders")
    (page,) = review.write(result, tmp_path / "renders")
    driver, _, _ = browser
    driver.get(page.as_uri())
    one = driver.find_element(By.CSS_SELECTOR, 'article[data-shot="one"]')
    takes = one.find_elements(By.CSS_SELECTOR, ".takes figure")
    labels = [t.get_attribute("textContent") for t in takes]
    assert len(labels) == 2 and labels[0].startswith("take 1 (seed ") and labels[1].startswith("take 2 (seed ")
    assert [t.get_attribute("class") for t in takes] == ["", "chosen"] and labels[1].endswith("in the cut")
    pictures = [t.find_element(By.TAG_NAME, "img") for t in takes]
    assert all(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", p)
               for p in pictures)
    assert pictures[0].get_attribute("src") != pictures[1].get_attribute("src")   # two seeds, two pictures
    from pipeline.generators.diffusers import take_seed

    seed = take_seed(result.plan.shots[0].seed, 2)   # the seed of the take in the cut, not the shot's
    assert one.find_element(By.CSS_SELECTOR, ".seed").get_attribute("textContent") == f"seed {seed} · take 2 of 2"
    assert not driver.find_elements(By.CSS_SELECTOR, 'article[data-shot="two"] .takes')
    driver.get_log("browser")
    driver.get_log("performance")
