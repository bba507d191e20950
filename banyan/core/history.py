"""Readable change history from django-simple-history records, for any app's pages.

An app's selector picks the history rows a user may read (always limited to the user's
company and to one parent record), and `build_history` turns them into entries: who did
what, when, and each changed field as old → new, with foreign keys shown by name. A fixed
number of queries, whatever the length of the history: two per history table, plus one per
kind of related row named in the changes.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.core.hooks import Hook

HIDDEN_FIELDS = frozenset({"id", "company", "created_at", "updated_at"})


@dataclass(frozen=True)
class HistoryChange:
    field: str  # the field's verbose name
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One saved change to a record (or one of its children)."""

    subject: str  # what kind of record: "customer", "contact", "agreement", "line"…
    name: str  # the record's name as it was then
    action: str  # "+" created, "~" changed, "-" deleted
    user: object | None
    date: object
    changes: tuple[HistoryChange, ...]


def history_with_previous(records: QuerySet, limit: int) -> list[tuple]:
    """The newest `limit` records, each paired with the record of the same row before it
    (two queries)."""
    previous_id = (
        records.model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    newest = list(
        records.select_related("history_user")
        .annotate(previous_history_id=Subquery(previous_id))
        .order_by("-history_date", "-history_id")[:limit]
    )
    wanted = [r.previous_history_id for r in newest if r.previous_history_id]
    previous = {r.history_id: r for r in records.model.objects.filter(history_id__in=wanted)}
    return [(r, previous.get(r.previous_history_id)) for r in newest]


# A model → a function giving {pk: label} for those keys of the user's company.
LabelLookup = Callable[[object, set], dict]

# The rows that every app's history names (dictionary options, users) belong to the accounts,
# which register how to label them: fn() -> {model: LabelLookup}. A hook, so core never
# imports the app above it.
SHARED_LABELS = Hook("labels of the rows every history names")


def _default_lookups() -> dict:
    lookups: dict = {}
    for registered in SHARED_LABELS.run():
        lookups.update(registered)
    return lookups


def related_labels(user, deltas, extra: dict | None = None) -> dict:
    """{(model, pk): label} for the related rows the changes name: dictionary options and
    users always, and the models of `extra` ({model: lookup(user, keys) → {pk: label}})."""
    lookups = {**_default_lookups(), **(extra or {})}
    wanted: dict[type, set] = {model: set() for model in lookups}
    for record, changes in deltas:
        for change in changes:
            related = record.instance_type._meta.get_field(change.field).related_model
            if related in wanted:
                wanted[related].update(v for v in (change.old, change.new) if v)
    labels = {}
    for model, keys in wanted.items():
        if keys:
            for pk, label in lookups[model](user, keys).items():
                labels[(model, pk)] = label
    return labels


def history_value(field, value, labels: dict) -> str:
    """A field's value as a person reads it."""
    if value in (None, ""):
        return ""
    if field.related_model is not None:
        return labels.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def build_history(
    user,
    record_sets: Iterable[QuerySet],
    *,
    describe: Callable[[object], tuple[str, str]],
    limit: int = 20,
    hidden: Callable[[type], Iterable[str]] = lambda model: HIDDEN_FIELDS,
    extra_labels: dict | None = None,
) -> list[HistoryEntry]:
    """The newest `limit` changes over the history querysets `record_sets`, newest first.

    `describe(record)` gives (subject, name) of a history record; `hidden(model)` the fields
    never shown for that model. A change that touched only hidden fields is left out."""
    records = []
    for record_set in record_sets:
        records += history_with_previous(record_set, limit)
    records.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    records = records[:limit]
    deltas = [
        (record, record.diff_against(previous).changes if previous is not None else [])
        for record, previous in records
    ]
    labels = related_labels(user, deltas, extra_labels)
    entries = []
    for record, changes in deltas:
        model = record.instance_type
        hidden_fields = set(hidden(model))
        shown = []
        for change in changes:
            if change.field in hidden_fields:
                continue
            field = model._meta.get_field(change.field)
            shown.append(
                HistoryChange(
                    field=str(field.verbose_name),
                    old=history_value(field, change.old, labels),
                    new=history_value(field, change.new, labels),
                )
            )
        if record.history_type == "~" and not shown:
            continue
        subject, name = describe(record)
        entries.append(
            HistoryEntry(
                subject=subject,
                name=name,
                action=record.history_type,
                user=record.history_user,
                date=record.history_date,
                changes=tuple(shown),
            )
        )
    return entries
