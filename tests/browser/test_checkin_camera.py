"""The scanner page's camera path (issue 11): where the browser offers `BarcodeDetector`, the
page films with the camera, reads badges from the frames and answers them like typed codes.

Headless Chromium on Linux has no BarcodeDetector, so an init script stands in for the
browser's decoder only: a minimal class that "sees" a real signed badge code once the test holds
a badge in front of the camera. Everything else is the real page in a real Chromium: the
camera permission, getUserMedia with Chromium's fake camera, the video, the page's frame loop,
the signature checked with WebCrypto, the answer shown, the upload counted by the server.
"""

import json

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from meetings.checkin.models import CheckIn
from meetings.extensions import db
from tests.browser.conftest import CHROMIUM
from tests.checkin_world import build_checkin_world

pytestmark = pytest.mark.browser

CAMERA_ARGS = ["--no-sandbox", "--use-fake-ui-for-media-stream",
               "--use-fake-device-for-media-stream"]

# The browser's decoder, and nothing more. `window.fakeDetector.held` is the badge held in front
# of the camera (null: none) and `hits` how many more frames it stays in view; every call is
# counted, with the size of the video frame it was given. getUserMedia stays the real one: its
# streams are only noted, so the test can see their tracks end.
FAKE_DETECTOR = """
(() => {
  const badges = %s;
  const fake = window.fakeDetector = {held: null, hits: 0, calls: 0, served: 0, widths: []};
  window.BarcodeDetector = class BarcodeDetector {
    constructor(options) { fake.formats = (options || {}).formats; }
    static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
    async detect(source) {
      fake.calls += 1;
      fake.widths.push(source.videoWidth || 0);
      if (fake.held === null || fake.hits <= 0) return [];
      fake.hits -= 1;
      fake.served += 1;
      return [{rawValue: badges[fake.held], format: "qr_code",
               boundingBox: {x: 10, y: 10, width: 100, height: 100}, cornerPoints: []}];
    }
  };
  window.cameraStreams = [];
  const media = navigator.mediaDevices;
  const realGetUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    const stream = await realGetUserMedia(constraints);
    window.cameraStreams.push(stream);
    return stream;
  };
})();
"""


@pytest.fixture
def camera_page(browser):
    """A page in its own Chromium with a fake camera, the camera permission granted and the
    stand-in decoder; the badges it can "see" are set by the test before the page loads."""
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                           args=CAMERA_ARGS)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                   timezone_id="America/New_York", permissions=["camera"])
    context.set_default_timeout(10_000)

    def open_with(badges: dict[str, str]):
        context.add_init_script(FAKE_DETECTOR % json.dumps(badges))
        return context.new_page()

    yield open_with
    context.close()
    chromium.close()


def hold(page, badge: str | None, frames: int = 1) -> None:
    """Hold a badge in front of the camera for so many frames (None: take it away)."""
    page.evaluate("([badge, frames]) => Object.assign(window.fakeDetector, "
                  "{held: badge, hits: frames})", [badge, frames])


def fake(page, name: str):
    return page.evaluate(f"window.fakeDetector.{name}")


def tracks(page, stream: int) -> list[str]:
    return page.evaluate("(n) => window.cameraStreams[n].getTracks()"
                         ".map((t) => t.kind + ':' + t.readyState)", stream)


def answer(page) -> tuple[str, str, str]:
    return (page.locator("#answer-verdict").inner_text(),
            page.locator("#answer-name").inner_text(),
            page.locator("#answer").get_attribute("data-reason"))


def check_ins(app) -> list[tuple[int, str, bool, str, bool, bool]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(CheckIn).order_by(CheckIn.id)).all()
        return [(row.registration_id, row.kind.value, row.admitted, row.reason,
                 row.device_admitted, row.offline) for row in rows]


def test_camera_reads_a_badge_once_and_stops(app, live_url, camera_page):
    world = build_checkin_world(app)
    page = camera_page({"officer": world.codes[world.officer],
                        "official": world.codes[world.official]})
    page.goto(f"{live_url}/checkin/device/{world.token}")
    page.wait_for_selector("body[data-checkin-ready=yes]")
    page.locator("#kind-entry").check()
    camera, video = page.locator("#camera"), page.locator("#camera-view")
    expect(camera).to_be_visible()  # the browser offers a BarcodeDetector
    expect(video).to_be_hidden()

    # Started, the fake camera films: the video is shown and its frames go to the decoder.
    camera.click()
    expect(video).to_be_visible()
    expect(camera).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => document.getElementById('camera-view').readyState >= 2"
                           " && window.fakeDetector.calls >= 3")
    assert fake(page, "formats") == ["qr_code"]
    assert tracks(page, 0) == ["video:live"]
    expect(page.locator("#log li")).to_have_count(0)  # nothing seen, nothing scanned

    # A badge in front of the camera: verified, answered, uploaded, and the camera stops.
    hold(page, "officer")
    expect(page.locator("#log li")).to_have_count(1)
    assert answer(page) == ("ADMITTED", "Given1 Family1", "valid")
    assert fake(page, "widths")[-1] > 0  # real frames of the fake camera reached the decoder
    expect(video).to_be_hidden()
    expect(camera).to_have_attribute("aria-pressed", "false")
    assert tracks(page, 0) == ["video:ended"]
    expect(page.locator("#network")).to_have_attribute("data-waiting", "0")
    admitted = (world.officer, "entry", True, "valid", True, False)
    assert check_ins(app) == [admitted]

    # Started again at once with the same badge still in view for several frames: the same
    # code read right after is ignored, not answered "already admitted" nor counted again.
    calls = fake(page, "calls")
    hold(page, "officer", frames=3)
    camera.click()
    expect(video).to_be_visible()
    page.wait_for_function("(calls) => window.fakeDetector.served === 4"
                           " && window.fakeDetector.calls >= calls + 5", arg=calls)
    expect(page.locator("#log li")).to_have_count(1)
    assert answer(page) == ("ADMITTED", "Given1 Family1", "valid")
    assert check_ins(app) == [admitted]
    assert tracks(page, 1) == ["video:live"]

    # Switched off: the video goes, the camera's tracks end, the decoder is no longer asked.
    camera.click()
    expect(video).to_be_hidden()
    expect(camera).to_have_attribute("aria-pressed", "false")
    assert tracks(page, 1) == ["video:ended"]
    calls = fake(page, "calls")
    page.wait_for_timeout(800)
    assert fake(page, "calls") == calls
    assert len(page.evaluate("window.cameraStreams")) == 2

    # Another badge right after is read at once (only the same code is held back).
    camera.click()
    expect(video).to_be_visible()
    hold(page, "official")
    expect(page.locator("#log li")).to_have_count(2)
    assert answer(page) == ("ADMITTED", "Given2 Family2", "valid")
    expect(video).to_be_hidden()
    assert tracks(page, 2) == ["video:ended"]
    expect(page.locator("#network")).to_have_attribute("data-waiting", "0")
    assert check_ins(app) == [admitted, (world.official, "entry", True, "valid", True, False)]
