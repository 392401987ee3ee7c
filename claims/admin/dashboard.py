"""The managers' deadline dashboard; the bar chart is drawn on the server (no script, no inline style)."""

from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import Claim
from claims.permissions import VIEW_DASHBOARD
from claims.selectors import deadline_dashboard

CHART_WIDTH = 480
BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_WIDTH = 190


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    url: str
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5


def chart_bars(rows: list[tuple[str, int, str]]) -> list[Bar]:
    """Bars scaled to the largest count, as SVG coordinates."""
    largest = max((count for _label, count, _url in rows), default=0) or 1
    usable = CHART_WIDTH - LABEL_WIDTH - 60
    return [
        Bar(
            label=label,
            count=count,
            url=url,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(usable * count / largest),
        )
        for index, (label, count, url) in enumerate(rows)
    ]


class DashboardPage(admin.ModelAdmin[Claim]):
    def has_dashboard_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_DASHBOARD)

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_dashboard_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        figures = deadline_dashboard(today=today)
        changelist = reverse("admin:claims_claim_changelist")
        rows = [
            (str(status.label), count, f"{changelist}?status__exact={status.value}")
            for status, count in figures.open_by_status
        ]
        rows += [
            (_("Due soon"), figures.due_soon, f"{changelist}?deadline=due_soon"),
            (_("Overdue"), figures.overdue, f"{changelist}?deadline=overdue"),
        ]
        bars = chart_bars(rows)
        return TemplateResponse(
            request,
            "admin/claims/claim/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Deadline dashboard"),
                "figures": figures,
                "today": today,
                "share_percent": None
                if figures.share_in_time is None
                else round(figures.share_in_time * 100),
                "bars": bars,
                "chart_width": CHART_WIDTH,
                "chart_height": len(bars) * (BAR_HEIGHT + BAR_GAP),
                "label_width": LABEL_WIDTH,
                "bar_height": BAR_HEIGHT,
            },
        )
