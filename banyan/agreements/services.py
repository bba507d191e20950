"""Writes on agreements: create, change, lines, the status steps, attachments, delete.

Every function takes the acting user and needs edit rights on the agreement's customer
(owner line, or shared to edit). One agreement is one kind forever.

Rules:
- A contract (合同) sells service products only, in one to five lines, and never touches
  stock. An order (订单) sells any products in any number of lines (at least one).
- A line's unit price defaults to the product's list price; its amount is unit price ×
  quantity less its discount (percent), rounded half up to the fen. The agreement's amount is
  the lines' total less the whole discount (percent), rounded the same way, and stored.
- Lines, and with them the amount, change only while the agreement is a draft; the amount may
  not fall below what its payment plans already add up to.
- Status: draft → signed → executing → completed, or cancelled (with a reason) from any step
  before completed, and only while no money is booked on it. Signing calls the customers'
  hook: a potential customer becomes regular (company setting) and stops being hot.
- The number is unique in the company. Left blank, it is generated: the company's prefix for
  the kind followed by a running number.
"""

from decimal import Decimal
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.agreements import selectors
from banyan.agreements.models import (
    Agreement,
    AgreementAttachment,
    AgreementLine,
    agreement_amount,
    line_amount,
)
from banyan.core import numbers
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.models import ExactSum
from banyan.core.text import clean_text, squash_spaces
from banyan.core.uploads import check_document
from banyan.core.values import (
    amount_fits,
    max_amount_text,
    parse_amount,
    parse_day,
    parse_percent,
    parse_quantity,
)
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.customers.models import Customer
from banyan.products.models import Product

MAX_CONTRACT_LINES = 5
MAX_ORDER_LINES = 500
HEADER_FIELDS = {"number", "title", "owner", "signed_on", "starts_on", "ends_on", "terms"}

# Attachments: what a contract's paperwork is, recognised by extension and checked by content
# (core.uploads: the first bytes, then the structure).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ooxml",
    ),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".zip": ("application/zip", "zip"),
    ".txt": ("text/plain", "text"),
}


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


# --- numbers ------------------------------------------------------------------------------


def _prefix(company, kind: str) -> str:
    if kind == Agreement.Kind.CONTRACT:
        return company.contract_number_prefix
    return company.order_number_prefix


def next_number(company, kind: str) -> str:
    """The next free number for the kind: the company's prefix + a running number."""
    return numbers.next_number(
        company.pk,
        kind,
        _prefix(company, kind),
        lambda number: Agreement.objects.filter(company_id=company.pk, number=number).exists(),
    )


# --- lines --------------------------------------------------------------------------------


def _line_products(user: User, lines: list) -> dict[int, Product]:
    wanted = set()
    for line in lines:
        value = line.get("product") if isinstance(line, dict) else None
        if isinstance(value, Product):
            value = value.pk
        try:
            wanted.add(int(value))
        except (TypeError, ValueError, OverflowError):
            continue
    products = Product.objects.filter(company_id=user.company_id, pk__in=wanted)
    return {p.pk: p for p in products}


def clean_lines(user: User, kind: str, lines, errors: dict, *, current_products=()) -> list[dict]:
    """Each line's product, price, quantity and discount, checked against the kind's rules.
    Errors go to `errors["lines"]`, each naming its line. Inactive products are refused
    except on lines that already held them (`current_products`)."""
    if not isinstance(lines, list | tuple):
        _add(errors, "lines", _("Give the lines as a list."))
        return []
    cleaned = []
    if not lines:
        _add(errors, "lines", _("Add at least one product line."))
    if kind == Agreement.Kind.CONTRACT and len(lines) > MAX_CONTRACT_LINES:
        _add(
            errors,
            "lines",
            ngettext(
                "A contract has at most %(count)d line.",
                "A contract has at most %(count)d lines.",
                MAX_CONTRACT_LINES,
            )
            % {"count": MAX_CONTRACT_LINES},
        )
    if len(lines) > MAX_ORDER_LINES:
        _add(
            errors, "lines", _("An order has at most %(count)d lines.") % {"count": MAX_ORDER_LINES}
        )
        return []
    products = _line_products(user, list(lines))
    for number, line in enumerate(lines, start=1):
        line_errors: dict = {}
        if not isinstance(line, dict):
            _add(errors, "lines", _("Line %(number)d: not a line.") % {"number": number})
            continue
        value = line.get("product")
        product_id = value.pk if isinstance(value, Product) else value
        try:
            product = products.get(int(product_id))
        except (TypeError, ValueError, OverflowError):
            product = None
        if product is None:
            _add(line_errors, "product", _("choose a product from the catalogue"))
        elif not product.is_active and product.pk not in current_products:
            _add(line_errors, "product", _("%(name)s is no longer sold") % {"name": product.name})
        elif kind == Agreement.Kind.CONTRACT and not product.is_service:
            _add(
                line_errors,
                "product",
                _(
                    "%(name)s is a physical product: a contract sells services only "
                    "(put it on an order)"
                )
                % {"name": product.name},
            )
        quantity = parse_quantity(line.get("quantity", 1), line_errors, "quantity")
        price = line.get("unit_price")
        if price in (None, ""):
            # The product's list price; without a product, its error is the one to show.
            unit_price = product.list_price if product is not None else None
        else:
            unit_price = parse_amount(price, line_errors, "unit_price", allow_zero=True)
        discount = parse_percent(line.get("discount_percent"), line_errors, "discount_percent")
        description = squash_spaces(line.get("description") or "")
        if len(description) > 255:
            _add(line_errors, "description", _("at most 255 characters"))
        amount = None
        if not line_errors and product is not None:
            amount = line_amount(unit_price, quantity, discount)
            if not amount_fits(amount):
                _add(
                    line_errors,
                    "amount",
                    _("the line comes to more than %(max)s") % {"max": max_amount_text()},
                )
        if line_errors:
            for field, messages in line_errors.items():
                label = str(AgreementLine._meta.get_field(field).verbose_name)
                for message in messages:
                    _add(
                        errors,
                        "lines",
                        _("Line %(number)d, %(field)s: %(message)s")
                        % {"number": number, "field": label, "message": message},
                    )
            continue
        cleaned.append(
            {
                "product": product,
                "description": description or product.name,
                "unit": product.unit,
                "unit_price": unit_price,
                "quantity": quantity,
                "discount_percent": discount,
                "amount": amount,
                "unit_cost": product.cost,
                "position": number - 1,
            }
        )
    if not amount_fits(sum((line["amount"] for line in cleaned), Decimal("0.00"))):
        _add(
            errors,
            "lines",
            _("The lines add up to more than %(max)s.") % {"max": max_amount_text()},
        )
    return cleaned


def _set_totals(agreement: Agreement, cleaned: list[dict]) -> None:
    agreement.lines_total = sum((line["amount"] for line in cleaned), Decimal("0.00"))
    agreement.amount = agreement_amount(agreement.lines_total, agreement.discount_percent)


def _write_lines(agreement: Agreement, cleaned: list[dict], user: User) -> None:
    """Store the cleaned lines: the line at each position is changed in place, surplus ones
    deleted and new ones added, each with its history record (so the agreement's history
    reads "line 2: quantity 1 → 3", not a delete and an insert of every line)."""
    existing = list(
        AgreementLine.objects.filter(agreement=agreement)
        .select_related("product")
        .order_by("position", "id")
    )
    for line, values in zip(existing, cleaned, strict=False):
        changed = [field for field, value in values.items() if getattr(line, field) != value]
        if changed:
            for field in changed:
                setattr(line, field, values[field])
            line._history_user = user
            line.save(update_fields=[*changed, "updated_at"])
    for line in existing[len(cleaned) :]:
        line._history_user = user
        line.delete()
    bulk_create_with_history(
        [
            AgreementLine(company_id=agreement.company_id, agreement=agreement, **values)
            for values in cleaned[len(existing) :]
        ],
        AgreementLine,
        default_user=user,
    )
    _set_totals(agreement, cleaned)


def recompute_amount(agreement: Agreement) -> Decimal:
    """The amount the stored lines give (for checks and tests: it always equals `amount`)."""
    total = AgreementLine.objects.filter(agreement=agreement).aggregate(total=ExactSum("amount"))
    return agreement_amount(total["total"] or Decimal("0.00"), agreement.discount_percent)


# --- header -------------------------------------------------------------------------------


def _clean_header(
    user: User, data: dict, errors: dict, *, customer: Customer, current: Agreement | None
) -> dict:
    cleaned: dict = {}
    if "number" in data:
        number = clean_text(data["number"] or "")
        if len(number) > 50:
            _add(errors, "number", _("A number has at most 50 characters."))
        elif number:
            taken = Agreement.objects.filter(company_id=user.company_id, number__iexact=number)
            if current is not None:
                taken = taken.exclude(pk=current.pk)
            if taken.exists():
                _add(
                    errors,
                    "number",
                    _("The number %(number)s is already used.") % {"number": number},
                )
        elif current is not None:
            _add(errors, "number", _("Enter the number."))
        cleaned["number"] = number
    if "title" in data:
        cleaned["title"] = squash_spaces(data["title"] or "")
        if not cleaned["title"]:
            _add(errors, "title", _("Enter a title."))
        elif len(cleaned["title"]) > 200:
            _add(errors, "title", _("A title has at most 200 characters."))
    if "owner" in data and data["owner"] not in (None, ""):
        cleaned["owner"] = customer_services.record_owner(user, data["owner"], customer, errors)
    for field in ("signed_on", "starts_on", "ends_on"):
        if field in data:
            cleaned[field] = parse_day(data[field], errors, field)
    if "terms" in data:
        cleaned["terms"] = (data["terms"] or "").strip()
    starts = cleaned.get("starts_on", current.starts_on if current else None)
    ends = cleaned.get("ends_on", current.ends_on if current else None)
    if starts and ends and ends < starts:
        _add(errors, "ends_on", _("The end date comes before the start date."))
    return cleaned


# --- create and change --------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    user: User,
    kind: str,
    customer,
    title: str = "",
    lines=(),
    discount_percent=None,
    **header,
) -> Agreement:
    ensure_can_write(user)
    errors: dict = {}
    unknown = set(header) - HEADER_FIELDS
    for field in unknown:
        _add(errors, field, _("Unknown field."))
    if kind not in Agreement.Kind.values:
        _add(errors, "kind", _("Choose contract or order."))
    elif kind not in selectors.kinds_in_use(user):
        _add(
            errors,
            "kind",
            _("Your company does not use contracts.")
            if kind == Agreement.Kind.CONTRACT
            else _("Your company does not use orders."),
        )
    customer_pk = customer.pk if isinstance(customer, Customer) else customer
    customer = customer_selectors.get_customer_for(user, customer_pk, for_edit=True)
    header["title"] = title
    cleaned = _clean_header(user, header, errors, customer=customer, current=None)
    discount = parse_percent(discount_percent, errors, "discount_percent")
    cleaned_lines = clean_lines(user, kind, list(lines), errors) if "kind" not in errors else []
    if errors:
        raise ValidationFailed(errors)
    agreement = Agreement(
        company_id=user.company_id,
        kind=kind,
        customer=customer,
        owner=cleaned.pop("owner", None) or customer_services.default_record_owner(user, customer),
        created_by=user,
        discount_percent=discount,
        **cleaned,
    )
    if not agreement.number:
        agreement.number = next_number(user.company, kind)
    _set_totals(agreement, cleaned_lines)  # before the first save: one history record
    agreement._history_user = user
    _save_numbered(agreement)
    _write_lines(agreement, cleaned_lines, user)
    return agreement


def _save_numbered(agreement: Agreement, **kwargs) -> None:
    try:
        with transaction.atomic():
            agreement.save(**kwargs)
    except IntegrityError:
        raise ValidationFailed(
            {"number": [_("The number %(number)s is already used.") % {"number": agreement.number}]}
        ) from None


def _locked(user: User, agreement: Agreement) -> Agreement:
    """The agreement re-read under a row lock, after checking the user may change it."""
    selectors.get_agreement_for(user, agreement.pk, for_edit=True)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    locked.customer = agreement.customer
    return locked


@transaction.atomic
def agreement_update(
    *, user: User, agreement: Agreement, kind=None, lines=None, discount_percent=None, **header
) -> Agreement:
    """Change the header; while a draft, also the lines and the whole discount. `kind`, when
    given, must be the agreement's own (one agreement is one kind forever)."""
    ensure_can_write(user)
    agreement = _locked(user, agreement)
    errors: dict = {}
    if kind is not None and kind != agreement.kind:
        _add(
            errors,
            "kind",
            _("An agreement keeps its kind: a contract stays a contract and an order an order."),
        )
    for field in set(header) - HEADER_FIELDS:
        _add(errors, field, _("Unknown field."))
    if not agreement.is_open:
        raise DomainError(
            _("A completed or cancelled agreement can no longer change."), field="status"
        )
    cleaned = _clean_header(user, header, errors, customer=agreement.customer, current=agreement)
    change_lines = lines is not None or discount_percent is not None
    cleaned_lines = None
    if change_lines and not agreement.lines_editable:
        _add(
            errors,
            "lines" if lines is not None else "discount_percent",
            _("The lines and discounts are fixed once the agreement is signed."),
        )
    elif change_lines:
        if discount_percent is not None:
            discount = parse_percent(discount_percent, errors, "discount_percent")
            if discount is not None:
                agreement.discount_percent = discount
        current_products = set(
            AgreementLine.objects.filter(agreement=agreement).values_list("product_id", flat=True)
        )
        if lines is not None:
            cleaned_lines = clean_lines(
                user, agreement.kind, list(lines), errors, current_products=current_products
            )
    if errors:
        raise ValidationFailed(errors)
    for field, value in cleaned.items():
        setattr(agreement, field, value)
    if change_lines:
        if cleaned_lines is not None:
            _write_lines(agreement, cleaned_lines, user)
        else:
            agreement.amount = agreement_amount(agreement.lines_total, agreement.discount_percent)
        # The sum of its payment plans, kept by the finance services under this row lock.
        planned = agreement.planned_amount
        if agreement.amount < planned:
            raise ValidationFailed(
                {
                    "lines" if lines is not None else "discount_percent": [
                        _(
                            "The amount would be %(amount)s, below the %(planned)s its payment "
                            "plans add up to: lower the plans first."
                        )
                        % {"amount": agreement.amount, "planned": planned}
                    ]
                }
            )
    agreement._history_user = user
    _save_numbered(agreement)
    return agreement


# --- status -------------------------------------------------------------------------------

_NEXT = {
    "sign": (Agreement.Status.DRAFT, Agreement.Status.SIGNED),
    "start": (Agreement.Status.SIGNED, Agreement.Status.EXECUTING),
    "complete": (Agreement.Status.EXECUTING, Agreement.Status.COMPLETED),
}


def _step(user: User, agreement: Agreement, step: str) -> Agreement:
    ensure_can_write(user)
    agreement = _locked(user, agreement)
    before, after = _NEXT[step]
    if agreement.status != before:
        raise DomainError(
            _("This agreement is %(status)s: it cannot be %(step)s now.")
            % {"status": agreement.get_status_display(), "step": Agreement.Status(after).label},
            field="status",
        )
    agreement.status = after
    return agreement


@transaction.atomic
def agreement_sign(*, user: User, agreement: Agreement, signed_on=None) -> Agreement:
    """Draft → signed, on `signed_on` (default: the one already entered, else today). The
    customer stops being hot and, where the company keeps the rule, turns regular."""
    agreement = _step(user, agreement, "sign")
    errors: dict = {}
    day = parse_day(signed_on, errors, "signed_on")
    if errors:
        raise ValidationFailed(errors)
    agreement.signed_on = day or agreement.signed_on or timezone.localdate()
    agreement._history_user = user
    agreement.save()
    customer_services.customer_signed(customer=agreement.customer, by=user)
    return agreement


@transaction.atomic
def agreement_start(*, user: User, agreement: Agreement) -> Agreement:
    """Signed → executing."""
    agreement = _step(user, agreement, "start")
    agreement._history_user = user
    agreement.save()
    return agreement


@transaction.atomic
def agreement_complete(*, user: User, agreement: Agreement) -> Agreement:
    """Executing → completed."""
    agreement = _step(user, agreement, "complete")
    agreement._history_user = user
    agreement.save()
    return agreement


@transaction.atomic
def agreement_cancel(*, user: User, agreement: Agreement, reason: str) -> Agreement:
    """Any step before completed → cancelled, with the reason; refused while payments or
    invoices are booked on it (reverse them first): `selectors.agreement_cancel_refusal`."""
    ensure_can_write(user)
    agreement = _locked(user, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the agreement is cancelled.")]})
    refusal = selectors.agreement_cancel_refusal(agreement)
    if refusal is not None:
        raise DomainError(refusal, field="status")
    agreement.status = Agreement.Status.CANCELLED
    agreement.cancel_reason = reason
    agreement.cancelled_at = timezone.now()
    agreement._history_user = user
    agreement.save()
    return agreement


@transaction.atomic
def agreement_delete(*, user: User, agreement: Agreement) -> None:
    """Only a draft with no payment plan goes; anything further along is cancelled instead:
    `selectors.agreement_delete_refusal`."""
    ensure_can_write(user)
    agreement = _locked(user, agreement)
    refusal = selectors.agreement_delete_refusal(agreement)
    if refusal is not None:
        raise DomainError(refusal)
    for attachment in agreement.attachments.all():
        name = attachment.file.name
        storage = attachment.file.storage
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    agreement._history_user = user
    agreement.delete()


# --- attachments --------------------------------------------------------------------------


def _check_upload(upload) -> tuple[str, str]:
    """(clean file name, content type), or ValidationFailed naming the reason."""
    name = PurePath(str(getattr(upload, "name", "") or "")).name.strip()
    suffix = PurePath(name).suffix.lower()
    allowed = ", ".join(sorted(ATTACHMENT_TYPES))
    if not name or suffix not in ATTACHMENT_TYPES:
        raise ValidationFailed(
            {"file": [_("Attach a file of one of these types: %(types)s.") % {"types": allowed}]}
        )
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationFailed({"file": [_("The file is empty.")]})
    limit_mb = MAX_ATTACHMENT_BYTES // (1024 * 1024)
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            {"file": [_("The file is larger than %(size)d MB.") % {"size": limit_mb}]}
        )
    content_type, kind = ATTACHMENT_TYPES[suffix]
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    check_document(data, kind=kind, field="file", name=name, type_label=suffix.lstrip(".").upper())
    return name[-255:], content_type


@transaction.atomic
def attachment_add(*, user: User, agreement: Agreement, upload) -> AgreementAttachment:
    ensure_can_write(user)
    agreement = _locked(user, agreement)
    if upload is None:
        raise ValidationFailed({"file": [_("Choose a file to attach.")]})
    name, content_type = _check_upload(upload)
    attachment = AgreementAttachment(
        company_id=user.company_id,
        agreement=agreement,
        name=name,
        size=upload.size,
        content_type=content_type,
        uploaded_by=user,
    )
    attachment.file.save(name, upload, save=False)
    stored = attachment.file.name
    storage = attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, user: User, attachment: AgreementAttachment) -> None:
    ensure_can_write(user)
    selectors.get_agreement_for(user, attachment.agreement_id, for_edit=True)
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
