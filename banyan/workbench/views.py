"""Pages of the workbench app: the dashboard of bosses, directors and managers, which the
workbench loads after the page (its figures add up months of the team's records)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from banyan.workbench import selectors


@login_required
@require_GET
def dashboard_view(request):
    """The dashboard, a page of its own or (for htmx) the fragment the workbench swaps in;
    404 for anyone who may not see the team's figures."""
    figures = selectors.dashboard(request.user)
    if figures is None:
        raise Http404(_("The dashboard shows a team's figures: it needs the report permission."))
    template = "workbench/dashboard.html"
    if request.htmx:
        template += "#dashboard"
    return render(request, template, {"dashboard": figures})
