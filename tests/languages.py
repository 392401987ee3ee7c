"""Helpers of the language tests: what a person reads on a page, and English found in it."""

import html
import re

from claims.lifecycle import Status
from claims.models import Claim
from policies.models import PolicyTerms
from tests.factories import make_claim, new_customer, new_line

# Words of English that no Vietnamese sentence of the portal contains.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|of|to|is|are|with|for|this|was|will|please|claims?|orders?|returns?|warranty"
    r"|sign|shipping|item|photos?|by|on|at|not|we|refund(ed)?|warehouse|parcel|received|approved)\b",
    re.IGNORECASE,
)


def visible_text(page: str) -> str:
    """What a person reads: the text outside tags and scripts, plus labels read aloud (aria-label, title)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    spoken = " ".join(re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', page))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", page) + " " + spoken))


def stray_english(page: str) -> list[str]:
    # The language switcher names English in English, as every switcher does; addresses are not words.
    text = re.sub(r"https?://\S+", " ", visible_text(page).replace("English", ""))
    return sorted({match.group(0) for match in ENGLISH_WORDS.finditer(text)})


def write_terms_in_vietnamese() -> None:
    """The care contacts as ASM writes them (the seeded hours are English placeholder data)."""
    terms = PolicyTerms.objects.order_by("pk").first() or PolicyTerms()
    terms.warehouse_address = "Kho hàng ASM\n12 Nguyễn Huệ, Quận 1\nTP. Hồ Chí Minh"
    terms.warranty_center_address = "Trung tâm bảo hành ASM\n45 Lê Lợi, Quận 3\nTP. Hồ Chí Minh"
    terms.contact_hours = "Thứ Hai đến Thứ Sáu, 8:00–17:00"
    terms.save()


def vietnamese_claim() -> Claim:
    """A refunded return of a Vietnamese customer, whose order has a second, unclaimed line.

    Customer, products and terms are written in Vietnamese, as ASM's are: only the interface may differ.
    """
    write_terms_in_vietnamese()
    customer = new_customer(email="lan@example.com", full_name="Nguyễn Thị Lan")
    line = new_line(order__customer=customer, product__name="Mô hình diorama Phố cổ Hội An")
    claim = make_claim(Status.RESOLVED, line=line, description="Mô hình không giống như tôi mong đợi.")
    new_line(order=line.order, product__name="Mô hình diorama Chợ Bến Thành")
    return claim
