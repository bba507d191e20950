"""Writes on money: payment plans, payments (a ledger) and invoices.

- Payment plans are made by whoever may change the agreement. Their sum may not pass the
  agreement's amount.
- Payments are recorded only by users with the finance permission, on an agreement they see
  that is signed, executing or completed. A payment is never changed or deleted: a mistake is
  corrected by `payment_reverse`, which books the opposite amount pointing at the original.
  A payment that would take the paid total past the agreement's amount is refused unless the
  caller confirms it (`confirm_overpayment`).
- Invoices are recorded by finance too; the invoiced total may not pass the paid total unless
  the company allows invoicing ahead of payment.

Every function locks the agreement's row first, so the stored `planned_amount`,
`paid_amount`, `invoiced_amount` and each plan's `paid_amount` stay equal to the sums of their
rows, also when two people record money at once.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write, ensure_permission
from banyan.accounts.models import DictionaryOption, User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.fetch import get_or_none
from banyan.core.models import ExactSum
from banyan.core.text import clean_text, squash_spaces
from banyan.core.values import amount_fits, fen, max_amount_text, parse_amount, parse_day
from banyan.finance import selectors
from banyan.finance.models import Invoice, Payment, PaymentPlan


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _lock_agreement(user: User, agreement, *, for_edit: bool) -> Agreement:
    """The visible agreement, re-read under a row lock (NotFound / PermissionRefused)."""
    pk = agreement.pk if isinstance(agreement, Agreement) else agreement
    fetched = agreement_selectors.get_agreement_for(user, pk, for_edit=for_edit)
    locked = Agreement.objects.select_for_update().get(pk=fetched.pk)
    locked.customer = fetched.customer
    return locked


def _ensure_finance(user: User) -> None:
    ensure_can_write(user)
    ensure_permission(
        user, "finance", _("Only users with the finance permission record payments and invoices.")
    )


def _note(value, errors: dict) -> str:
    note = squash_spaces(value or "")
    if len(note) > 255:
        _add(errors, "note", _("A note has at most 255 characters."))
    return note


# --- payment plans ------------------------------------------------------------------------


def _check_plan_sum(agreement: Agreement, amount: Decimal, *, excluding=None) -> None:
    others = PaymentPlan.objects.filter(agreement=agreement)
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    planned = others.aggregate(total=ExactSum("amount"))["total"] or Decimal("0.00")
    if planned + amount > agreement.amount:
        raise ValidationFailed(
            {
                "amount": [
                    _(
                        "The plans would add up to %(total)s, more than the agreement's "
                        "amount of %(amount)s: at most %(left)s is left to plan."
                    )
                    % {
                        "total": planned + amount,
                        "amount": agreement.amount,
                        "left": max(agreement.amount - planned, Decimal("0.00")),
                    }
                ]
            }
        )


def _ensure_plannable(agreement: Agreement) -> None:
    if agreement.status == Agreement.Status.CANCELLED:
        raise DomainError(_("This agreement is cancelled: it has no payment plans."))


@transaction.atomic
def plan_create(*, user: User, agreement, due_on, amount, note: str = "") -> PaymentPlan:
    ensure_can_write(user)
    agreement = _lock_agreement(user, agreement, for_edit=True)
    _ensure_plannable(agreement)
    errors: dict = {}
    day = parse_day(due_on, errors, "due_on", required=True)
    value = parse_amount(amount, errors, "amount")
    note = _note(note, errors)
    if errors:
        raise ValidationFailed(errors)
    _check_plan_sum(agreement, value)
    plan = PaymentPlan.objects.create(
        company_id=user.company_id,
        agreement=agreement,
        customer_id=agreement.customer_id,
        due_on=day,
        amount=value,
        note=note,
        created_by=user,
    )
    _book_plan(agreement, value)
    return plan


def _book_plan(agreement: Agreement, value: Decimal) -> None:
    """Keep the agreement's planned amount (the sum of its plans) exact."""
    if value:
        Agreement.objects.filter(pk=agreement.pk).update(planned_amount=F("planned_amount") + value)
        agreement.planned_amount += value


@transaction.atomic
def plan_update(*, user: User, plan: PaymentPlan, **data) -> PaymentPlan:
    """Change a plan's due date, amount or note. A new due date may remind again."""
    ensure_can_write(user)
    agreement = _lock_agreement(user, plan.agreement_id, for_edit=True)
    _ensure_plannable(agreement)
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    amount_before = plan.amount
    errors: dict = {}
    for field in set(data) - {"due_on", "amount", "note"}:
        _add(errors, field, _("Unknown field."))
    if "due_on" in data:
        day = parse_day(data["due_on"], errors, "due_on", required=True)
        if day is not None and day != plan.due_on:
            plan.due_on = day
            plan.reminded_at = None
    if "amount" in data:
        value = parse_amount(data["amount"], errors, "amount")
        if value is not None:
            plan.amount = value
    if "note" in data:
        plan.note = _note(data["note"], errors)
    if errors:
        raise ValidationFailed(errors)
    _check_plan_sum(agreement, plan.amount, excluding=plan)
    plan.save()
    _book_plan(agreement, plan.amount - amount_before)
    return plan


@transaction.atomic
def plan_delete(*, user: User, plan: PaymentPlan) -> None:
    """A plan that payments were recorded against stays (its payments point at it), and so
    does every plan of a cancelled agreement (its history): `selectors.plan_delete_refusal`,
    which the Delete button asks too."""
    ensure_can_write(user)
    agreement = _lock_agreement(user, plan.agreement_id, for_edit=True)
    refusal = selectors.plan_delete_refusal(user, plan, agreement=agreement)
    if refusal is not None:
        raise DomainError(refusal)
    amount = PaymentPlan.objects.filter(pk=plan.pk).values_list("amount", flat=True).first()
    if amount is not None:
        PaymentPlan.objects.filter(pk=plan.pk).delete()
        _book_plan(agreement, -amount)


# --- payments -----------------------------------------------------------------------------


def _method(user: User, value, errors: dict) -> DictionaryOption | None:
    if value in (None, ""):
        _add(errors, "method", _("Choose how it was paid."))
        return None
    option = get_or_none(
        DictionaryOption.objects.filter(company_id=user.company_id, kind="payment_method"), value
    )
    if option is None:
        _add(errors, "method", _("Choose a payment method from the list."))
        return None
    if not option.is_active:
        _add(
            errors,
            "method",
            _("%(label)s is no longer in use: choose another.") % {"label": option.display_label},
        )
        return None
    return option


def _credited(user: User, value, agreement: Agreement, errors: dict) -> User | None:
    if value in (None, ""):
        return agreement.owner
    owner = get_or_none(User.objects.filter(company_id=user.company_id), value)
    if owner is None:
        _add(errors, "owner", _("Choose a user of your company."))
        return None
    if not owner.is_active and owner.pk != agreement.owner_id:
        _add(errors, "owner", _("%(name)s is deactivated.") % {"name": owner.display_name})
        return None
    return owner


def _plan_of(agreement: Agreement, value, errors: dict) -> PaymentPlan | None:
    if value in (None, ""):
        return None
    plan = get_or_none(PaymentPlan.objects.select_for_update().filter(agreement=agreement), value)
    if plan is None:
        _add(errors, "plan", _("Choose one of this agreement's payment plans."))
    return plan


@transaction.atomic
def payment_record(
    *,
    user: User,
    agreement,
    amount,
    paid_on,
    method,
    owner=None,
    plan=None,
    note: str = "",
    confirm_overpayment: bool = False,
) -> Payment:
    _ensure_finance(user)
    agreement = _lock_agreement(user, agreement, for_edit=False)
    if not agreement.takes_payments:
        raise DomainError(
            _("This agreement is %(status)s: payments are recorded once it is signed.")
            % {"status": agreement.get_status_display()}
            if agreement.status == Agreement.Status.DRAFT
            else _("This agreement is cancelled: it takes no payments."),
            field="agreement",
        )
    errors: dict = {}
    value = parse_amount(amount, errors, "amount")
    day = parse_day(paid_on, errors, "paid_on", required=True)
    method_option = _method(user, method, errors)
    credited = _credited(user, owner, agreement, errors)
    plan_row = _plan_of(agreement, plan, errors)
    note = _note(note, errors)
    if errors:
        raise ValidationFailed(errors)
    paid_after = agreement.paid_amount + value
    if not amount_fits(paid_after):
        raise ValidationFailed(
            {
                "amount": [
                    _("The paid total would pass %(max)s.") % {"max": max_amount_text()},
                ]
            }
        )
    if paid_after > agreement.amount and not confirm_overpayment:
        raise DomainError(
            _(
                "This payment takes the paid total to %(paid)s, above the agreement's amount of "
                "%(amount)s. Confirm the over-payment to record it anyway."
            )
            % {"paid": paid_after, "amount": agreement.amount},
            field="amount",
            code="overpayment",
        )
    payment = Payment(
        company_id=user.company_id,
        agreement=agreement,
        customer_id=agreement.customer_id,
        plan=plan_row,
        paid_on=day,
        amount=value,
        method=method_option,
        owner=credited,
        note=note,
        recorded_by=user,
    )
    payment._history_user = user
    payment.save()
    _book(agreement, plan_row, value)
    return payment


def _book(agreement: Agreement, plan: PaymentPlan | None, value: Decimal) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(paid_amount=F("paid_amount") + value)
    agreement.paid_amount += value
    if plan is not None:
        PaymentPlan.objects.filter(pk=plan.pk).update(paid_amount=F("paid_amount") + value)
        plan.paid_amount += value


@transaction.atomic
def payment_reverse(*, user: User, payment: Payment, reason: str = "", paid_on=None) -> Payment:
    """Book the opposite of `payment`, pointing at it: the only way to undo a payment. A
    payment is reversed at most once, a reversal is not itself reversed, and what stays
    paid covers what is invoiced (`selectors.payment_reverse_refusal`, which every Reverse
    link asks too)."""
    _ensure_finance(user)
    original = selectors.get_payment_for(user, payment.pk)
    agreement = _lock_agreement(user, original.agreement_id, for_edit=False)
    refusal = selectors.payment_reverse_refusal(user, original, agreement=agreement)
    if refusal is not None:
        raise DomainError(refusal)
    errors: dict = {}
    reason = squash_spaces(reason or "")
    if not reason:
        _add(errors, "reason", _("Say why the payment is reversed."))
    elif len(reason) > 255:
        _add(errors, "reason", _("A reason has at most 255 characters."))
    day = parse_day(paid_on, errors, "paid_on") or selectors.today_for(user)
    if errors:
        raise ValidationFailed(errors)
    plan = (
        PaymentPlan.objects.select_for_update().get(pk=original.plan_id)
        if original.plan_id
        else None
    )
    reversal = Payment(
        company_id=user.company_id,
        agreement=agreement,
        customer_id=original.customer_id,
        plan=plan,
        paid_on=day,
        amount=-original.amount,
        method_id=original.method_id,
        owner_id=original.owner_id,
        note=reason,
        reverses=original,
        recorded_by=user,
    )
    reversal._history_user = user
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        raise DomainError(_("This payment has already been reversed.")) from None
    _book(agreement, plan, reversal.amount)
    return reversal


# --- invoices -----------------------------------------------------------------------------

INVOICE_FIELDS = {"number", "type", "title", "tax_id", "amount", "issued_on", "note"}


def _invoice_type(user: User, value, errors: dict, *, current_id=None) -> DictionaryOption | None:
    if value in (None, ""):
        _add(errors, "type", _("Choose the invoice type."))
        return None
    option = get_or_none(
        DictionaryOption.objects.filter(company_id=user.company_id, kind="invoice_type"), value
    )
    if option is None:
        _add(errors, "type", _("Choose an invoice type from the list."))
        return None
    if not option.is_active and option.pk != current_id:
        _add(
            errors,
            "type",
            _("%(label)s is no longer in use: choose another.") % {"label": option.display_label},
        )
        return None
    return option


def _clean_invoice(user: User, data: dict, errors: dict, current: Invoice | None) -> dict:
    cleaned: dict = {}
    for field in set(data) - INVOICE_FIELDS:
        _add(errors, field, _("Unknown field."))
    if "number" in data:
        number = clean_text(data["number"] or "")
        if not number:
            _add(errors, "number", _("Enter the invoice number."))
        elif len(number) > 50:
            _add(errors, "number", _("An invoice number has at most 50 characters."))
        else:
            taken = Invoice.objects.filter(company_id=user.company_id, number=number)
            if current is not None:
                taken = taken.exclude(pk=current.pk)
            if taken.exists():
                _add(
                    errors,
                    "number",
                    _("Invoice %(number)s is already recorded.") % {"number": number},
                )
        cleaned["number"] = number
    if "type" in data:
        cleaned["type"] = _invoice_type(
            user, data["type"], errors, current_id=current.type_id if current else None
        )
    if "title" in data:
        cleaned["title"] = squash_spaces(data["title"] or "")
        if not cleaned["title"]:
            _add(errors, "title", _("Enter the invoice title (the buyer's name)."))
        elif len(cleaned["title"]) > 200:
            _add(errors, "title", _("A title has at most 200 characters."))
    if "tax_id" in data:
        tax_id = clean_text(data["tax_id"] or "").upper().replace(" ", "")
        if tax_id and not (tax_id.isalnum() and 15 <= len(tax_id) <= 20):
            _add(
                errors,
                "tax_id",
                _("A taxpayer id is 15 to 20 letters and digits, e.g. 91110108MA01XXXXXX."),
            )
        cleaned["tax_id"] = tax_id
    if "amount" in data:
        cleaned["amount"] = parse_amount(data["amount"], errors, "amount")
    if "issued_on" in data:
        cleaned["issued_on"] = parse_day(data["issued_on"], errors, "issued_on", required=True)
    if "note" in data:
        cleaned["note"] = _note(data["note"], errors)
    return cleaned


def _check_invoiced(agreement: Agreement, invoiced_after: Decimal) -> None:
    if not amount_fits(invoiced_after):
        raise ValidationFailed(
            {
                "amount": [
                    _("Invoices would add up to more than %(max)s.") % {"max": max_amount_text()}
                ]
            }
        )
    if invoiced_after > agreement.paid_amount and not agreement.company.allow_invoice_ahead:
        raise ValidationFailed(
            {
                "amount": [
                    _(
                        "Invoices would add up to %(invoiced)s but only %(paid)s is paid: your "
                        "company invoices only what has been paid."
                    )
                    % {"invoiced": invoiced_after, "paid": agreement.paid_amount}
                ]
            }
        )


@transaction.atomic
def invoice_create(*, user: User, agreement, **data) -> Invoice:
    _ensure_finance(user)
    agreement = _lock_agreement(user, agreement, for_edit=False)
    if agreement.status == Agreement.Status.CANCELLED:
        raise DomainError(
            _("This agreement is cancelled: it takes no invoices."), field="agreement"
        )
    errors: dict = {}
    data.setdefault("number", "")
    data.setdefault("type", None)
    data.setdefault("issued_on", None)
    data.setdefault("amount", None)
    if data.get("title") in (None, ""):
        data["title"] = agreement.customer.name
    cleaned = _clean_invoice(user, data, errors, None)
    if errors:
        raise ValidationFailed(errors)
    _check_invoiced(agreement, agreement.invoiced_amount + cleaned["amount"])
    invoice = Invoice(
        company_id=user.company_id,
        agreement=agreement,
        customer_id=agreement.customer_id,
        recorded_by=user,
        **cleaned,
    )
    invoice._history_user = user
    _save_invoice(invoice)
    _book_invoice(agreement, invoice.amount)
    return invoice


def _save_invoice(invoice: Invoice) -> None:
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise ValidationFailed(
            {"number": [_("Invoice %(number)s is already recorded.") % {"number": invoice.number}]}
        ) from None


def _book_invoice(agreement: Agreement, value: Decimal) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(invoiced_amount=F("invoiced_amount") + value)
    agreement.invoiced_amount += value


@transaction.atomic
def invoice_update(*, user: User, invoice: Invoice, **data) -> Invoice:
    _ensure_finance(user)
    visible = selectors.get_invoice_for(user, invoice.pk)
    agreement = _lock_agreement(user, visible.agreement_id, for_edit=False)
    invoice = Invoice.objects.select_for_update().get(pk=visible.pk)
    errors: dict = {}
    cleaned = _clean_invoice(user, data, errors, invoice)
    if errors:
        raise ValidationFailed(errors)
    before = invoice.amount
    for field, value in cleaned.items():
        setattr(invoice, field, value)
    _check_invoiced(agreement, agreement.invoiced_amount - before + invoice.amount)
    invoice._history_user = user
    _save_invoice(invoice)
    _book_invoice(agreement, invoice.amount - before)
    return invoice


@transaction.atomic
def invoice_delete(*, user: User, invoice: Invoice) -> None:
    """Remove an invoice recorded by mistake (its history keeps what it was)."""
    _ensure_finance(user)
    visible = selectors.get_invoice_for(user, invoice.pk)
    agreement = _lock_agreement(user, visible.agreement_id, for_edit=False)
    invoice = Invoice.objects.select_for_update().get(pk=visible.pk)
    invoice._history_user = user
    invoice.delete()
    _book_invoice(agreement, -invoice.amount)


def check_books(company_id: int) -> list[str]:
    """Every agreement and plan whose stored figures differ from the sums of their rows
    (empty when the books are right)."""
    problems = []
    # SQLite adds decimals as floats: every sum goes back to the fen before comparing.
    payments = dict(
        Payment.objects.filter(company_id=company_id)
        .values("agreement_id")
        .annotate(total=ExactSum("amount"))
        .values_list("agreement_id", "total")
    )
    invoices = dict(
        Invoice.objects.filter(company_id=company_id)
        .values("agreement_id")
        .annotate(total=ExactSum("amount"))
        .values_list("agreement_id", "total")
    )
    plans = dict(
        PaymentPlan.objects.filter(company_id=company_id)
        .values("agreement_id")
        .annotate(total=ExactSum("amount"))
        .values_list("agreement_id", "total")
    )
    for agreement in Agreement.objects.filter(company_id=company_id):
        if (
            agreement.paid_amount != fen(payments.get(agreement.pk, 0))
            or agreement.invoiced_amount != fen(invoices.get(agreement.pk, 0))
            or agreement.planned_amount != fen(plans.get(agreement.pk, 0))
        ):
            problems.append(agreement.number)
    plan_sums = dict(
        Payment.objects.filter(company_id=company_id, plan__isnull=False)
        .values("plan_id")
        .annotate(total=ExactSum("amount"))
        .values_list("plan_id", "total")
    )
    for plan in PaymentPlan.objects.filter(company_id=company_id):
        if plan.paid_amount != fen(plan_sums.get(plan.pk, 0)):
            problems.append(f"plan {plan.pk}")
    return problems
