"""Reads on sales targets, always for an acting user, and the achievement against them.

- A user sees their own targets and those of the people whose records they see (below them;
  an assistant: below their principal); a boss sees the whole company's.
- Achievement is computed from the data of a calendar month in the company's time zone:
  payments credited to the person (`Payment.owner`, reversals included) with `paid_on` in the
  month, and agreements owned by the person, signed in the month and not cancelled. A group
  target counts the person and everyone below them (`User.path` starts with theirs).
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import Role, User
from banyan.activities.models import Activity
from banyan.agreements.models import Agreement
from banyan.core.fetch import get_for
from banyan.core.models import ExactSum
from banyan.customers.models import Customer
from banyan.finance.models import Payment
from banyan.targets.models import SalesTarget

ZERO = Decimal("0.00")
GROUP_ROLES = (Role.DIRECTOR, Role.MANAGER)


# --- months -------------------------------------------------------------------------------


def current_month(user: User) -> date:
    """The first day of the month it is now in the user's company's time zone."""
    today = timezone.localdate(timezone=user.company.zone)
    return today.replace(day=1)


def today_for(user: User) -> date:
    return user.company.today()


def month_bounds(company, month: date) -> tuple[date, date]:
    """The first and the last day of `month` (dates are the company's calendar days)."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def parse_month(value) -> date | None:
    """'2026-11' (or a date) → date(2026, 11, 1); anything else → None."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        return None


def days_left(user: User, month: date) -> int:
    """Days left in `month`, today included: 0 for a past month, all its days for a future one."""
    first, last = month_bounds(user.company, month)
    today = today_for(user)
    if today > last:
        return 0
    return (last - max(today, first)).days + 1


def percent(achieved: Decimal, target: Decimal | None) -> Decimal:
    """Achievement as a percentage of the target, to one decimal; 0 when the target is 0."""
    if not target:
        return Decimal("0.0")
    return (achieved * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- who may set whose --------------------------------------------------------------------


def can_set_targets(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.company_id
        and user.role in (Role.BOSS, Role.DIRECTOR, Role.MANAGER)
    )


def target_refusal(actor: User, person: User, *, is_group: bool = False) -> str | None:
    """Why `actor` may not set (or remove) the target of `person`, or None when they may:
    nobody sets their own; a boss sets anyone's; a director or manager those strictly below
    them; nobody else. The service's guard and the target list's Remove buttons ask this."""
    if person.pk == actor.pk:
        return _("You cannot set your own target: your superior does.")
    if not visibility.is_member(actor) or person.company_id != actor.company_id:
        return _("Your account cannot make changes.")
    if actor.role == Role.BOSS:
        return None
    if actor.role not in (Role.DIRECTOR, Role.MANAGER):
        return _(
            "Only a boss, a director or a manager sets sales targets, for the people below them."
        )
    if not person.path.startswith(actor.path):
        return _("You set targets only for the people below you: %(name)s is not one of them.") % {
            "name": person.display_name
        }
    return None


def removable_targets(user: User, targets) -> set[int]:
    """The keys of those `targets` (fetched visible, `user` loaded) the user may remove: the
    rule of `target_refusal`, in memory."""
    return {
        target.pk
        for target in targets
        if target_refusal(user, target.user, is_group=target.is_group) is None
    }


def settable_users(user: User) -> QuerySet[User]:
    """The active people whose targets `user` may set: for a boss everyone else in the
    company, for a director or manager the people strictly below them, else nobody."""
    people = visibility.subordinates(user).filter(is_active=True).order_by("path")
    return people if can_set_targets(user) else people.none()


# --- targets ------------------------------------------------------------------------------


def visible_targets(user: User) -> QuerySet[SalesTarget]:
    """The targets of the user and of everyone in their line (a boss: the company's)."""
    return visibility.owned_in_line(user, SalesTarget, field="user")


def get_target_for(user: User, pk) -> SalesTarget:
    return get_for(visible_targets(user).select_related("user", "set_by"), pk)


def target_list(
    user: User, *, month: date | None = None, user_id=None, is_group: bool | None = None
) -> QuerySet[SalesTarget]:
    targets = visible_targets(user).select_related("user", "set_by")
    if month is not None:
        targets = targets.filter(month=month.replace(day=1))
    if user_id is not None:
        targets = targets.filter(user_id=user_id)
    if is_group is not None:
        targets = targets.filter(is_group=is_group)
    return targets.order_by("-month", "user__path", "is_group", "id")


@dataclass
class Achievement:
    month: date
    payment_target: Decimal | None
    contract_target: Decimal | None
    payment_amount: Decimal
    contract_amount: Decimal
    days_left: int

    @property
    def payment_percent(self) -> Decimal:
        return percent(self.payment_amount, self.payment_target)

    @property
    def contract_percent(self) -> Decimal:
        return percent(self.contract_amount, self.contract_target)

    def as_dict(self) -> dict:
        """JSON-able: amounts as strings (exact), percentages as numbers."""
        return {
            "payment_amount": str(self.payment_amount),
            "contract_amount": str(self.contract_amount),
            "payment_percent": float(self.payment_percent),
            "contract_percent": float(self.contract_percent),
            "days_left": self.days_left,
        }


def _people(person: User, *, is_group: bool) -> Q:
    if is_group:
        return Q(owner__path__startswith=person.path)
    return Q(owner_id=person.pk)


def achieved(person: User, month: date, *, is_group: bool = False) -> tuple[Decimal, Decimal]:
    """(payments, contracts) of one person, or of their group, in `month`: two queries.
    The person is a member of a company (for anyone else: nothing, as for every read)."""
    first, last = month_bounds(person.company, month)
    people = _people(person, is_group=is_group)
    paid = (
        visibility.of_company(person, Payment)
        .filter(people, paid_on__range=(first, last))
        .aggregate(total=ExactSum("amount"))["total"]
    )
    signed = (
        visibility.of_company(person, Agreement)
        .filter(people, signed_on__range=(first, last))
        .exclude(status=Agreement.Status.CANCELLED)
        .aggregate(total=ExactSum("amount"))["total"]
    )
    return paid or ZERO, signed or ZERO


def _owner_condition(user: User, targets: list[SalesTarget]) -> Q:
    """The owners whose payments and agreements `targets` count: each target's person, and
    for a group target everyone below them, as one subquery on users, so the sums read those
    owners' rows through the owner indexes instead of the company's months (a rep's targets
    page summed the whole company's year). A boss's targets are the company's: no
    condition."""
    if visibility.sees_whole_company(user):
        return Q()
    people = Q(pk__in=sorted({t.user_id for t in targets if not t.is_group}))
    for path in sorted({t.user.path for t in targets if t.is_group}):
        people |= Q(path__startswith=path)
    return Q(owner_id__in=visibility.of_company(user, User).filter(people).values("pk"))


def _sums_by_owner(
    user: User, first: date, last: date, owners: Q
) -> tuple[dict[tuple[str, date], Decimal], dict[tuple[str, date], Decimal]]:
    """Per owner (among `owners`) and month: Σ payments and Σ agreements, keyed by (owner
    path, month). Only the sums of the targets the user sees leave `with_achievement`."""
    from django.db.models.functions import TruncMonth

    payments = (
        visibility.of_company(user, Payment)
        .filter(owners, paid_on__range=(first, last))
        .annotate(in_month=TruncMonth("paid_on"))
        .values("owner__path", "in_month")
        .annotate(total=ExactSum("amount"))
        .order_by()
    )
    agreements = (
        visibility.of_company(user, Agreement)
        .filter(owners, signed_on__range=(first, last))
        .exclude(status=Agreement.Status.CANCELLED)
        .annotate(in_month=TruncMonth("signed_on"))
        .values("owner__path", "in_month")
        .annotate(total=ExactSum("amount"))
        .order_by()
    )

    def keyed(rows) -> dict[tuple[str, date], Decimal]:
        sums: dict[tuple[str, date], Decimal] = {}
        for row in rows:
            key = (row["owner__path"], _month_of(row["in_month"]))
            sums[key] = sums.get(key, ZERO) + (row["total"] or ZERO)
        return sums

    return keyed(payments), keyed(agreements)


def _month_of(value) -> date:
    return value.date().replace(day=1) if hasattr(value, "date") else value.replace(day=1)


def _total(sums: dict[tuple[str, date], Decimal], path: str, month: date, *, is_group: bool):
    if not is_group:
        return sums.get((path, month), ZERO)
    return sum(
        (
            total
            for (row_path, in_month), total in sums.items()
            if in_month == month and row_path.startswith(path)
        ),
        ZERO,
    )


def with_achievement(user: User, targets) -> list[SalesTarget]:
    """The targets (their `user` loaded), each given `.achievement`: a fixed number of
    queries however many targets and months, by summing per owner and month once, over the
    owners the targets count only."""
    targets = list(targets)
    if not targets:
        return targets
    months = {t.month.replace(day=1) for t in targets}
    first = min(months)
    last = month_bounds(user.company, max(months))[1]
    payments, agreements = _sums_by_owner(user, first, last, _owner_condition(user, targets))
    for target in targets:
        month = target.month.replace(day=1)
        path = target.user.path
        target.achievement = Achievement(
            month=month,
            payment_target=target.payment_amount,
            contract_target=target.contract_amount,
            payment_amount=_total(payments, path, month, is_group=target.is_group),
            contract_amount=_total(agreements, path, month, is_group=target.is_group),
            days_left=days_left(user, month),
        )
    return targets


def targets_for(user: User, month: date) -> list[SalesTarget]:
    """The targets of `month` that `user` sees (their own and those of the people below
    them; a boss: all), each with its achievement, percentage and days left."""
    return with_achievement(user, target_list(user, month=month))


# --- the self-motivation panel ------------------------------------------------------------


@dataclass
class MotivationRow:
    is_group: bool
    label: str
    achievement: Achievement


@dataclass
class OwnFigure:
    """One of the user's own figures this month and last month."""

    key: str
    label: str
    is_money: bool
    this_month: Decimal | int
    last_month: Decimal | int

    @property
    def change(self) -> Decimal | None:
        """The change on last month in percent, to one decimal; None from nothing."""
        if not self.last_month:
            return None
        return (Decimal(self.this_month - self.last_month) * 100 / self.last_month).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            "this_month": str(self.this_month),
            "last_month": str(self.last_month),
            "change": None if self.change is None else str(self.change),
        }


def _start_of(user: User, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=user.company.zone)


def own_figures(user: User, month: date) -> list[OwnFigure]:
    """The user's own figures of `month` and of the month before: contract amount (their
    agreements signed, not cancelled, as the targets count them), payments credited to them
    (reversals deducted), the customers they own created in the month, and the follow-ups
    they logged (whoever owns the customer now, as payments count for whom they are
    credited). Four queries, each over the two months only through the (company, owner,
    date) indexes, split by conditional sums."""
    first, last = month_bounds(user.company, month)
    before = (first - timedelta(days=1)).replace(day=1)
    this_start, last_start = _start_of(user, first), _start_of(user, before)
    end = _start_of(user, last + timedelta(days=1))

    def money(rows, date_field: str) -> tuple[Decimal, Decimal]:
        totals = (
            rows.filter(owner_id=user.pk, **{f"{date_field}__range": (before, last)})
            .order_by()
            .aggregate(
                now=ExactSum("amount", filter=Q(**{f"{date_field}__gte": first})),
                before=ExactSum("amount", filter=Q(**{f"{date_field}__lt": first})),
            )
        )
        return totals["now"] or ZERO, totals["before"] or ZERO

    def count(rows, field_name: str) -> tuple[int, int]:
        totals = (
            rows.filter(
                owner_id=user.pk, **{f"{field_name}__gte": last_start, f"{field_name}__lt": end}
            )
            .order_by()
            .aggregate(
                now=Count("pk", filter=Q(**{f"{field_name}__gte": this_start})),
                before=Count("pk", filter=Q(**{f"{field_name}__lt": this_start})),
            )
        )
        return totals["now"], totals["before"]

    signed = money(
        visibility.of_company(user, Agreement).exclude(status=Agreement.Status.CANCELLED),
        "signed_on",
    )
    paid = money(visibility.of_company(user, Payment), "paid_on")
    customers = count(visibility.of_company(user, Customer), "created_at")
    followed = count(visibility.of_company(user, Activity), "occurred_at")
    return [
        OwnFigure("contracts", _("Contract amount"), True, *signed),
        OwnFigure("payments", _("Payments"), True, *paid),
        OwnFigure("customers", _("New customers"), False, *customers),
        OwnFigure("activities", _("Follow-ups"), False, *followed),
    ]


def motivation(user: User) -> dict:
    """This month's own targets of `user` against achievement: their personal figures and,
    for a director or manager, their group's. Without any target this month, their own
    figures of the month against last month instead (`own`: contract amount, payments, new
    customers, follow-ups), and no rows."""
    month = current_month(user)
    kinds = [False, True] if user.role in GROUP_ROLES else [False]
    own = {
        t.is_group: t
        for t in visibility.of_company(user, SalesTarget).filter(user_id=user.pk, month=month)
    }
    left = days_left(user, month)
    if not own:
        return {"month": month, "days_left": left, "rows": [], "own": own_figures(user, month)}
    rows = []
    for is_group in kinds:
        target = own.get(is_group)
        paid, signed = achieved(user, month, is_group=is_group)
        rows.append(
            MotivationRow(
                is_group=is_group,
                label=_("My group") if is_group else _("Me"),
                achievement=Achievement(
                    month=month,
                    payment_target=target.payment_amount if target else None,
                    contract_target=target.contract_amount if target else None,
                    payment_amount=paid,
                    contract_amount=signed,
                    days_left=left,
                ),
            )
        )
    return {"month": month, "days_left": left, "rows": rows, "own": []}
