"""The range and grouping of a report: one form for the page (GET) and the API's parameters.

Ranges are company calendar days (the company's time zone), both ends included: this month,
last month, this quarter, this year, or a custom from/to. A bad date or grouping is an error
naming its field (`from`, `to`, `group_by`, `range`), on the page and as the API's 400.
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.core.values import validate_day_in_range
from banyan.reports.registry import Report, ReportQuery

RANGE_CHOICES = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("this_year", _("This year")),
    ("custom", _("Custom range")),
]
# The longest range a report covers (weekly buckets of three years are 157 rows).
MAX_DAYS = 366 * 3


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def range_bounds(name: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a named range around `today` (a company calendar day)."""
    if name == "last_month":
        last = _month_start(today) - datetime.timedelta(days=1)
        return last.replace(day=1), last
    if name == "this_quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        last = _next_month(_next_month(_next_month(first))) - datetime.timedelta(days=1)
        return first, last
    if name == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    first = _month_start(today)
    return first, _next_month(first) - datetime.timedelta(days=1)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})


class ReportRangeForm(forms.Form):
    """The report page's controls. Unbound (no parameters) it stands for this month and the
    report's first grouping. `from`/`to` without a range name mean a custom range."""

    range = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=RANGE_CHOICES,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    group_by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, data=None, *, user, report: Report, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.report = report
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            widget=_date_input(),
            validators=[validate_day_in_range],
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=_date_input(), validators=[validate_day_in_range]
        )
        self.order_fields(["range", "from", "to", "group_by"])
        self.fields["group_by"].choices = report.group_by_choices()
        self.fields["group_by"].error_messages["invalid_choice"] = _(
            "Choose one of: %(choices)s."
        ) % {"choices": ", ".join(report.group_by)}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        chosen = data.get("range") or ("custom" if data.get("from") or data.get("to") else "")
        if chosen == "custom":
            first, last = data.get("from"), data.get("to")
            if first is None:
                self.add_error("from", _("Enter the first day of the range."))
            if last is None:
                self.add_error("to", _("Enter the last day of the range."))
            if first and last and last < first:
                self.add_error("to", _("The last day comes before the first."))
            elif first and last and (last - first).days >= MAX_DAYS:
                self.add_error("to", _("A report covers at most three years."))
        else:
            first, last = range_bounds(chosen or "this_month", self.user.company.today())
        data["range"] = chosen or "this_month"
        data["date_from"], data["date_to"] = first, last
        data["group_by"] = data.get("group_by") or self.report.group_by[0]
        return data

    def report_query(self) -> ReportQuery | None:
        """The query the form stands for, or None while it has errors."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return ReportQuery(
            user=self.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            group_by=data["group_by"],
        )

    def field_errors(self) -> dict[str, list[str]]:
        return {
            name: [str(message) for message in messages] for name, messages in self.errors.items()
        }


def default_query(*, user, report: Report) -> ReportQuery:
    """This month, the report's first grouping (what a page with bad input still shows)."""
    first, last = range_bounds("this_month", user.company.today())
    return ReportQuery(user=user, date_from=first, date_to=last, group_by=report.group_by[0])
