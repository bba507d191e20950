"""Report pages: the list of reports, one report (chart, table, controls), its .xlsx export.

Thin: the form reads the range and grouping, the selectors fetch the report (404 for an
unknown one), the report computes its figures, the template renders them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from banyan.core.errors import PermissionRefused
from banyan.core.views import found_or_404
from banyan.exports.selectors import can_export
from banyan.reports import registry, selectors, services
from banyan.reports.forms import ReportRangeForm, default_query


@login_required
@require_GET
def report_list_view(request):
    user = request.user
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": registry.reports_for(user),
            "sees_beyond_own": registry.sees_beyond_own(user),
        },
    )


@login_required
@require_GET
def report_detail_view(request, name):
    user = request.user
    report = found_or_404(selectors.get_report_for, user, name)
    form = ReportRangeForm(request.GET or None, user=user, report=report)
    query = form.report_query() if form.is_bound else default_query(user=user, report=report)
    status = 200
    if query is None:
        query, status = default_query(user=user, report=report), 400
    columns = report.columns(query)
    result = report.compute(query)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "form": form,
            "query": query,
            "columns": columns,
            "result": result,
            "rows": selectors.table_rows(columns, result.rows),
            "totals": selectors.table_rows(columns, [result.totals])[0] if result.totals else None,
            "sections": [
                {**section, "table": selectors.table_rows(section["columns"], section["rows"])}
                for section in result.sections
            ],
            "chart": report.chart(query, result),
            "can_export": can_export(user),
            "sees_beyond_own": query.sees_beyond_own,
            "export_query": request.GET.urlencode(),
        },
        status=status,
    )


@login_required
@require_POST
def report_export_view(request, name):
    user = request.user
    report = found_or_404(selectors.get_report_for, user, name)
    form = ReportRangeForm(
        QueryDict(request.POST.get("query", "")) or None, user=user, report=report
    )
    query = form.report_query() if form.is_bound else default_query(user=user, report=report)
    if query is None:
        query = default_query(user=user, report=report)
    try:
        content, file_name = services.report_export(user=user, report=report, query=query)
    except PermissionRefused as exc:
        raise PermissionDenied(str(exc.message)) from None
    response = HttpResponse(content, content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
