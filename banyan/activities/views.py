"""Pages of customer-based tracking: activities, tasks, the calendar and its feed, work
summaries. Thin: parse, fetch through a selector, call one service, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.activities import ical, selectors, services
from banyan.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    ActivityLogForm,
    TaskFilterForm,
    TaskForm,
    WorkSummaryForm,
)
from banyan.core.pagination import paginate as paginate_rows
from banyan.core.values import clamp_day
from banyan.core.views import found_or_404, safe_next_url, submit
from banyan.customers.selectors import get_customer_for

PAGE_SIZES = (20, 50, 100)


def paginate(request, rows):
    try:
        per_page = int(request.GET.get("page_size", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    if per_page not in PAGE_SIZES:
        per_page = PAGE_SIZES[0]
    return paginate_rows(request, rows, per_page=per_page)


# --- activities ---------------------------------------------------------------------------


@login_required
def activity_list_view(request):
    form = ActivityFilterForm(request.GET or None, user=request.user)
    ordering = request.GET.get("sort", "-occurred_at")
    activities = activity_list_rows(request.user, form, ordering)
    page = paginate(request, activities)
    changeable = selectors.changeable_activities(request.user, page)
    for activity in page:
        activity.can_change = activity.pk in changeable
    return render(
        request,
        "activities/activity_list.html",
        {"form": form, "page": page, "ordering": ordering},
    )


def activity_list_rows(user, form: ActivityFilterForm, ordering: str):
    """The activity list's rows for its filter form and sort (the page, and its export)."""
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    return selectors.activity_list(
        user,
        search=filters.get("q") or "",
        type_id=filters["type"].pk if filters.get("type") else None,
        owner_id=filters["owner"].pk if filters.get("owner") else None,
        customer_id=filters.get("customer"),
        occurred_from=filters.get("date_from"),
        occurred_to=filters.get("date_to"),
        without_key_points=filters.get("key_points") == "missing",
        ordering=ordering,
    )


@login_required
def activity_log_view(request, customer_pk):
    """Log an activity on a customer and schedule the next follow-up, in one form."""
    customer = found_or_404(get_customer_for, request.user, customer_pk, for_edit=True)
    form = ActivityLogForm(request.POST or None, user=request.user, customer=customer)

    def logged(result) -> str:
        _activity, task = result
        if task is not None:
            return _("The activity has been logged and the next follow-up scheduled.")
        return _("The activity has been logged.")

    if submit(
        request,
        form,
        lambda: services.activity_log_with_follow_up(
            user=request.user, customer=customer, **form.cleaned_data
        ),
        success=logged,
        as_403=False,
    ):
        return redirect(safe_next_url(request, customer.get_absolute_url()))
    return render(
        request,
        "activities/activity_log.html",
        {"form": form, "customer": customer, "next": safe_next_url(request, "")},
    )


@login_required
def activity_edit_view(request, pk):
    activity = found_or_404(selectors.get_activity_for, request.user, pk)
    found_or_404(services.ensure_can_change_activity, request.user, activity)
    form = ActivityForm(
        request.POST or None,
        user=request.user,
        customer=activity.customer,
        activity=activity,
        initial={
            "type": activity.type_id,
            "subject": activity.subject,
            "details": activity.details,
            "occurred_at": timezone.localtime(activity.occurred_at),
            "contact": activity.contact_id,
        },
    )
    if submit(
        request,
        form,
        lambda: services.activity_update(user=request.user, activity=activity, **form.cleaned_data),
        success=_("The activity has been saved."),
        as_403=False,
    ):
        return redirect(safe_next_url(request, activity.customer.get_absolute_url()))
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "activity": activity, "next": safe_next_url(request, "")},
    )


@login_required
@require_POST
def activity_delete_view(request, pk):
    activity = found_or_404(selectors.get_activity_for, request.user, pk)
    submit(
        request,
        None,
        lambda: services.activity_delete(user=request.user, activity=activity),
        success=_("The activity has been deleted."),
    )
    return redirect(safe_next_url(request, activity.customer.get_absolute_url()))


# --- tasks --------------------------------------------------------------------------------


def task_list_rows(user, form: TaskFilterForm, ordering: str):
    """The task list's rows for its filter form and sort (the page, and its export)."""
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    return selectors.task_list(
        user,
        scope=filters.get("scope") or "mine",
        status=filters.get("status") or "open",
        search=filters.get("q") or "",
        ordering=ordering,
    )


@login_required
def task_list_view(request):
    show_team = selectors.has_team(request.user)
    form = TaskFilterForm(request.GET or None, show_team=show_team)
    ordering = request.GET.get("sort", "due_at")
    tasks = task_list_rows(request.user, form, ordering)
    page = paginate(request, tasks)
    changeable = selectors.changeable_tasks(request.user, page)
    for task in page:
        task.can_mark = selectors.can_mark_task(request.user, task)
        task.can_change = task.pk in changeable
    return render(
        request,
        "activities/task_list.html",
        {"form": form, "page": page, "ordering": ordering, "now": timezone.now()},
    )


def _task_form_page(request, *, customer=None):
    form = TaskForm(request.POST or None, user=request.user)
    if submit(
        request,
        form,
        lambda: services.task_create(user=request.user, customer=customer, **form.cleaned_data),
        success=_("The task has been added."),
        as_403=False,
    ):
        default = customer.get_absolute_url() if customer else reverse("task-list")
        return redirect(safe_next_url(request, default))
    return render(
        request,
        "activities/task_form.html",
        {"form": form, "customer": customer, "task": None, "next": safe_next_url(request, "")},
    )


@login_required
def task_create_view(request):
    customer = None
    if request.GET.get("customer"):
        customer = found_or_404(
            get_customer_for, request.user, request.GET["customer"], for_edit=True
        )
    return _task_form_page(request, customer=customer)


@login_required
def customer_task_create_view(request, customer_pk):
    """A task on one customer (also the target of the customer view's quick add)."""
    customer = found_or_404(get_customer_for, request.user, customer_pk, for_edit=True)
    return _task_form_page(request, customer=customer)


@login_required
def task_edit_view(request, pk):
    task = found_or_404(selectors.get_task_for, request.user, pk)
    found_or_404(services.ensure_can_change_task, request.user, task)
    task.can_mark = True  # whoever may change a task may mark it
    form = TaskForm(
        request.POST or None,
        user=request.user,
        task=task,
        initial={
            "subject": task.subject,
            "details": task.details,
            "due_at": timezone.localtime(task.due_at),
            "remind_at": timezone.localtime(task.remind_at) if task.remind_at else None,
            "remind_by_sms": task.remind_by_sms,
            "remind_by_email": task.remind_by_email,
            "assignee": task.assignee_id,
        },
    )
    if submit(
        request,
        form,
        lambda: services.task_update(user=request.user, task=task, **form.cleaned_data),
        success=_("The task has been saved."),
        as_403=False,
    ):
        return redirect(safe_next_url(request, reverse("task-list")))
    return render(
        request,
        "activities/task_form.html",
        {"form": form, "customer": task.customer, "task": task, "next": safe_next_url(request, "")},
    )


@login_required
@require_POST
def task_done_view(request, pk):
    """Mark done (`done=1`, the default) or open again (`done=0`)."""
    task = found_or_404(selectors.get_task_for, request.user, pk)
    is_done = request.POST.get("done", "1") != "0"
    back = safe_next_url(request, reverse("task-list"))
    if is_done:
        text = _("“%(subject)s” is done.") % {"subject": task.subject}
    else:
        text = _("“%(subject)s” is open again.") % {"subject": task.subject}
    submit(
        request,
        None,
        lambda: services.task_set_done(user=request.user, task=task, is_done=is_done),
        success=text,
    )
    return redirect(back)


@login_required
@require_POST
def task_delete_view(request, pk):
    task = found_or_404(selectors.get_task_for, request.user, pk)
    submit(
        request,
        None,
        lambda: services.task_delete(user=request.user, task=task),
        success=_("The task has been deleted."),
    )
    return redirect(safe_next_url(request, reverse("task-list")))


# --- calendar -----------------------------------------------------------------------------

WORKING_HOURS = range(8, 19)


def _calendar_range(view: str, day: datetime.date) -> list[datetime.date]:
    if view == "day":
        return [day]
    monday = day - datetime.timedelta(days=day.weekday())
    return [monday + datetime.timedelta(days=offset) for offset in range(7)]


@login_required
def calendar_view(request):
    """The user's own tasks by day and hour (`?view=day|week&date=YYYY-MM-DD`), in the
    company's time zone; weeks start on Monday."""
    view = request.GET.get("view") if request.GET.get("view") in ("day", "week") else "week"
    today = timezone.localdate()
    try:
        day = clamp_day(datetime.date.fromisoformat(request.GET.get("date", "")))
    except ValueError:
        day = today
    days = _calendar_range(view, day)
    start = selectors.start_of_day(days[0])
    end = selectors.start_of_day(days[-1] + datetime.timedelta(days=1))
    tasks = selectors.calendar_tasks(request.user, start=start, end=end)
    changeable = selectors.changeable_tasks(request.user, tasks)
    cells: dict[tuple[int, datetime.date], list] = {}
    for task in tasks:
        task.can_change = task.pk in changeable
        local = timezone.localtime(task.due_at)
        task.local_due = local
        cells.setdefault((local.hour, local.date()), []).append(task)
    hours = sorted(set(WORKING_HOURS) | {hour for hour, _day in cells})
    rows = [
        {"hour": hour, "cells": [{"day": d, "tasks": cells.get((hour, d), [])} for d in days]}
        for hour in hours
    ]
    step = datetime.timedelta(days=1 if view == "day" else 7)
    return render(
        request,
        "activities/calendar.html",
        {
            "view": view,
            "day": day,
            "days": days,
            "today": today,
            "rows": rows,
            "task_count": len(tasks),
            "previous": clamp_day(days[0] - step if view == "week" else day - step).isoformat(),
            "next": clamp_day(days[0] + step if view == "week" else day + step).isoformat(),
        },
    )


@login_required
def calendar_feed_view(request):
    """The user's private feed URL, to paste into a phone's calendar, and a way to revoke it."""
    feed = found_or_404(services.calendar_feed_get_or_create, user=request.user)
    feed_url = request.build_absolute_uri(reverse("calendar-feed-ics", args=[feed.token]))
    return render(request, "activities/calendar_feed.html", {"feed": feed, "feed_url": feed_url})


@login_required
@require_POST
def calendar_feed_regenerate_view(request):
    found_or_404(services.calendar_feed_regenerate, user=request.user)
    messages.success(request, _("A new feed address has been made: the old one no longer works."))
    return redirect("calendar-feed")


def calendar_feed_ics_view(request, token):
    """The iCalendar feed: no login, the secret token in the URL opens it. An unknown or
    revoked token is a 404."""
    user = found_or_404(selectors.dangerously_feed_owner, token)
    tasks = selectors.feed_tasks(user)
    body = ical.build_calendar(
        user=user,
        tasks=tasks,
        task_url=lambda task: request.build_absolute_uri(reverse("task-edit", args=[task.pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="banyan-tasks.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- work summaries -----------------------------------------------------------------------


@login_required
def work_summary_create_view(request, customer_pk):
    customer = found_or_404(get_customer_for, request.user, customer_pk, for_edit=True)
    form = WorkSummaryForm(request.POST or None, user=request.user)
    if submit(
        request,
        form,
        lambda: services.work_summary_create(
            user=request.user, customer=customer, **form.cleaned_data
        ),
        success=_("The work summary has been added."),
        as_403=False,
    ):
        return redirect(safe_next_url(request, customer.get_absolute_url()))
    return render(
        request,
        "activities/work_summary_form.html",
        {"form": form, "customer": customer, "next": safe_next_url(request, "")},
    )


@login_required
@require_POST
def work_summary_delete_view(request, pk):
    summary = found_or_404(selectors.get_work_summary_for, request.user, pk)
    submit(
        request,
        None,
        lambda: services.work_summary_delete(user=request.user, summary=summary),
        success=_("The work summary has been deleted."),
    )
    return redirect(safe_next_url(request, summary.customer.get_absolute_url()))
