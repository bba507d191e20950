"""Writes on shipments: an order's goods leave."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement, AgreementLine
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.text import squash_spaces
from banyan.core.values import parse_day
from banyan.inventory import selectors
from banyan.inventory.models import Shipment, ShipmentLine
from banyan.inventory.services.common import _add
from banyan.inventory.services.lines import _order_lines


def _too_many_to_ship(entry, quantity):
    if entry.needs_stock and entry.shipped + quantity <= entry.ordered:
        return _(
            "Line %(number)d: only %(left)s of %(name)s has left the warehouse and "
            "not shipped yet; confirm its outbound slip first."
        )
    return _("Line %(number)d: %(name)s has %(left)s left to ship of what was ordered.")


# --- shipments ----------------------------------------------------------------------------


@transaction.atomic
def shipment_create(
    *,
    user: User,
    agreement,
    carrier: str,
    shipped_on,
    lines=None,
    tracking_number: str = "",
    note: str = "",
) -> Shipment:
    """Ship an order's goods: `lines` [{"agreement_line": id, "quantity": q}], by default
    everything that may ship now. Never more than ordered, nor more than released from stock
    for products that go through an outbound slip."""
    ensure_can_write(user)
    order = agreement_selectors.get_agreement_for(
        user, agreement.pk if isinstance(agreement, Agreement) else agreement, for_edit=True
    )
    if order.kind != Agreement.Kind.ORDER:
        raise DomainError(_("Only orders are shipped."))
    if order.status not in (Agreement.Status.SIGNED, Agreement.Status.EXECUTING):
        raise DomainError(_("Only a signed or executing order ships."), field="status")
    Agreement.objects.select_for_update().filter(pk=order.pk).first()
    errors: dict = {}
    carrier = squash_spaces(carrier or "")
    if not carrier:
        _add(errors, "carrier", _("Enter the carrier."))
    elif len(carrier) > 100:
        _add(errors, "carrier", _("At most 100 characters."))
    tracking_number = squash_spaces(tracking_number or "")[:100]
    day = parse_day(shipped_on, errors, "shipped_on", required=True)
    state = {entry.line.pk: entry for entry in selectors.order_shipping(user, order)}
    wanted: list[tuple[AgreementLine, Decimal]] = []
    if lines is None:
        wanted = [(e.line, e.shippable) for e in state.values() if e.shippable > 0]
        if not wanted:
            _add(errors, "lines", _("Nothing of this order can ship now."))
    else:
        wanted = _order_lines(
            state,
            lines,
            errors,
            eligible=lambda entry: True,
            choose=_("Line %(number)d: choose a line of this order."),
            limit=lambda entry: entry.shippable,
            too_many=_too_many_to_ship,
        )
    if errors:
        raise ValidationFailed(errors)
    shipment = Shipment.objects.create(
        company_id=user.company_id,
        agreement=order,
        customer_id=order.customer_id,
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_on=day,
        note=squash_spaces(note or "")[:255],
        created_by=user,
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                company_id=user.company_id, shipment=shipment, agreement_line=line, quantity=q
            )
            for line, q in wanted
        ]
    )
    return shipment
