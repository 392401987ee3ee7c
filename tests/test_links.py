"""Links reversed once give what reverse() gives."""

import pytest
from django.urls import reverse, set_script_prefix

from claims.links import link, link_for_each


@pytest.fixture
def script_prefix():
    yield
    set_script_prefix("/")


@pytest.mark.parametrize(
    ("viewname", "args"),
    [
        ("portal:orders", []),
        ("portal:claim_detail", ["RMA-2026-000123"]),
        ("portal:claim_detail", ["odd value;with=signs&spaces é"]),
        ("portal:file_return", [42]),
        ("portal:claim_slip", ["RMA-2026-000123", "a6"]),
        ("admin:claims_claim_change", [7]),
    ],
)
def test_a_link_is_what_reverse_gives(viewname, args):
    assert link(viewname, *args) == reverse(viewname, args=args)


def test_a_link_for_each_value_of_a_list(script_prefix):
    claim_link = link_for_each("portal:claim_detail")
    assert [claim_link(rma) for rma in ["RMA-1", "RMA-2"]] == [
        reverse("portal:claim_detail", args=[rma]) for rma in ["RMA-1", "RMA-2"]
    ]
    assert (
        link_for_each("admin:claims_claim_change", query="?q=a")(3)
        == reverse("admin:claims_claim_change", args=[3]) + "?q=a"
    )


def test_a_link_follows_the_script_prefix(script_prefix):
    set_script_prefix("/care/")
    assert link("portal:orders") == reverse("portal:orders") == "/care/orders/"
    assert link("portal:claim_detail", "RMA-1") == reverse("portal:claim_detail", args=["RMA-1"])
