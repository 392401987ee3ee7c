"""The printable RMA slip: a PDF with the RMA number as a QR code and a Code 128 barcode.

Two sizes: an A4 sheet whose upper half goes inside the parcel and whose lower
half is cut out and stuck on it, and an A6 label that fits a parcel as it is.
The slip is drawn from the claim each time it is asked for (never stored), so
the portal, the back office and the approval email always show the same facts:
the destination address and the ship-by date come from the claim's own policy
snapshot (RP3, WP3), the payer of shipping from the claim (R6).

Text is drawn in DejaVu Sans (vendored in ``claims/fonts``): ReportLab's
built-in fonts have no Vietnamese letters, and ASM's addresses are Vietnamese.
"""

import functools
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from io import BytesIO
from pathlib import Path

from django.http import Http404, HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from claims.lifecycle import ClaimKind, Status
from claims.models import Claim, Notification
from claims.selectors import claim_destination, ship_by
from policies.reasons import ShippingPayer

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

# A slip is offered once the parcel is authorised (approved) and for as long as the parcel's story goes on.
SLIP_STATUSES = frozenset({Status.APPROVED, Status.RECEIVED, Status.INSPECTED, Status.RESOLVED})


class SlipSize(StrEnum):
    A4 = "a4"
    A6 = "a6"


@dataclass(frozen=True)
class SlipFacts:
    """What the slip says, read from the claim."""

    rma_number: str
    is_return: bool
    product: str
    sku: str
    quantity: int
    order_number: str
    sender: str
    destination: str
    asm_pays_shipping: bool
    ship_by: date | None


# The emails that carry the slip: the approval, which tells the customer how to ship (RP3, WP3).
SLIP_EMAILS = frozenset({"approved"})


def has_slip(claim: Claim) -> bool:
    return claim.status in SLIP_STATUSES and bool(claim.rma_number)


def slip_facts(claim: Claim) -> SlipFacts:
    customer = claim.order_line.order.customer
    return SlipFacts(
        rma_number=str(claim.rma_number),
        is_return=claim.kind == ClaimKind.RETURN,
        product=claim.order_line.product.name,
        sku=claim.order_line.product.sku,
        quantity=claim.quantity,
        order_number=claim.order_line.order.number,
        sender=customer.full_name or customer.email,
        destination=claim_destination(claim).strip(),
        asm_pays_shipping=claim.shipping_payer == ShippingPayer.ASM,
        ship_by=ship_by(claim),
    )


def slip_filename(claim: Claim, size: SlipSize) -> str:
    return f"{claim.rma_number}-slip-{size}.pdf"


def slip_response(claim: Claim, size: str) -> HttpResponse:
    """The slip as a download, for whoever the caller has let see the claim; 404 when it has none."""
    if size not in {known.value for known in SlipSize} or not has_slip(claim):
        raise Http404
    response = HttpResponse(render_slip(claim, size=SlipSize(size)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slip_filename(claim, SlipSize(size))}"'
    return response


def email_slip(notification: Notification) -> tuple[str, bytes, str] | None:
    """The A4 slip to attach to the row's email, drawn from its claim as the email is built for delivery.

    Nothing of it is in the outbox row, so an email that waited (the broker or
    the mail server down) loses nothing; a claim cancelled meanwhile gets none.
    """
    claim = notification.claim
    if notification.template_key not in SLIP_EMAILS or claim is None or not has_slip(claim):
        return None
    return slip_filename(claim, SlipSize.A4), render_slip(claim, size=SlipSize.A4), "application/pdf"


def render_slip(claim: Claim, *, size: SlipSize = SlipSize.A4) -> bytes:
    """The slip's PDF, one page."""
    _register_fonts()
    facts = slip_facts(claim)
    buffer = BytesIO()
    page_size = A4 if size == SlipSize.A4 else A6
    canvas = Canvas(buffer, pagesize=page_size, pageCompression=1)
    canvas.setTitle(_("RMA slip %(rma)s") % {"rma": facts.rma_number})
    canvas.setAuthor("ASM")
    width, height = page_size
    if size == SlipSize.A4:
        _draw_packing_half(canvas, facts, top=height, width=width)
        _draw_fold_line(canvas, y=height / 2, width=width)
        _draw_label(canvas, facts, x=20 * mm, y=12 * mm, width=width - 40 * mm, height=height / 2 - 24 * mm)
    else:
        _draw_label(canvas, facts, x=6 * mm, y=6 * mm, width=width - 12 * mm, height=height - 12 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, FONTS / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONTS / "DejaVuSans-Bold.ttf"))


def _payer_text(facts: SlipFacts) -> str:
    if facts.asm_pays_shipping:
        return _("Shipping: paid by ASM (keep the receipt, we reimburse it)")
    return _("Shipping: paid by you")


def _ship_by_text(facts: SlipFacts) -> str:
    if facts.ship_by is None:
        return ""
    return _("Send it by %(day)s") % {"day": date_format(facts.ship_by)}


def _item_text(facts: SlipFacts) -> str:
    return _("%(product)s (SKU %(sku)s) × %(quantity)s, order %(order)s") % {
        "product": facts.product,
        "sku": facts.sku,
        "quantity": facts.quantity,
        "order": facts.order_number,
    }


def _destination_lines(facts: SlipFacts) -> list[str]:
    # A destination managers have not set is never invented: the customer is told it follows by email.
    if not facts.destination:
        return [_("The address will follow by email.")]
    return [line.strip() for line in facts.destination.splitlines() if line.strip()]


def _wrapped(text: str, *, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _fitting_size(text: str, *, font: str, size: float, width: float) -> float:
    """``size``, or smaller so that ``text`` fits ``width`` on one line."""
    return min(size, size * width / pdfmetrics.stringWidth(text, font, size))


def _text_block(
    canvas: Canvas, lines: list[str], *, x: float, y: float, width: float, font: str = REGULAR, size: float
) -> float:
    """Draw wrapped lines downwards from ``y``; returns the y below the last one."""
    canvas.setFont(font, size)
    for line in lines:
        for part in _wrapped(line, font=font, size=size, width=width):
            y -= size * 1.3
            canvas.drawString(x, y, part)
    return y


def _barcode(rma_number: str, *, height: float, bar_width: float = 0.33 * mm) -> Drawing:
    return createBarcodeDrawing(
        "Code128", value=rma_number, barHeight=height, barWidth=bar_width, humanReadable=True
    )


def _qr_code(rma_number: str, *, size: float) -> Drawing:
    qr = QrCodeWidget(rma_number, barLevel="M", barBorder=4)
    left, bottom, right, top = qr.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(qr)
    return drawing


def _draw_codes(
    canvas: Canvas, rma_number: str, *, x: float, top: float, qr_size: float, width: float
) -> float:
    """The QR code under ``top``, the barcode beside it, or below it where it would not fit.

    Bars are 0.33 mm wide, or narrower on a label too small for that. Returns the y under the codes.
    """
    renderPDF.draw(_qr_code(rma_number, size=qr_size), canvas, x, top - qr_size)
    gap = 4 * mm
    barcode = _barcode(rma_number, height=14 * mm)
    if qr_size + gap + barcode.width <= width:
        renderPDF.draw(barcode, canvas, x + qr_size + gap, top - qr_size / 2 - barcode.height / 2)
        return top - qr_size
    if barcode.width > width:
        barcode = _barcode(rma_number, height=12 * mm, bar_width=0.33 * mm * width / barcode.width)
    bottom = top - qr_size - 2 * mm - barcode.height
    renderPDF.draw(barcode, canvas, x, bottom)
    return bottom


def _draw_label(canvas: Canvas, facts: SlipFacts, *, x: float, y: float, width: float, height: float) -> None:
    """The part stuck on the parcel: destination, RMA number, codes, sender; a dashed line to cut along."""
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.6)
    canvas.rect(x, y, width, height)
    canvas.setDash()
    _draw_crop_marks(canvas, x=x, y=y, width=width, height=height)
    canvas.setFont(REGULAR, 7)
    canvas.drawString(
        x, y + height + 1.5 * mm, "✂ " + _("Cut along the dashed line and stick this label on the parcel")
    )
    canvas.restoreState()

    pad = 5 * mm
    inner = width - 2 * pad
    to_whom = _("Ship to: ASM warehouse") if facts.is_return else _("Ship to: ASM warranty center")
    cursor = _text_block(canvas, [to_whom], x=x + pad, y=y + height - pad, width=inner, size=8)
    cursor = _text_block(
        canvas, _destination_lines(facts), x=x + pad, y=cursor - 1 * mm, width=inner, font=BOLD, size=11
    )
    rma_size = _fitting_size(facts.rma_number, font=BOLD, size=24, width=inner)
    cursor = _text_block(
        canvas, [facts.rma_number], x=x + pad, y=cursor - 2 * mm, width=inner, font=BOLD, size=rma_size
    )
    qr_size = min(38 * mm, inner * 0.45)
    cursor = _draw_codes(
        canvas, facts.rma_number, x=x + pad, top=cursor - 3 * mm, qr_size=qr_size, width=inner
    )
    lines = [_("From: %(sender)s") % {"sender": facts.sender}, _item_text(facts), _payer_text(facts)]
    _text_block(canvas, lines, x=x + pad, y=cursor - 1 * mm, width=inner, size=8)


def _draw_packing_half(canvas: Canvas, facts: SlipFacts, *, top: float, width: float) -> None:
    """The upper half of the A4 sheet: it goes inside the parcel, so whoever opens it knows the claim."""
    left = 20 * mm
    inner = width - 2 * left
    title = _("ASM return slip") if facts.is_return else _("ASM warranty slip")
    cursor = _text_block(canvas, [title], x=left, y=top - 15 * mm, width=inner, font=BOLD, size=12)
    cursor = _text_block(
        canvas, [facts.rma_number], x=left, y=cursor - 2 * mm, width=inner, font=BOLD, size=30
    )
    cursor = _draw_codes(canvas, facts.rma_number, x=left, top=cursor - 4 * mm, qr_size=40 * mm, width=inner)
    lines = [
        _item_text(facts),
        _payer_text(facts),
        _ship_by_text(facts),
        _("Fold this half and put it inside the parcel, with everything that came with the item."),
        _("Cut out the label below and stick it on the outside of the parcel."),
    ]
    _text_block(canvas, [line for line in lines if line], x=left, y=cursor - 4 * mm, width=inner, size=10)


def _draw_fold_line(canvas: Canvas, *, y: float, width: float) -> None:
    canvas.saveState()
    canvas.setDash(1, 3)
    canvas.setLineWidth(0.5)
    canvas.line(8 * mm, y, width - 8 * mm, y)
    canvas.setDash()
    canvas.setFont(REGULAR, 7)
    canvas.drawString(10 * mm, y + 1.5 * mm, _("Fold here"))
    # Ticks in the margins show the fold however the sheet is trimmed.
    canvas.line(0, y, 5 * mm, y)
    canvas.line(width - 5 * mm, y, width, y)
    canvas.restoreState()


def _draw_crop_marks(canvas: Canvas, *, x: float, y: float, width: float, height: float) -> None:
    mark, gap = 4 * mm, 1.5 * mm
    for corner_x, corner_y, dx, dy in (
        (x, y, -1, -1),
        (x + width, y, 1, -1),
        (x, y + height, -1, 1),
        (x + width, y + height, 1, 1),
    ):
        canvas.line(corner_x + dx * gap, corner_y, corner_x + dx * (gap + mark), corner_y)
        canvas.line(corner_x, corner_y + dy * gap, corner_x, corner_y + dy * (gap + mark))
