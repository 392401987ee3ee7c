"""In real Chromium, on the warehouse page: the camera reads the slip's QR code and lands on the parcel,
and a barcode scanner typing the code and Enter does the same (issue 15).

The camera is Chromium's fake capture device playing a video made here from the generated slip.
"""

from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from claims.lifecycle import Status
from claims.slip import SlipSize, render_slip
from tests.admin.conftest import staff
from tests.admin.test_browser import staff_page
from tests.factories import ensure_roles, make_claim
from tests.portal.conftest import CHROMIUM
from tests.slips import code_box, page_image

FRAME = (640, 480)


def slip_video(pdf: bytes, path: Path, *, symbology: str, frames: int = 10) -> Path:
    """A Y4M video of one of the slip's codes held in front of the camera, for Chromium's fake device."""
    page = page_image(pdf, dpi=300)
    left, top, width, height = code_box(page, symbology)
    margin = max(width, height) // 8
    code = page.crop((left - margin, top - margin, left + width + margin, top + height + margin))
    code.thumbnail((FRAME[0] - 40, FRAME[1] - 40))
    picture = Image.new("RGB", FRAME, "white")
    picture.paste(code, ((FRAME[0] - code.width) // 2, (FRAME[1] - code.height) // 2))
    luma, blue, red = picture.convert("YCbCr").split()
    half = (FRAME[0] // 2, FRAME[1] // 2)
    frame = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + frame)
    return path


@pytest.fixture
def camera_browser(chromium, tmp_path):
    """Launches a second Chromium whose camera plays a video: the fake device is chosen at launch."""
    launched = []

    def launch(video: Path):
        browser = chromium.browser_type.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


def scan_page(desk, live_server) -> None:
    """The warehouse page, once its RMA field has the focus: where a barcode scanner's keystrokes go."""
    desk.goto(f"{live_server.url}{reverse('admin:claims_claim_warehouse')}")
    desk.wait_for_function("document.activeElement && document.activeElement.id === 'id_rma'")


def parcel_url(live_server, claim) -> str:
    return f"{live_server.url}{reverse('admin:claims_claim_warehouse_claim', args=[claim.pk])}"


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("symbology", ["QRCODE", "CODE128"])
def test_the_camera_reads_the_slip_and_lands_on_the_parcel(camera_browser, live_server, tmp_path, symbology):
    ensure_roles()
    desk_user = staff("Warehouse staff", email="scan-camera@asm.example")
    claim = make_claim(Status.APPROVED)
    video = slip_video(render_slip(claim, size=SlipSize.A6), tmp_path / "slip.y4m", symbology=symbology)
    browser = camera_browser(video)

    desk = staff_page(browser, live_server, desk_user.email)
    desk.context.grant_permissions(["camera"], origin=live_server.url)
    desk.set_viewport_size({"width": 390, "height": 844})  # a phone
    desk.goto(f"{live_server.url}{reverse('admin:claims_claim_warehouse')}")
    # Linux Chromium has no BarcodeDetector: this is the vendored ZXing reading the frames.
    assert desk.evaluate("'BarcodeDetector' in window") is False
    desk.click("#asm-scan-start")

    desk.wait_for_url(parcel_url(live_server, claim), timeout=20_000)
    assert desk.locator("input[type=submit][value='Mark received']").is_visible()
    desk.click("input[type=submit][value='Mark received']")
    assert "received" in desk.locator(".messagelist").inner_text()
    claim.refresh_from_db()
    assert claim.status == Status.RECEIVED


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_barcode_scanner_typing_the_code_and_enter_lands_on_the_parcel(chromium, live_server):
    """The scanner is a keyboard: it types into the field that has the focus when the page opens."""
    ensure_roles()
    desk_user = staff("Warehouse staff", email="scan-wedge@asm.example")
    claim = make_claim(Status.APPROVED)

    desk = staff_page(chromium, live_server, desk_user.email)
    scan_page(desk, live_server)
    desk.keyboard.type(str(claim.rma_number), delay=5)
    desk.keyboard.press("Enter")
    desk.wait_for_url(parcel_url(live_server, claim))

    # The same parcel scanned again once received: told when and by whom, not an error.
    desk.click("input[type=submit][value='Mark received']")
    assert "received" in desk.locator(".messagelist").inner_text()
    scan_page(desk, live_server)
    desk.keyboard.type(str(claim.rma_number), delay=5)
    desk.keyboard.press("Enter")
    desk.wait_for_url(parcel_url(live_server, claim))
    said = desk.locator(".messagelist").inner_text()
    assert "was already received on" in said
    assert desk_user.full_name in said

    # A code of no claim stays on the scan page and says so.
    scan_page(desk, live_server)
    desk.keyboard.type("RMA-1999-000001", delay=5)
    desk.keyboard.press("Enter")
    desk.wait_for_load_state()
    assert "No claim has the RMA number “RMA-1999-000001”." in desk.locator(".messagelist").inner_text()


@pytest.mark.browser
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_without_a_camera_the_page_says_to_type_or_use_a_scanner(chromium, live_server):
    """This Chromium has no camera and grants no permission: the page says what to do instead."""
    ensure_roles()
    desk_user = staff("Warehouse staff", email="scan-no-camera@asm.example")

    desk = staff_page(chromium, live_server, desk_user.email)
    scan_page(desk, live_server)
    desk.click("#asm-scan-start")

    status = desk.locator("#asm-scan-status")
    status.filter(has_text="The camera could not be opened").wait_for()
    assert "Type the RMA number, or use a barcode scanner." in status.inner_text()
    assert desk.locator("#asm-scan-start").is_visible()  # try again once the camera is allowed
