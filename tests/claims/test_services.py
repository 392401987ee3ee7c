"""The claim services: the only writers of a claim's status.

Every service is tried from every status: where PRODUCT.md's lifecycle allows
it, the status moves, one event names the actor and the customer's email is
in the outbox; everywhere else ``InvalidTransition`` is raised and nothing at
all is written.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from claims.errors import ClaimError, InvalidTransition, NotEligible
from claims.lifecycle import ClaimKind, Outcome, RejectReason, Status
from claims.models import Claim, ClaimEvent, Message, Notification, OrderLine, User
from claims.services import (
    answer_info_request,
    approve_claim,
    cancel_claim,
    expire_claim,
    mark_shipped,
    receive_claim,
    record_inspection,
    reject_claim,
    request_info,
    resolve_claim,
    submit_claim,
)
from policies.eligibility import Declaration
from policies.models import PolicyTerms
from policies.reasons import DefectCategory, ReturnReason, ShippingPayer
from tests.factories import (
    ALL_GOOD,
    FULL_DECLARATION,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    StaffFactory,
    claim_request,
    days_ago,
    make_claim,
    new_staff,
)
from tests.photos import make_photo

pytestmark = pytest.mark.django_db

S = Status


def customer_of(claim: Claim) -> User:
    return claim.order_line.order.customer


def new_line(**order_fields) -> OrderLine:
    return cast(OrderLine, OrderLineFactory(order=OrderFactory(**order_fields)))


@dataclass(frozen=True)
class Service:
    """One status-changing service: where it may start, where it ends, who acts, which email it records."""

    call: Callable[[Claim, User], Claim]
    allowed_from: frozenset[Status]
    to: Status
    actor: str  # "staff", "customer" or "system"
    email: str | None


SERVICES = {
    "request_info": Service(
        lambda claim, staff: request_info(
            claim=claim, actor=staff, question="Which scale is printed on the box?"
        ),
        frozenset({S.SUBMITTED}),
        S.INFO_REQUESTED,
        "staff",
        "info_requested",
    ),
    # The customer is not emailed about their own answer.
    "answer_info_request": Service(
        lambda claim, staff: answer_info_request(
            claim=claim, actor=customer_of(claim), answer="It says 1:35."
        ),
        frozenset({S.INFO_REQUESTED}),
        S.SUBMITTED,
        "customer",
        None,
    ),
    "approve_claim": Service(
        lambda claim, staff: approve_claim(claim=claim, actor=staff),
        frozenset({S.SUBMITTED}),
        S.APPROVED,
        "staff",
        "approved",
    ),
    "reject_claim": Service(
        lambda claim, staff: reject_claim(
            claim=claim, actor=staff, reason=RejectReason.CONDITION_NOT_MET, message="The seal is broken."
        ),
        frozenset({S.SUBMITTED}),
        S.REJECTED,
        "staff",
        "rejected",
    ),
    "cancel_claim": Service(
        lambda claim, staff: cancel_claim(claim=claim, actor=customer_of(claim)),
        frozenset({S.SUBMITTED, S.INFO_REQUESTED, S.APPROVED}),
        S.CANCELLED,
        "customer",
        "cancelled",
    ),
    "expire_claim": Service(
        lambda claim, staff: expire_claim(claim=claim, why="No answer in 14 days."),
        frozenset({S.INFO_REQUESTED, S.APPROVED}),
        S.EXPIRED,
        "system",
        "expired",
    ),
    "receive_claim": Service(
        lambda claim, staff: receive_claim(claim=claim, actor=staff),
        frozenset({S.APPROVED}),
        S.RECEIVED,
        "staff",
        "received",
    ),
    "record_inspection": Service(
        lambda claim, staff: record_inspection(claim=claim, actor=staff, findings=ALL_GOOD),
        frozenset({S.RECEIVED}),
        S.INSPECTED,
        "staff",
        "inspected",
    ),
    "resolve_claim": Service(
        lambda claim, staff: resolve_claim(
            claim=claim,
            actor=staff,
            outcome=Outcome.REFUND,
            refund_amount=Decimal("1250000.00"),
            payment_reference="VCB-0001",
        ),
        frozenset({S.INSPECTED}),
        S.RESOLVED,
        "staff",
        "resolved",
    ),
}

ALLOWED = [(name, status) for name, service in SERVICES.items() for status in service.allowed_from]
FORBIDDEN = [
    (name, status)
    for name, service in SERVICES.items()
    for status in Status
    if status not in service.allowed_from
]


def test_the_table_covers_every_edge_of_the_lifecycle():
    """Each arrow of PRODUCT.md's diagram is exactly one (service, status) pair above."""
    from claims.lifecycle import ALLOWED_TRANSITIONS

    edges = {(status, SERVICES[name].to) for name, status in ALLOWED}
    assert edges == {
        (current, target) for current, targets in ALLOWED_TRANSITIONS.items() for target in targets
    }


@pytest.mark.parametrize(("name", "status"), ALLOWED, ids=[f"{n}-from-{s}" for n, s in ALLOWED])
def test_allowed_transition_changes_status_logs_the_actor_and_records_the_email(name, status):
    service = SERVICES[name]
    staff = cast(User, StaffFactory())
    claim = make_claim(status)
    events_before = set(ClaimEvent.objects.values_list("pk", flat=True))
    emails_before = set(Notification.objects.values_list("pk", flat=True))

    claim = service.call(claim, staff)

    claim.refresh_from_db()
    assert claim.status == service.to
    event = ClaimEvent.objects.exclude(pk__in=events_before).get()
    assert (event.from_status, event.to_status, event.kind) == (status, service.to, service.to)
    assert event.actor == {"staff": staff, "customer": customer_of(claim), "system": None}[service.actor]
    emails = Notification.objects.exclude(pk__in=emails_before)
    if service.email is None:
        assert not emails.exists()
    else:
        email = emails.get()
        assert (email.template_key, email.recipient, email.claim) == (
            service.email,
            customer_of(claim).email,
            claim,
        )


@pytest.mark.parametrize(("name", "status"), FORBIDDEN, ids=[f"{n}-from-{s}" for n, s in FORBIDDEN])
def test_forbidden_transition_is_refused_and_writes_nothing(name, status):
    staff = cast(User, StaffFactory())
    claim = make_claim(status)
    events, emails, messages = (
        ClaimEvent.objects.count(),
        Notification.objects.count(),
        Message.objects.count(),
    )

    with pytest.raises(InvalidTransition):
        SERVICES[name].call(claim, staff)

    claim.refresh_from_db()
    assert claim.status == status
    assert (ClaimEvent.objects.count(), Notification.objects.count(), Message.objects.count()) == (
        events,
        emails,
        messages,
    )


# --- Shipping: a field on the approved claim, not a status (RP3, WP3) ----------------


def test_mark_shipped_records_the_parcel_and_emails_the_customer():
    claim = make_claim(S.APPROVED)

    claim = mark_shipped(
        claim=claim,
        actor=customer_of(claim),
        shipped_on=timezone.localdate(),
        carrier=" GHN ",
        tracking_number="X1",
    )

    assert (claim.status, claim.shipped_on, claim.carrier, claim.tracking_number) == (
        S.APPROVED,
        timezone.localdate(),
        "GHN",
        "X1",
    )
    assert claim.events.filter(kind="shipped", actor=customer_of(claim)).exists()
    assert claim.notifications.filter(template_key="shipped").exists()


@pytest.mark.parametrize("status", [s for s in Status if s != S.APPROVED])
def test_only_an_approved_claim_can_be_marked_shipped(status):
    claim = make_claim(status)
    events = ClaimEvent.objects.count()

    with pytest.raises(InvalidTransition):
        mark_shipped(claim=claim, actor=customer_of(claim), shipped_on=timezone.localdate())

    assert ClaimEvent.objects.count() == events


@pytest.mark.parametrize(
    ("shipped_on", "field_error"),
    [(timezone.localdate() + timedelta(days=1), "In the future."), (days_ago(1), "Before the approval.")],
    ids=["future", "before-approval"],
)
def test_the_shipping_date_must_lie_between_approval_and_today(shipped_on, field_error):
    claim = make_claim(S.APPROVED)

    with pytest.raises(ClaimError) as refusal:
        mark_shipped(claim=claim, actor=customer_of(claim), shipped_on=shipped_on)

    assert refusal.value.field_errors == {"shipped_on": field_error}
    claim.refresh_from_db()
    assert claim.shipped_on is None


@pytest.mark.parametrize(
    ("received_on", "field_error"),
    [
        (timezone.localdate() + timedelta(days=1), "In the future."),
        (date(9999, 12, 31), "In the future."),
        (days_ago(1), "Before the approval."),
        (date(1, 1, 1), "Before the approval."),
    ],
    ids=["tomorrow", "year-9999", "before-approval", "year-1"],
)
def test_the_receipt_date_must_lie_between_approval_and_today(received_on, field_error):
    claim = make_claim(S.APPROVED)
    events = ClaimEvent.objects.count()

    with pytest.raises(ClaimError) as refusal:
        receive_claim(claim=claim, actor=cast(User, StaffFactory()), received_on=received_on)

    assert refusal.value.field_errors == {"received_on": field_error}
    claim.refresh_from_db()
    assert (claim.status, claim.received_at, claim.target_on) == (S.APPROVED, None, None)
    assert ClaimEvent.objects.count() == events


def test_a_parcel_can_arrive_on_the_day_of_the_approval():
    claim = make_claim(S.APPROVED)
    assert claim.approved_at is not None

    claim = receive_claim(
        claim=claim, actor=cast(User, StaffFactory()), received_on=timezone.localdate(claim.approved_at)
    )

    assert claim.status == S.RECEIVED


def test_another_customer_cannot_mark_the_claim_shipped():
    claim = make_claim(S.APPROVED)

    with pytest.raises(ClaimError, match="Only the customer who filed this claim"):
        mark_shipped(claim=claim, actor=cast(User, CustomerFactory()), shipped_on=timezone.localdate())


@pytest.mark.parametrize(
    "stop",
    [
        lambda claim: cancel_claim(claim=claim, actor=customer_of(claim)),
        lambda claim: expire_claim(claim=claim, why="Never shipped."),
        lambda claim: mark_shipped(claim=claim, actor=customer_of(claim), shipped_on=timezone.localdate()),
    ],
    ids=["cancel", "expire", "ship-twice"],
)
def test_once_shipped_a_claim_can_no_longer_be_cancelled_or_expired(stop):
    claim = make_claim(S.APPROVED)
    claim = mark_shipped(claim=claim, actor=customer_of(claim), shipped_on=timezone.localdate())
    events = ClaimEvent.objects.count()

    with pytest.raises(InvalidTransition, match="marked shipped"):
        stop(claim)

    claim.refresh_from_db()
    assert claim.status == S.APPROVED
    assert ClaimEvent.objects.count() == events


# --- Filing (RP1, RP2, WP1, WP2) ----------------------------------------------------


def test_submit_files_the_claim_with_an_rma_number_snapshot_and_payer():
    line = new_line()

    claim = submit_claim(
        request=claim_request(line, reason=ReturnReason.CHANGED_MIND), actor=line.order.customer, photos=[]
    )

    assert claim.rma_number == f"RMA-{timezone.localdate().year}-{claim.pk:06d}"
    assert claim.status == S.SUBMITTED
    assert claim.shipping_payer == ShippingPayer.CUSTOMER  # R6: changing one's mind
    assert claim.policy_terms["return_window_days"] == 7
    assert claim.filed_by is None
    event = claim.events.get()
    assert (event.actor, event.to_status, event.data["filed_by_staff"]) == (
        line.order.customer,
        S.SUBMITTED,
        False,
    )
    assert claim.notifications.get().template_key == "submitted"


def test_a_customer_cannot_file_on_another_customers_order():
    line = new_line()

    with pytest.raises(ClaimError, match="belongs to another customer"):
        submit_claim(request=claim_request(line), actor=cast(User, CustomerFactory()))

    assert not Claim.objects.exists()


def test_staff_filing_for_a_customer_is_recorded():
    """RP1 / WP1: care files for a customer who phoned; the audit trail names the staff member."""
    line = new_line()
    staff = cast(User, StaffFactory(role="Care staff"))

    claim = submit_claim(request=claim_request(line), actor=staff)

    assert claim.filed_by == staff
    event = claim.events.get()
    assert (event.actor, event.data["filed_by_staff"]) == (staff, True)
    assert claim.notifications.get().recipient == line.order.customer.email


@pytest.mark.parametrize(
    "reason", [ReturnReason.NOT_AS_DESCRIBED, ReturnReason.SHIPPING_DAMAGE, ReturnReason.MANUFACTURING_DEFECT]
)
def test_returns_for_a_fault_need_photos(reason):
    """RP2: pictures when the product is defective, damaged or not as described."""
    line = new_line()

    with pytest.raises(NotEligible) as refusal:
        submit_claim(request=claim_request(line, reason=reason), actor=line.order.customer)

    assert "photos" in refusal.value.field_errors
    claim = submit_claim(
        request=claim_request(line, reason=reason),
        actor=line.order.customer,
        photos=[make_photo(line.order.customer)],
    )
    assert claim.photos.count() == 1
    assert claim.shipping_payer == ShippingPayer.ASM  # R6


def test_a_warranty_claim_needs_a_photo_and_the_w4_w5_statements():
    """WP2 (images) and W4, W5 (the exclusions the customer rules out)."""
    line = new_line(purchased_on=days_ago(200), delivered_on=days_ago(195))
    without_exclusions = Declaration(intact_unused_packaged=True, no_user_damage=True)

    with pytest.raises(NotEligible) as refusal:
        submit_claim(
            request=claim_request(line, kind=ClaimKind.WARRANTY, declaration=without_exclusions),
            actor=line.order.customer,
        )

    assert set(refusal.value.field_errors) == {"photos", "not_dropped_or_mishandled", "no_third_party_repair"}
    claim = submit_claim(
        request=claim_request(line, kind=ClaimKind.WARRANTY, category=DefectCategory.PARTS_DO_NOT_FIT),
        actor=line.order.customer,
        photos=[make_photo(line.order.customer)],
    )
    assert (claim.kind, claim.defect_category, claim.shipping_payer) == (
        ClaimKind.WARRANTY,
        DefectCategory.PARTS_DO_NOT_FIT,
        ShippingPayer.ASM,
    )


def test_an_undelivered_order_cannot_be_returned():
    """R1: no delivery date, no return; the customer is told why."""
    line = new_line(delivered_on=None)

    with pytest.raises(NotEligible, match="not been delivered yet"):
        submit_claim(request=claim_request(line), actor=line.order.customer)


def test_a_late_return_is_refused_with_the_window_end():
    """R1: delivered 8 days ago is one day too late."""
    line = new_line(purchased_on=days_ago(10), delivered_on=days_ago(8))

    with pytest.raises(NotEligible, match="The 7-day return window ended on"):
        submit_claim(request=claim_request(line), actor=line.order.customer)


def test_a_photo_of_someone_else_cannot_be_attached():
    line = new_line()
    stranger_photo = make_photo(cast(User, CustomerFactory()))

    with pytest.raises(ClaimError, match="belongs elsewhere"):
        submit_claim(request=claim_request(line), actor=line.order.customer, photos=[stranger_photo])


def test_at_most_the_claimable_quantity_can_be_claimed():
    line = cast(OrderLine, OrderLineFactory(quantity=2))

    with pytest.raises(NotEligible) as refusal:
        submit_claim(request=claim_request(line, quantity=3), actor=line.order.customer)

    assert refusal.value.field_errors["quantity"] == "At most 2 of this item can still be claimed."


def test_one_open_claim_per_line():
    line = cast(OrderLine, OrderLineFactory(quantity=3))
    make_claim(line=line)

    with pytest.raises(NotEligible, match="already has an open claim"):
        submit_claim(request=claim_request(line), actor=line.order.customer)

    assert line.claims.count() == 1


def test_the_database_enforces_one_open_claim_per_line_too():
    """The constraint catches what a race past the service's check would leave."""
    line = cast(OrderLine, OrderLineFactory(quantity=3))
    claim = make_claim(line=line)

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            kind=claim.kind,
            order_line=line,
            quantity=1,
            description="Twice",
            shipping_payer=claim.shipping_payer,
            policy_terms=claim.policy_terms,
        )


def test_a_closed_claim_makes_room_for_a_new_one():
    line = cast(OrderLine, OrderLineFactory(quantity=1))
    make_claim(S.CANCELLED, line=line)

    claim = submit_claim(request=claim_request(line), actor=line.order.customer)

    assert claim.status == S.SUBMITTED


# --- The terms snapshot ---------------------------------------------------------------


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())


def approved_by(day: date) -> Claim:
    """An approved claim whose approval is dated ``day``, so that its parcel may arrive that day."""
    claim = make_claim(S.APPROVED)
    Claim.objects.filter(pk=claim.pk).update(approved_at=at_nine(day))
    claim.refresh_from_db()
    return claim


def test_terms_edited_after_filing_do_not_change_the_claims_deadlines():
    """PRODUCT.md: a claim keeps the terms in force when it was filed."""
    friday = date(2026, 3, 6)
    claim = approved_by(friday)
    PolicyTerms.objects.update(refund_target_business_days=8, refund_deadline_business_days=12)

    claim = receive_claim(claim=claim, actor=cast(User, StaffFactory()), received_on=friday)

    assert (claim.target_on, claim.deadline_on) == (date(2026, 3, 11), date(2026, 3, 13))  # RP4: 3 / 5
    newer = approved_by(friday)
    newer = receive_claim(claim=newer, actor=cast(User, StaffFactory()), received_on=friday)
    assert (newer.target_on, newer.deadline_on) == (date(2026, 3, 18), date(2026, 3, 24))


def test_a_warranty_claim_gets_the_wp4_dates():
    line = new_line(purchased_on=days_ago(100), delivered_on=days_ago(95))
    claim = make_claim(
        S.APPROVED, kind=ClaimKind.WARRANTY, line=line, photos=[make_photo(line.order.customer)]
    )
    Claim.objects.filter(pk=claim.pk).update(approved_at=at_nine(date(2026, 3, 6)))

    claim = receive_claim(claim=claim, actor=cast(User, StaffFactory()), received_on=date(2026, 3, 6))

    assert (claim.target_on, claim.deadline_on) == (date(2026, 3, 17), date(2026, 3, 20))  # WP4: 7 / 10


# --- Review and inspection ------------------------------------------------------------


def test_question_and_answer_are_kept_as_messages_with_the_answers_photos():
    claim = make_claim(S.INFO_REQUESTED)
    customer = customer_of(claim)
    photo = make_photo(customer)

    claim = answer_info_request(claim=claim, actor=customer, answer=" Here is the box. ", photos=[photo])

    assert list(claim.messages.values_list("kind", "body")) == [
        (Message.Kind.QUESTION, "Could you send a photo of the box?"),
        (Message.Kind.ANSWER, "Here is the box."),
    ]
    photo.refresh_from_db()
    assert (photo.claim, photo.stage) == (claim, photo.Stage.ANSWER)


def test_an_answer_cannot_take_another_customers_photo():
    claim = make_claim(S.INFO_REQUESTED)
    stranger_photo = make_photo(cast(User, CustomerFactory()))

    with pytest.raises(ClaimError, match="belongs elsewhere"):
        answer_info_request(
            claim=claim, actor=customer_of(claim), answer="See the photo.", photos=[stranger_photo]
        )

    claim.refresh_from_db()
    stranger_photo.refresh_from_db()
    assert (claim.status, stranger_photo.claim) == (S.INFO_REQUESTED, None)


def test_changing_the_payer_at_approval_needs_a_reason():
    """R6: the payer is provisional; care may override it, saying why."""
    claim = make_claim()
    staff = cast(User, StaffFactory())

    with pytest.raises(ClaimError) as refusal:
        approve_claim(claim=claim, actor=staff, shipping_payer=ShippingPayer.ASM)

    assert "payer_override_reason" in refusal.value.field_errors
    claim = approve_claim(
        claim=claim,
        actor=staff,
        shipping_payer=ShippingPayer.ASM,
        payer_override_reason="Our listing was wrong.",
    )
    assert (claim.shipping_payer, claim.shipping_payer_note) == (ShippingPayer.ASM, "Our listing was wrong.")


def test_inspection_flags_each_point_that_contradicts_the_declaration():
    claim = make_claim(S.RECEIVED)
    findings = ALL_GOOD.__class__(**{**ALL_GOOD.__dict__, "found_all_accessories_included": False})

    claim = record_inspection(claim=claim, actor=cast(User, StaffFactory()), findings=findings)

    assert claim.inspection.mismatches == ["R4"]
    assert claim.events.get(kind=S.INSPECTED).data["mismatches"] == ["R4"]


# --- Resolution (RP4, RP5, WP4, R6) ---------------------------------------------------


def inspected_claim(*, reason=ReturnReason.CHANGED_MIND, defect_confirmed=False) -> Claim:
    line = new_line()
    photos = [make_photo(line.order.customer)] if reason != ReturnReason.CHANGED_MIND else []
    claim = make_claim(S.RECEIVED, line=line, reason=reason, photos=photos)
    findings = ALL_GOOD.__class__(**{**ALL_GOOD.__dict__, "defect_confirmed": defect_confirmed})
    return record_inspection(claim=claim, actor=cast(User, StaffFactory()), findings=findings)


RESOLVE_REFUSALS = {
    "refund without amount": (
        {"outcome": Outcome.REFUND, "payment_reference": "VCB-1"},
        {"refund_amount"},
    ),
    "refund of zero": (
        {"outcome": Outcome.REFUND, "refund_amount": Decimal(0), "payment_reference": "VCB-1"},
        {"refund_amount"},
    ),
    "refund without reference": (
        {"outcome": Outcome.REFUND, "refund_amount": Decimal(100)},
        {"payment_reference"},
    ),
    "sent back without telling why (RP5)": ({"outcome": Outcome.RETURNED_TO_CUSTOMER}, {"note"}),
    "a warranty outcome on a return": ({"outcome": Outcome.REPAIR}, {"outcome"}),
    "shipping reimbursed with no defect found (R6)": (
        {
            "outcome": Outcome.REFUND,
            "refund_amount": Decimal(100),
            "payment_reference": "VCB-1",
            "shipping_reimbursement": Decimal(30000),
        },
        {"shipping_reimbursement"},
    ),
}


@pytest.mark.parametrize(("arguments", "fields"), RESOLVE_REFUSALS.values(), ids=RESOLVE_REFUSALS.keys())
def test_resolve_refuses_an_incomplete_decision(arguments, fields):
    claim = inspected_claim()
    events = ClaimEvent.objects.count()

    with pytest.raises(ClaimError) as refusal:
        resolve_claim(claim=claim, actor=cast(User, StaffFactory()), **arguments)

    assert set(refusal.value.field_errors) == fields
    claim.refresh_from_db()
    assert claim.status == S.INSPECTED
    assert ClaimEvent.objects.count() == events


def test_returning_the_item_records_why():
    """RP5: the item goes back and the customer is told why."""
    claim = inspected_claim()

    claim = resolve_claim(
        claim=claim, actor=cast(User, StaffFactory()), outcome=Outcome.RETURNED_TO_CUSTOMER, note="Used."
    )

    assert (claim.outcome, claim.outcome_note, claim.refund_amount) == (
        Outcome.RETURNED_TO_CUSTOMER,
        "Used.",
        None,
    )
    assert claim.notifications.get(template_key="resolved").context["note"] == "Used."


def test_shipping_is_reimbursed_when_the_customer_paid_and_a_defect_was_confirmed():
    """R6: a 'changed my mind' return the inspection found defective: ASM owes the shipping."""
    claim = inspected_claim(defect_confirmed=True)

    claim = resolve_claim(
        claim=claim,
        actor=cast(User, StaffFactory()),
        outcome=Outcome.REFUND,
        refund_amount=Decimal(100),
        payment_reference="VCB-1",
        shipping_reimbursement=Decimal(30000),
    )

    assert claim.shipping_reimbursement == Decimal(30000)


def test_shipping_is_not_reimbursed_when_asm_already_paid_it():
    claim = inspected_claim(reason=ReturnReason.MANUFACTURING_DEFECT, defect_confirmed=True)

    with pytest.raises(ClaimError) as refusal:
        resolve_claim(
            claim=claim,
            actor=cast(User, StaffFactory()),
            outcome=Outcome.REFUND,
            refund_amount=Decimal(100),
            payment_reference="VCB-1",
            shipping_reimbursement=Decimal(30000),
        )

    assert set(refusal.value.field_errors) == {"shipping_reimbursement"}


# --- The audit trail ------------------------------------------------------------------


def test_events_cannot_be_edited_or_deleted():
    claim = make_claim()
    event = claim.events.get()

    event.note = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        ClaimEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(TypeError, match="append-only"):
        ClaimEvent.objects.filter(pk=event.pk).delete()
    assert ClaimEvent.objects.get(pk=event.pk).note == ""


# --- Two people acting at once (PostgreSQL row locks) -----------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_racing_on_one_claim_one_wins(postgres):
    """Both services lock the row: the second sees the first's status and is refused."""
    claim = make_claim(S.SUBMITTED, reason=ReturnReason.CHANGED_MIND, declaration=FULL_DECLARATION)
    staff = cast(User, StaffFactory())
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name: str, service: Callable[[], Claim]) -> None:
        try:
            start.wait()
            outcomes[name] = service().status
        except InvalidTransition as refusal:
            outcomes[name] = refusal
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=act, args=("approve", lambda: approve_claim(claim=claim, actor=staff))),
        threading.Thread(
            target=act,
            args=(
                "reject",
                lambda: reject_claim(claim=claim, actor=staff, reason=RejectReason.OTHER, message="No."),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    claim.refresh_from_db()
    refusals = [outcome for outcome in outcomes.values() if isinstance(outcome, InvalidTransition)]
    assert len(outcomes) == 2
    assert len(refusals) == 1
    assert claim.status in (S.APPROVED, S.REJECTED)
    assert claim.status in outcomes.values()
    assert claim.events.exclude(to_status=S.SUBMITTED).count() == 1
    assert "cannot be" in str(refusals[0])


def test_rp5_the_refused_units_stay_refused_and_the_lines_other_unit_may_still_be_returned():
    """PRODUCT.md: after a return is sent back, the same units cannot be returned again; the others can."""
    line = cast(OrderLine, OrderLineFactory(quantity=2))
    customer = line.order.customer
    care = new_staff()
    first = make_claim(S.SUBMITTED, line=line, quantity=1)
    reject_claim(claim=first, actor=care, reason=RejectReason.CONDITION_NOT_MET, message="Opened.")

    with pytest.raises(NotEligible, match="already refused"):
        submit_claim(request=claim_request(line, quantity=2), actor=customer)
    second = submit_claim(request=claim_request(line, quantity=1), actor=customer)
    reject_claim(claim=second, actor=care, reason=RejectReason.CONDITION_NOT_MET, message="Opened too.")

    with pytest.raises(NotEligible, match="already refused"):
        submit_claim(request=claim_request(line, quantity=1), actor=customer)
    # Care may still file for the customer (RP1), and a warranty claim stays open to them.
    assert submit_claim(request=claim_request(line, quantity=1), actor=care).quantity == 1
