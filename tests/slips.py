"""RMA slips for tests: the PDF's text, its page as an image, and the codes a reader finds in it."""

import ctypes.util
import io
from typing import Any

from PIL import Image
from pypdf import PdfReader

from policies.models import PolicyTerms
from tests.conftest import require_service

# A Vietnamese address: the slip's font must have these letters.
WAREHOUSE = "Kho hàng ASM\n12 Nguyễn Huệ, Phường Bến Nghé\nQuận 1, TP. Hồ Chí Minh"
WARRANTY_CENTER = "Trung tâm bảo hành ASM\n45 Lê Lợi\nĐà Nẵng"


def set_destinations(*, warehouse: str = WAREHOUSE, warranty_center: str = WARRANTY_CENTER) -> None:
    """The terms in force, with both addresses set (claims filed afterwards snapshot them)."""
    terms = PolicyTerms.objects.order_by("pk").first() or PolicyTerms()
    terms.warehouse_address = warehouse
    terms.warranty_center_address = warranty_center
    terms.save()


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """The page count and the text of every page, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def page_image(pdf: bytes, *, dpi: int = 200) -> Image.Image:
    """The first page rendered by PDFium, as a printer or a screen would show it."""
    import pypdfium2  # type: ignore[import-untyped]

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def _symbols(image: Image.Image) -> list[Any]:
    require_service(ctypes.util.find_library("zbar") is not None, "libzbar0 is not installed")
    from pyzbar.pyzbar import decode  # type: ignore[import-untyped]

    return list(decode(image))


def decoded_codes(image: Image.Image) -> dict[str, set[str]]:
    """What zbar reads in the image, by symbology: ``{"QRCODE": {...}, "CODE128": {...}}``."""
    found: dict[str, set[str]] = {}
    for symbol in _symbols(image):
        found.setdefault(symbol.type, set()).add(symbol.data.decode())
    return found


def code_box(image: Image.Image, symbology: str) -> tuple[int, int, int, int]:
    """Where zbar finds the first code of ``symbology`` ("QRCODE", "CODE128"): left, top, width, height."""
    boxes = [tuple(symbol.rect) for symbol in _symbols(image) if symbol.type == symbology]
    assert boxes, f"no {symbology} in the image"
    left, top, width, height = boxes[0]
    return left, top, width, height


def slip_response_pdf(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
