"""Pages of the targets app: the month's targets with their achievement, and setting one.

Thin: parse the input, fetch through the selectors, call one service, render. A target of
another company (or not visible) is a 404; a visible one the user may not change is a 403
with the reason.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, submit
from banyan.targets import selectors, services
from banyan.targets.forms import MonthForm, TargetForm


def _list_url(month) -> str:
    return f"{reverse('target-list')}?month={month:%Y-%m}"


def _render_list(request, month_form, month, target_form, *, status=200):
    user = request.user
    page = paginate(request, selectors.target_list(user, month=month), per_page=50)
    page.object_list = selectors.with_achievement(user, page.object_list)
    removable = selectors.removable_targets(user, page.object_list)
    for target in page.object_list:
        target.can_remove = target.pk in removable
    return render(
        request,
        "targets/target_list.html",
        {
            "month_form": month_form,
            "month": month,
            "days_left": selectors.days_left(user, month),
            "page": page,
            "form": target_form,
            "can_set_targets": selectors.can_set_targets(user),
            "query": f"month={month:%Y-%m}",
        },
        status=status,
    )


@login_required
@require_GET
def target_list_view(request):
    month_form = MonthForm(request.GET or None, user=request.user)
    month = month_form.chosen_month()
    target_form = TargetForm(user=request.user, month=month)
    return _render_list(request, month_form, month, target_form)


@login_required
@require_POST
def target_set_view(request):
    form = TargetForm(request.POST, user=request.user)
    saved = submit(
        request,
        form,
        lambda: services.target_set(user=request.user, **form.service_fields()),
        success=lambda target: (
            _("The target of %(name)s for %(month)s has been saved.")
            % {"name": target.user.display_name, "month": f"{target.month:%Y-%m}"}
        ),
        as_403=False,
    )
    if saved:
        return redirect(_list_url(saved.result.month))
    month = selectors.parse_month(request.POST.get("month")) or selectors.current_month(
        request.user
    )
    month_form = MonthForm({"month": f"{month:%Y-%m}"}, user=request.user)
    return _render_list(request, month_form, month, form, status=400)


@login_required
@require_POST
def target_delete_view(request, pk):
    target = found_or_404(selectors.get_target_for, request.user, pk)
    month = target.month
    submit(
        request,
        None,
        lambda: found_or_404(services.target_delete, user=request.user, target=target),
        success=_("The target has been removed."),
    )
    return redirect(_list_url(month))
