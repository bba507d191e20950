"""Writes on the data dictionary: each company edits its own pick-lists."""

from django.db import transaction
from django.utils.translation import gettext as _

from banyan.accounts.dictionary import DEFAULTS, KINDS, KINDS_WITH_PROBABILITY
from banyan.accounts.guards import ensure_account_admin, ensure_not_demo
from banyan.accounts.models import Company, DictionaryOption, User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.fetch import get_for
from banyan.core.text import clean_text


def dictionary_install_defaults(*, company: Company) -> None:
    """Give a new company the built-in options of every list (idempotent)."""
    existing = set(DictionaryOption.objects.filter(company=company).values_list("kind", "code"))
    DictionaryOption.objects.bulk_create(
        [
            DictionaryOption(
                company=company,
                kind=kind,
                code=code,
                position=(index + 1) * 10,
                probability=probability,
            )
            for kind, options in DEFAULTS.items()
            for index, (code, _label, probability) in enumerate(options)
            if (kind, code) not in existing
        ]
    )


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed({"kind": [_("Unknown list: %(kind)s.") % {"kind": kind}]})


def _clean_label(label: str) -> str:
    label = clean_text(label)
    if not label:
        raise ValidationFailed({"label": [_("Enter a label.")]})
    if len(label) > 50:
        raise ValidationFailed({"label": [_("A label has at most 50 characters.")]})
    return label


def _clean_probability(kind: str, probability) -> int | None:
    if kind not in KINDS_WITH_PROBABILITY:
        return None
    if probability in (None, ""):
        return 0
    try:
        value = int(probability)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100:
        raise ValidationFailed({"probability": [_("Enter a whole percentage from 0 to 100.")]})
    return value


def _check_label_unique(option_company_id, kind, label, exclude_pk=None) -> None:
    others = DictionaryOption.objects.filter(company_id=option_company_id, kind=kind)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if any(o.display_label.lower() == label.lower() for o in others):
        raise ValidationFailed(
            {"label": [_("%(label)s is already in this list.") % {"label": label}]}
        )


def _get_option(actor: User, option_id) -> DictionaryOption:
    options = DictionaryOption.objects.select_for_update().filter(company_id=actor.company_id)
    return get_for(options, option_id)


@transaction.atomic
def dictionary_option_create(
    *, actor: User, kind: str, label: str, probability=None
) -> DictionaryOption:
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    _check_kind(kind)
    label = _clean_label(label)
    _check_label_unique(actor.company_id, kind, label)
    last = (
        DictionaryOption.objects.filter(company_id=actor.company_id, kind=kind)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return DictionaryOption.objects.create(
        company_id=actor.company_id,
        kind=kind,
        label=label,
        position=(last or 0) + 10,
        probability=_clean_probability(kind, probability),
    )


@transaction.atomic
def dictionary_option_update(
    *,
    actor: User,
    option: DictionaryOption,
    label: str | None = None,
    probability=None,
    is_active: bool | None = None,
) -> DictionaryOption:
    """Rename, change the default probability, or (de)activate one option."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    option = _get_option(actor, option.pk)
    if label is not None:
        label = _clean_label(label)
        _check_label_unique(actor.company_id, option.kind, label, exclude_pk=option.pk)
        option.label = label
    if probability is not None:
        option.probability = _clean_probability(option.kind, probability)
    if is_active is not None:
        if not is_active and option.is_active:
            still_active = DictionaryOption.objects.filter(
                company_id=actor.company_id, kind=option.kind, is_active=True
            ).exclude(pk=option.pk)
            if not still_active.exists():
                raise ValidationFailed(
                    {"is_active": [_("A list keeps at least one active option.")]}
                )
        option.is_active = is_active
    option.save()
    return option


@transaction.atomic
def dictionary_reorder(*, actor: User, kind: str, option_ids: list[int]) -> None:
    """Put the options of one list in the given order (ids not listed keep theirs, after)."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    _check_kind(kind)
    options = {
        o.pk: o
        for o in DictionaryOption.objects.select_for_update().filter(
            company_id=actor.company_id, kind=kind
        )
    }
    try:
        wanted = [int(pk) for pk in option_ids]
    except (TypeError, ValueError):
        raise ValidationFailed({"order": [_("The order lists unknown options.")]}) from None
    if set(wanted) - set(options):
        raise ValidationFailed({"order": [_("The order lists unknown options.")]})
    rest = [pk for pk in sorted(options, key=lambda pk: options[pk].position) if pk not in wanted]
    for index, pk in enumerate(wanted + rest):
        options[pk].position = (index + 1) * 10
    DictionaryOption.objects.bulk_update(options.values(), ["position"])


def dictionary_option_in_use(option: DictionaryOption) -> bool:
    """True when any record refers to the option (any model with a key to it)."""
    for relation in DictionaryOption._meta.related_objects:
        model = relation.related_model
        if model._default_manager.filter(**{relation.field.name: option}).exists():
            return True
    return False


@transaction.atomic
def dictionary_option_delete(*, actor: User, option: DictionaryOption) -> None:
    """Delete an unused custom option. Built-in or used options are deactivated instead."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    option = _get_option(actor, option.pk)
    if option.code:
        raise DomainError(
            _("Built-in options cannot be deleted; deactivate it instead."), field="option"
        )
    if dictionary_option_in_use(option):
        raise DomainError(
            _("%(label)s is in use by existing records: deactivate it instead.")
            % {"label": option.display_label},
            field="option",
        )
    option.delete()
