"""What inventory offers the apps that bring goods in, without knowing them: the inbound slip
they write through `inbound_slip_create` and the `SLIP_CONFIRMED` hook they register into."""

from decimal import Decimal

import pytest

from banyan.core.errors import NotFound, ValidationFailed
from banyan.inventory import services
from banyan.inventory.models import StockLevel, StockSlip

pytestmark = pytest.mark.django_db


def test_an_inbound_slip_for_another_app_waits_for_a_keeper_like_any_slip(inv):
    slip = services.inbound_slip_create(
        user=inv.buyer,
        warehouse=inv.shanghai,
        reason="Delivery 7",
        lines=[{"product": inv.product.pk, "quantity": Decimal("4")}],
    )

    assert (slip.kind, slip.status, slip.warehouse, slip.reason) == (
        "inbound",
        "draft",
        inv.shanghai,
        "Delivery 7",
    )
    assert slip.number.startswith("RK") and slip.purchase_order_id is None
    assert list(slip.lines.values_list("product", "quantity", "purchase_line")) == [
        (inv.product.pk, Decimal("4.00"), None)
    ]
    services.slip_confirm(user=inv.keeper, slip=slip)
    level = StockLevel.objects.get(warehouse=inv.shanghai, product=inv.product)
    assert level.quantity == Decimal("14.00")


def test_an_inbound_slip_takes_only_the_company_s_warehouse_and_products(inv, other):
    for warehouse, product in ((other.shanghai, inv.product), (inv.shanghai, other.product)):
        with pytest.raises(NotFound):
            services.inbound_slip_create(
                user=inv.buyer,
                warehouse=warehouse,
                reason="",
                lines=[{"product": product.pk, "quantity": Decimal("1")}],
            )
    for lines in ([], [{"product": inv.product.pk, "quantity": Decimal("0")}]):
        with pytest.raises(ValidationFailed):
            services.inbound_slip_create(
                user=inv.buyer, warehouse=inv.shanghai, reason="", lines=lines
            )
    assert not StockSlip.objects.filter(kind="inbound").exists()


def test_slip_confirmed_runs_with_the_slip_and_the_keeper_inside_the_confirmation(inv, monkeypatch):
    heard = []

    def listener(*, slip, user):
        heard.append((slip.pk, slip.status, user.pk))

    hook = services.SLIP_CONFIRMED
    monkeypatch.setattr(hook, "_functions", [*hook, listener])
    slip = services.slip_create(
        user=inv.keeper,
        kind="outbound",
        warehouse=inv.shanghai,
        reason="Sample",
        lines=[{"product": inv.product.pk, "quantity": "1"}],
    )
    services.slip_confirm(user=inv.keeper, slip=slip)

    assert heard == [(slip.pk, "confirmed", inv.keeper.pk)]
