"""State for the finance page tests, built through the real services."""

from datetime import timedelta
from decimal import Decimal

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.finance import selectors
from banyan.finance import services as finance_services


def today(user):
    return selectors.today_for(user)


def days(user, offset: int):
    """A day `offset` days from today in the user's company zone."""
    return today(user) + timedelta(days=offset)


def option(company, kind: str, code: str) -> DictionaryOption:
    return DictionaryOption.objects.get(company=company, kind=kind, code=code)


def bank_transfer(company) -> DictionaryOption:
    return option(company, "payment_method", "bank_transfer")


def vat_special(company) -> DictionaryOption:
    return option(company, "invoice_type", "vat_special")


def signed_agreement(make_product, make_agreement, user, customer, amount="10000.00", **fields):
    """An order of one line at `amount`, made and signed by `user`."""
    product = make_product(user, list_price=amount)
    agreement = make_agreement(
        user, customer, lines=[{"product": product.pk, "quantity": "1"}], **fields
    )
    return agreement_services.agreement_sign(user=user, agreement=agreement)


def plan(user, agreement, amount, due_in_days=30, note=""):
    return finance_services.plan_create(
        user=user, agreement=agreement, due_on=days(user, due_in_days), amount=amount, note=note
    )


def pay(finance_user, agreement, amount, plan=None, paid_in_days=0, **fields):
    return finance_services.payment_record(
        user=finance_user,
        agreement=agreement,
        amount=amount,
        paid_on=days(finance_user, paid_in_days),
        method=fields.pop("method", None) or bank_transfer(finance_user.company),
        plan=plan,
        **fields,
    )


def invoice(finance_user, agreement, amount, number, **fields):
    return finance_services.invoice_create(
        user=finance_user,
        agreement=agreement,
        number=number,
        type=fields.pop("type", None) or vat_special(finance_user.company),
        amount=amount,
        issued_on=fields.pop("issued_on", None) or today(finance_user),
        **fields,
    )


def money(value) -> Decimal:
    return Decimal(value)
