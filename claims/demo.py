"""Demo data for trying the portal: staff for each role, customers, orders and claims in many states.

Orders are dated relative to today, so that the return window, the warranty
and the business-day clocks show something meaningful. Claims are walked
through the services exactly as people would move them, so every event and
email row exists. Running it again changes nothing: each demo order is found
by its number, each claim by its order line. On a later day, orders without
claims move to stay relative to the new today; orders with claims keep the
dates their claims were judged on.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from claims.lifecycle import ClaimKind, Outcome, RejectReason, Status
from claims.models import Claim, ClaimPhoto, Order, OrderLine, Product, User
from claims.photos import store_photo
from claims.services import (
    ClaimRequest,
    InspectionFindings,
    approve_claim,
    cancel_claim,
    mark_shipped,
    receive_claim,
    record_inspection,
    reject_claim,
    request_info,
    resolve_claim,
    submit_claim,
)
from policies.calendar import BusinessCalendar, load_business_calendar
from policies.declaration import Declaration
from policies.reasons import DefectCategory, ReturnReason


@dataclass(frozen=True)
class DemoStaff:
    email: str
    password: str
    full_name: str
    role: str


# Demo only: these passwords are published in the README.
STAFF = (
    DemoStaff("care@asm.example", "asm-demo-care", "Mai Care", "Care staff"),
    DemoStaff("warehouse@asm.example", "asm-demo-warehouse", "Tuan Warehouse", "Warehouse staff"),
    DemoStaff("manager@asm.example", "asm-demo-manager", "Linh Manager", "Care managers"),
)

CUSTOMERS = {
    "an@example.com": "Nguyễn Văn An",
    "binh@example.com": "Trần Thị Bình",
    "chi@example.com": "Lê Minh Chi",
    "dung@example.com": "Phạm Quốc Dũng",
}

PRODUCTS = {
    "DIO-SGN-01": "Saigon street corner, 1:35",
    "DIO-HAN-02": "Hanoi old quarter shophouse, 1:24",
    "DIO-HUE-03": "Hue citadel gate, 1:72",
    "DIO-HOI-04": "Hoi An lantern street, 1:35",
    "DIO-MKD-05": "Mekong floating market, 1:48",
}

EVERYTHING_DECLARED = Declaration(
    intact_unused_packaged=True,
    no_user_damage=True,
    all_accessories_included=True,
    not_dropped_or_mishandled=True,
    no_third_party_repair=True,
)


@dataclass(frozen=True)
class DemoClaim:
    """A claim to file on the order, and the status to walk it to."""

    kind: ClaimKind
    status: Status
    description: str
    return_reason: ReturnReason | None = None
    defect_category: DefectCategory | None = None
    with_photo: bool = False
    # For received claims: how many business days ago the parcel arrived (due soon, overdue).
    received_business_days_ago: int = 0


@dataclass(frozen=True)
class DemoOrder:
    number: str
    email: str
    purchased_days_ago: int
    # None: not delivered yet.
    delivered_days_ago: int | None
    skus: tuple[str, ...]
    claim: DemoClaim | None = None


ORDERS = (
    # an@: one order of each kind a customer can find, none claimed yet.
    DemoOrder("ASM-DEMO-1001", "an@example.com", 5, 2, ("DIO-SGN-01", "DIO-HUE-03")),  # R1: in the window
    DemoOrder("ASM-DEMO-1002", "an@example.com", 150, 146, ("DIO-HAN-02",)),  # past R1, within W1
    DemoOrder("ASM-DEMO-1003", "an@example.com", 420, 416, ("DIO-HOI-04",)),  # past W1
    DemoOrder("ASM-DEMO-1004", "an@example.com", 1, None, ("DIO-MKD-05",)),  # not delivered
    # binh@: the return window's last day is today.
    DemoOrder("ASM-DEMO-1005", "binh@example.com", 10, 7, ("DIO-HUE-03",)),
    # chi@: returns in each step of the lifecycle.
    DemoOrder(
        "ASM-DEMO-2001",
        "chi@example.com",
        6,
        3,
        ("DIO-SGN-01",),
        DemoClaim(
            ClaimKind.RETURN,
            Status.SUBMITTED,
            "The colours are darker than on the website; I would rather return it.",
            return_reason=ReturnReason.CHANGED_MIND,
        ),
    ),
    DemoOrder(
        "ASM-DEMO-2002",
        "chi@example.com",
        7,
        4,
        ("DIO-HAN-02",),
        DemoClaim(
            ClaimKind.RETURN,
            Status.INFO_REQUESTED,
            "The box says 1:24 but the figures look like 1:35.",
            return_reason=ReturnReason.NOT_AS_DESCRIBED,
            with_photo=True,
        ),
    ),
    DemoOrder(
        "ASM-DEMO-2003",
        "chi@example.com",
        8,
        5,
        ("DIO-HOI-04",),
        DemoClaim(
            ClaimKind.RETURN,
            Status.APPROVED,
            "The outer box was crushed and two lanterns snapped off in transit.",
            return_reason=ReturnReason.SHIPPING_DAMAGE,
            with_photo=True,
        ),
    ),
    DemoOrder(
        "ASM-DEMO-2004",
        "chi@example.com",
        9,
        6,
        ("DIO-MKD-05",),
        DemoClaim(
            ClaimKind.RETURN,
            Status.RECEIVED,
            "One boat hull is cracked straight out of the box.",
            return_reason=ReturnReason.MANUFACTURING_DEFECT,
            with_photo=True,
            received_business_days_ago=4,  # RP4: past the 3-day target, the deadline not yet
        ),
    ),
    DemoOrder(
        "ASM-DEMO-2005",
        "chi@example.com",
        4,
        1,
        ("DIO-HUE-03",),
        DemoClaim(
            ClaimKind.RETURN,
            Status.RESOLVED,
            "Bought twice by mistake.",
            return_reason=ReturnReason.CHANGED_MIND,
        ),
    ),
    # dung@: warranty claims, and the ways a claim can end early.
    DemoOrder(
        "ASM-DEMO-3001",
        "dung@example.com",
        90,
        86,
        ("DIO-SGN-01",),
        DemoClaim(
            ClaimKind.WARRANTY,
            Status.RECEIVED,
            "The balcony railing came unglued after a month on the shelf.",
            defect_category=DefectCategory.MANUFACTURING_BREAKAGE,
            with_photo=True,
            received_business_days_ago=12,  # WP4: past the 10-day deadline
        ),
    ),
    DemoOrder(
        "ASM-DEMO-3002",
        "dung@example.com",
        60,
        57,
        ("DIO-HAN-02",),
        DemoClaim(
            ClaimKind.WARRANTY,
            Status.INSPECTED,
            "The roof tiles do not fit the frame; there is a 2 mm gap.",
            defect_category=DefectCategory.PARTS_DO_NOT_FIT,
            with_photo=True,
        ),
    ),
    DemoOrder(
        "ASM-DEMO-3003",
        "dung@example.com",
        240,
        236,
        ("DIO-HOI-04",),
        DemoClaim(
            ClaimKind.WARRANTY,
            Status.REJECTED,
            "The lanterns have faded.",
            defect_category=DefectCategory.OTHER,
            with_photo=True,
        ),
    ),
    DemoOrder(
        "ASM-DEMO-3004",
        "dung@example.com",
        5,
        2,
        ("DIO-MKD-05",),
        DemoClaim(
            ClaimKind.RETURN,
            Status.CANCELLED,
            "Changed my mind, then changed it back.",
            return_reason=ReturnReason.CHANGED_MIND,
        ),
    ),
)

INSPECTION_CONFIRMS_DEFECT = InspectionFindings(
    found_intact_unused_packaged=True,
    found_no_user_damage=True,
    found_all_accessories_included=True,
    signs_of_user_damage=False,
    signs_of_third_party_repair=False,
    defect_confirmed=True,
    shipping_damage_confirmed=False,
)


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    def __str__(self) -> str:
        if not self.created:
            return "Demo data already in place; nothing changed."
        return (
            "Demo data created: " + ", ".join(f"{count} {what}" for what, count in self.created.items()) + "."
        )


def business_days_before(today: date, days: int, *, calendar: BusinessCalendar) -> date:
    """A business day with exactly ``days`` business days after it, up to and including ``today``."""
    day, counted = today, 0
    while counted < days:
        if calendar.is_business_day(day):
            counted += 1
        day -= timedelta(days=1)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def _demo_photo(owner: User, label: str) -> ClaimPhoto:
    picture = Image.new("RGB", (640, 480), "#d9c7a3")
    ImageDraw.Draw(picture).text((24, 24), f"ASM demo photo\n{label}", fill="#3b2f2f")
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG")
    upload = SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")
    return store_photo(owner=owner, upload=upload)


def _seed_staff(summary: DemoSummary) -> dict[str, User]:
    staff: dict[str, User] = {}
    for member in STAFF:
        user = User.objects.filter(email=member.email).first()
        if user is None:
            user = User.objects.create_user(
                member.email, member.password, full_name=member.full_name, is_staff=True
            )
            summary.count("staff users")
        user.groups.add(Group.objects.get(name=member.role))
        staff[member.role] = user
    return staff


def _seed_order(demo: DemoOrder, *, today: date, summary: DemoSummary) -> Order:
    customer = User.objects.filter(email=demo.email).first()
    if customer is None:
        customer = User.objects.create_user(demo.email, full_name=CUSTOMERS[demo.email])
        summary.count("customers")
    purchased_on = today - timedelta(days=demo.purchased_days_ago)
    delivered_on = (
        None if demo.delivered_days_ago is None else today - timedelta(days=demo.delivered_days_ago)
    )
    order, created = Order.objects.get_or_create(
        number=demo.number,
        defaults={"customer": customer, "purchased_on": purchased_on, "delivered_on": delivered_on},
    )
    if created:
        summary.count("orders")
    elif (order.purchased_on, order.delivered_on) != (
        purchased_on,
        delivered_on,
    ) and not Claim.objects.filter(order_line__order=order).exists():
        order.purchased_on, order.delivered_on = purchased_on, delivered_on
        order.save(update_fields=["purchased_on", "delivered_on"])
    for sku in demo.skus:
        product, _product_created = Product.objects.get_or_create(sku=sku, defaults={"name": PRODUCTS[sku]})
        _line, line_created = OrderLine.objects.get_or_create(
            order=order, product=product, defaults={"quantity": 1, "unit_price": Decimal("1250000.00")}
        )
        if line_created:
            summary.count("order lines")
    return order


# The steps that take a new claim to each demo status, as staff and customer would take them.
WALKS: dict[Status, tuple[str, ...]] = {
    Status.SUBMITTED: (),
    Status.INFO_REQUESTED: ("ask",),
    Status.APPROVED: ("approve",),
    Status.REJECTED: ("reject",),
    Status.CANCELLED: ("cancel",),
    # Received some business days ago, the customer never having marked it shipped.
    Status.RECEIVED: ("approve", "receive"),
    Status.INSPECTED: ("approve", "ship", "receive", "inspect"),
    Status.RESOLVED: ("approve", "ship", "receive", "inspect", "refund"),
}


def _dated_before(claim: Claim, received_on: date) -> Claim:
    """The demo's story: a claim whose parcel arrived ``received_on`` was approved the day before
    (the services date each step now, and refuse a parcel received before its approval)."""
    approved_at = timezone.make_aware(datetime.combine(received_on - timedelta(days=1), time(9)))
    Claim.objects.filter(pk=claim.pk).update(approved_at=approved_at)
    claim.approved_at = approved_at
    return claim


def _walk_claim(claim: Claim, demo: DemoClaim, *, staff: dict[str, User], today: date) -> Claim:
    care, warehouse = staff["Care staff"], staff["Warehouse staff"]
    customer = claim.order_line.order.customer
    received_on = business_days_before(
        today, demo.received_business_days_ago, calendar=load_business_calendar(around=today)
    )
    steps: dict[str, Callable[[Claim], Claim]] = {
        "ask": lambda c: request_info(
            claim=c, actor=care, question="Could you send a photo of the scale printed on the box?"
        ),
        "approve": lambda c: (
            _dated_before(approve_claim(claim=c, actor=care), received_on)
            if "receive" in WALKS[demo.status]
            else approve_claim(claim=c, actor=care)
        ),
        "reject": lambda c: reject_claim(
            claim=c,
            actor=care,
            reason=RejectReason.NOT_A_DEFECT,
            message="Fading from sunlight is not a manufacturing defect (W2), so the warranty does not "
            "cover it. Keep dioramas out of direct sun.",
        ),
        "cancel": lambda c: cancel_claim(claim=c, actor=customer),
        "ship": lambda c: mark_shipped(
            claim=c,
            actor=customer,
            shipped_on=received_on,
            carrier="Vietnam Post",
            tracking_number="VN123456789",
        ),
        "receive": lambda c: receive_claim(claim=c, actor=warehouse, received_on=received_on),
        "inspect": lambda c: record_inspection(
            claim=c, actor=warehouse, findings=INSPECTION_CONFIRMS_DEFECT, notes="Checked on the bench."
        ),
        "refund": lambda c: resolve_claim(
            claim=c,
            actor=care,
            outcome=Outcome.REFUND,
            refund_amount=Decimal("1250000.00"),
            payment_reference="DEMO-BANK-TRANSFER-0001",
        ),
    }
    for step in WALKS[demo.status]:
        claim = steps[step](claim)
    return claim


def _seed_claim(order: Order, demo: DemoClaim, *, staff: dict[str, User], today: date) -> bool:
    line = order.lines.select_related("order__customer").first()
    if line is None or line.claims.exists():
        return False
    customer = order.customer
    photos = [_demo_photo(customer, order.number)] if demo.with_photo else []
    claim = submit_claim(
        request=ClaimRequest(
            order_line=line,
            kind=demo.kind,
            quantity=1,
            description=demo.description,
            declaration=EVERYTHING_DECLARED,
            return_reason=demo.return_reason,
            defect_category=demo.defect_category,
        ),
        actor=customer,
        photos=photos,
        today=today,
    )
    _walk_claim(claim, demo, staff=staff, today=today)
    return True


@transaction.atomic
def seed_demo(*, today: date | None = None) -> DemoSummary:
    """Create whatever demo data is missing; idempotent."""
    today = today or timezone.localdate()
    summary = DemoSummary()
    staff = _seed_staff(summary)
    for demo in ORDERS:
        order = _seed_order(demo, today=today, summary=summary)
        if demo.claim is not None and _seed_claim(order, demo.claim, staff=staff, today=today):
            summary.count("claims")
    return summary
