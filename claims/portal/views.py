"""The portal's pages. Each parses input, calls one service or selector, and shows the result.

A customer reaches only their own orders, claims and photos: anything else
answers 404, exactly as if it did not exist.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims.errors import ClaimError, InvalidTransition
from claims.languages import remember_language
from claims.lifecycle import ClaimKind, Status, can_transition
from claims.models import Claim, ClaimPhoto, OrderLine, User
from claims.photos import photo_content_type
from claims.portal import rate_limits
from claims.portal.forms import (
    AnswerForm,
    MarkShippedForm,
    ReturnForm,
    SignInForm,
    WarrantyForm,
    posted_photo_ids,
)
from claims.portal.selectors import (
    LineStanding,
    claim_page,
    customer_claim,
    customer_line_standing,
    orders_page,
    return_reason_guide,
    return_rules,
    warranty_exclusions,
    warranty_open_until,
    warranty_payers,
)
from claims.portal.sign_in import customer_for_token, request_sign_in_link, spend_sign_in_token
from claims.selectors import claim_destination, ship_by
from claims.services import answer_info_request, cancel_claim, mark_shipped, submit_claim
from claims.slip import has_slip, slip_response
from policies.terms import Terms, current_terms


def _customer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required runs first; this only narrows the type
        raise PermissionDenied
    return user


def too_many_requests(
    request: HttpRequest,
    blocked: rate_limits.Blocked,
    *,
    template: str = "429.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    response = render(
        request, template, {**(context or {}), "retry_minutes": blocked.retry_after_minutes}, status=429
    )
    response["Retry-After"] = str(blocked.retry_after_seconds)
    return response


# --- Signing in -------------------------------------------------------------------

# The sign-in link's pages: a Referer carries the origin alone (see ``sign_in_link``).
LINK_PAGE_REFERRER_POLICY = "strict-origin"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:orders" if request.user.is_authenticated else "portal:sign_in")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        blocked = rate_limits.hit(
            (rate_limits.sign_in_per_email(), email),
            (rate_limits.sign_in_per_ip(), rate_limits.client_ip(request)),
        )
        if blocked:
            return too_many_requests(request, blocked, template="portal/sign_in.html", context={"form": form})
        request_sign_in_link(order_number=form.cleaned_data["order_number"], email=email)
        request.session["sign_in_email"] = email
        return redirect("portal:sign_in_sent")
    return render(request, "portal/sign_in.html", {"form": form})


@require_GET
def sign_in_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/sign_in_sent.html", {"email": request.session.get("sign_in_email", "")})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest) -> HttpResponse:
    """GET shows a "Sign in" button and spends nothing (mail scanners open links); POST signs in.

    The link's URL carries the token: its pages send ``Referrer-Policy: strict-origin``,
    so the requests that follow (styles, scripts, the form's POST, the next page) carry
    only the site's origin in their Referer, never the token. Not ``no-referrer``: with
    it, browsers send ``Origin: null`` on the form's POST, which the CSRF check refuses.
    """
    if request.method == "GET":
        token = request.GET.get("token", "")
        customer = customer_for_token(request, token)
    else:
        token = request.POST.get("token", "")
        customer = spend_sign_in_token(request, token)
    if customer is None:
        response = render(request, "portal/sign_in_link_invalid.html", {"form": SignInForm()}, status=400)
    elif request.method == "GET":
        response = render(request, "portal/sign_in_link.html", {"token": token, "customer": customer})
    else:
        login(request, customer)
        # The language they signed in with is theirs until they choose another with the switcher.
        remember_language(user=customer, language=translation.get_language(), replace=False)
        messages.success(request, _("You are signed in as %(email)s.") % {"email": customer.email})
        response = redirect("portal:orders")
    response["Referrer-Policy"] = LINK_PAGE_REFERRER_POLICY
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("portal:sign_in")


# --- Public pages -----------------------------------------------------------------


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    terms = current_terms()
    return render(
        request,
        "portal/policy.html",
        {
            "terms": terms,
            "care_terms": terms,
            "return_rules": return_rules(),
            "warranty_payers": warranty_payers(),
        },
    )


# --- My orders --------------------------------------------------------------------


@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    terms = current_terms()
    page = orders_page(customer=_customer(request), today=timezone.localdate(), terms=terms)
    return render(
        request,
        "portal/orders.html",
        {
            "orders": page.orders,
            "claims": page.claims,
            # The footer's contacts from the same read (the context processor would read them again).
            "care_terms": terms,
        },
    )


# --- Filing -----------------------------------------------------------------------


def _line_standing_or_404(request: HttpRequest, line_id: int, terms: Terms) -> LineStanding:
    try:
        return customer_line_standing(
            customer=_customer(request), line_id=line_id, today=timezone.localdate(), terms=terms
        )
    except OrderLine.DoesNotExist:
        raise Http404 from None


def _uploads_blocked(request: HttpRequest) -> rate_limits.Blocked | None:
    upload_count = len(request.FILES.getlist("new_photos"))
    if not upload_count:
        return None
    return rate_limits.hit((rate_limits.uploads_per_customer(), str(request.user.pk)), cost=upload_count)


def _file_claim(request: HttpRequest, *, line_id: int, kind: ClaimKind) -> HttpResponse:
    """The return and warranty pages: show the form, keep drafts, file once (POST/redirect/GET).

    "Upload" and "Remove" buttons only change the draft photos; the filing
    button files. A second, doubled submit finds the claim the first one filed
    and is sent to its page.
    """
    customer = _customer(request)
    terms = current_terms()
    today = timezone.localdate()
    standing = _line_standing_or_404(request, line_id, terms)
    if standing.open_claim is not None:
        messages.info(request, _("This item already has an open claim; here it is."))
        return _to_claim(standing.open_claim)
    refused = standing.refused_for_good(kind)
    if refused is not None:
        messages.info(request, _("A claim of this kind was already decided for this item; here is why."))
        return _to_claim(refused)
    form_class = ReturnForm if kind == ClaimKind.RETURN else WarrantyForm
    carried_over = request.method == "POST" and "carry_over" in request.POST
    if request.method == "POST" and not carried_over:
        blocked = _uploads_blocked(request)
        if blocked:
            return too_many_requests(request, blocked)
        form = form_class(data=request.POST, files=request.FILES, owner=customer, line=standing.line)
        if form.is_valid() and not form.only_editing_photos:
            blocked = rate_limits.hit((rate_limits.claims_per_customer(), str(customer.pk)))
            if blocked:
                return too_many_requests(request, blocked)
            try:
                claim = submit_claim(request=form.claim_request(), actor=customer, photos=form.draft_photos)
            except ClaimError as refusal:
                filed_meanwhile = _line_standing_or_404(request, line_id, terms).open_claim
                if filed_meanwhile is not None:
                    return _to_claim(filed_meanwhile)
                form.add_refusal(refusal)
            else:
                messages.success(
                    request,
                    _("Your claim %(rma)s is filed. We emailed you a confirmation.")
                    % {"rma": claim.rma_number},
                )
                return _to_claim(claim)
    else:
        # A late return carried over to the warranty path arrives with its description and photos.
        carried = request.POST if carried_over else {}
        form = form_class(
            initial={
                key: carried[key] for key in ("description", "quantity", "defect_category") if key in carried
            },
            photo_ids=posted_photo_ids(request.POST.getlist("photos")),
            owner=customer,
            line=standing.line,
        )
    context: dict[str, Any] = {"form": form, "standing": standing, "terms": terms, "care_terms": terms}
    if isinstance(form, ReturnForm):
        context["reason_guide"] = return_reason_guide()
        if form.is_bound and not form.is_valid():
            context["warranty_category"] = form.warranty_offer(today=today, terms=terms)
    else:
        context["declaration_problems"] = warranty_exclusions(line=standing.line, today=today, terms=terms)
        context["payers"] = warranty_payers()
    return render(request, f"portal/file_{kind}.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def file_return(request: HttpRequest, line_id: int) -> HttpResponse:
    return _file_claim(request, line_id=line_id, kind=ClaimKind.RETURN)


@login_required
@require_http_methods(["GET", "POST"])
def file_warranty(request: HttpRequest, line_id: int) -> HttpResponse:
    return _file_claim(request, line_id=line_id, kind=ClaimKind.WARRANTY)


# --- The claim page ---------------------------------------------------------------


def _to_claim(claim: Claim) -> HttpResponse:
    return redirect("portal:claim_detail", rma_number=claim.rma_number)


def _claim_or_404(request: HttpRequest, rma_number: str) -> Claim:
    try:
        return customer_claim(customer=_customer(request), rma_number=rma_number)
    except Claim.DoesNotExist:
        raise Http404 from None


def can_cancel(claim: Claim) -> bool:
    return can_transition(claim.status, Status.CANCELLED) and claim.shipped_on is None


def _render_claim(
    request: HttpRequest,
    claim: Claim,
    *,
    ship_form: MarkShippedForm | None = None,
    answer_form: AnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = claim_page(claim)
    terms = current_terms()
    today = timezone.localdate()
    awaiting_parcel = claim.status == Status.APPROVED and claim.shipped_on is None
    return render(
        request,
        "portal/claim_detail.html",
        {
            "page": page,
            "claim": claim,
            "destination": claim_destination(claim, current=terms),
            # The footer's contacts from the same read (the context processor would read them again).
            "care_terms": terms,
            "ship_by": ship_by(claim),
            "today": today,
            "warranty_open_until": warranty_open_until(claim, today=today, terms=terms),
            "ship_form": ship_form or (MarkShippedForm() if awaiting_parcel else None),
            "answer_form": answer_form
            or (
                AnswerForm(owner=_customer(request), photos_already_attached=len(page.photos))
                if claim.status == Status.INFO_REQUESTED
                else None
            ),
            "can_cancel": can_cancel(claim),
            "has_slip": has_slip(claim),
        },
        status=status,
    )


def _claim_step(
    request: HttpRequest,
    claim: Claim,
    form: MarkShippedForm | AnswerForm,
    step: Callable[[], object],
    *,
    success: str,
) -> HttpResponse | None:
    """Run one service on the claim: the redirect to its page, or None when ``form`` now holds the refusal.

    A step the claim's status no longer allows (someone acted first) is told at
    the top of the page; a refused input is shown beside its field.
    """
    try:
        step()
    except InvalidTransition as refusal:
        messages.error(request, refusal.message)
        return _to_claim(claim)
    except ClaimError as refusal:
        form.add_refusal(refusal)
        return None
    messages.success(request, success)
    return _to_claim(claim)


@login_required
@require_GET
def claim_detail(request: HttpRequest, rma_number: str) -> HttpResponse:
    return _render_claim(request, _claim_or_404(request, rma_number))


@login_required
@require_GET
def claim_slip(request: HttpRequest, rma_number: str, size: str) -> HttpResponse:
    """The printable RMA slip (A4) or parcel label (A6), for the claim's customer only."""
    return slip_response(_claim_or_404(request, rma_number), size)


@login_required
@require_POST
def claim_mark_shipped(request: HttpRequest, rma_number: str) -> HttpResponse:
    claim = _claim_or_404(request, rma_number)
    form = MarkShippedForm(request.POST)
    if form.is_valid():
        done = _claim_step(
            request,
            claim,
            form,
            lambda: mark_shipped(claim=claim, actor=_customer(request), **form.cleaned_data),
            success=_("Thank you: the parcel is marked as sent."),
        )
        if done:
            return done
    return _render_claim(request, claim, ship_form=form)


@login_required
@require_POST
def claim_answer(request: HttpRequest, rma_number: str) -> HttpResponse:
    claim = _claim_or_404(request, rma_number)
    customer = _customer(request)
    blocked = _uploads_blocked(request)
    if blocked:
        return too_many_requests(request, blocked)
    form = AnswerForm(
        data=request.POST, files=request.FILES, owner=customer, photos_already_attached=claim.photos.count()
    )
    if form.is_valid() and not form.only_editing_photos:
        done = _claim_step(
            request,
            claim,
            form,
            lambda: answer_info_request(
                claim=claim, actor=customer, answer=form.cleaned_data["answer"], photos=form.draft_photos
            ),
            success=_("Thank you: your answer was sent to ASM care."),
        )
        if done:
            return done
    return _render_claim(request, claim, answer_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def claim_cancel(request: HttpRequest, rma_number: str) -> HttpResponse:
    """GET asks to confirm; POST cancels."""
    claim = _claim_or_404(request, rma_number)
    if request.method == "GET":
        if not can_cancel(claim):
            messages.error(request, _("This claim can no longer be cancelled."))
            return _to_claim(claim)
        return render(request, "portal/claim_cancel.html", {"claim": claim})
    try:
        cancel_claim(claim=claim, actor=_customer(request))
    except ClaimError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Claim %(rma)s is cancelled.") % {"rma": claim.rma_number})
    return _to_claim(claim)


# --- Photos -----------------------------------------------------------------------


# Staff whose role handles claims (care, managers, the warehouse); a staff account without a role sees none.
STAFF_PHOTO_PERMISSIONS = ("claims.view_claim", "claims.receive_claim", "claims.inspect_claim")


def _may_see_photo(user: User, photo: ClaimPhoto) -> bool:
    if user.is_staff and user.is_active:
        return any(user.has_perm(permission) for permission in STAFF_PHOTO_PERMISSIONS)
    if photo.claim is None:
        return photo.owner_id == user.pk
    return photo.claim.order_line.order.customer_id == user.pk


@login_required
@require_GET
def claim_photo(request: HttpRequest, photo_id: int, size: str = "full") -> FileResponse:
    """A claim photo for its owner, the claim's customer, or staff; 404 for everyone else."""
    try:
        photo = ClaimPhoto.objects.select_related("claim__order_line__order").get(pk=photo_id)
    except ClaimPhoto.DoesNotExist:
        raise Http404 from None
    if not _may_see_photo(_customer(request), photo):
        raise Http404
    stored = photo.thumbnail if size == "thumbnail" else photo.image
    response = FileResponse(stored.open("rb"), content_type=photo_content_type(stored.name))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"  # a customer's photo: never kept on a shared computer
    return response
