"""Export pages: the Export buttons' target on every list, the export log, the download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banyan.core.errors import DomainError, NotFound, PermissionRefused
from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, refusal_text
from banyan.exports import selectors, services
from banyan.exports.models import ExportJob
from banyan.exports.registry import kind_named
from banyan.exports.responses import CONTENT_TYPES, export_file_name, export_file_response


def _list_url(kind_key: str, query: QueryDict) -> str:
    kind = kind_named(kind_key)
    try:
        url = reverse(kind.list_url_name) if kind else reverse("export-log")
    except NoReverseMatch:
        url = reverse("export-log")
    return f"{url}?{query.urlencode()}" if query else url


@login_required
@require_POST
def export_start_view(request):
    """An Export button: the list (`kind`), the format, and the list's query string as it
    stood (`query`: its filters and sort). A CSV streams (up to EXPORT_STREAM_ROWS rows); an
    .xlsx downloads at once when small (EXPORT_INLINE_ROWS). Anything larger is prepared on
    the worker and waits in the export log."""
    if not selectors.can_export(request.user):
        raise PermissionDenied(_("Exporting needs the “export data” permission."))
    kind = request.POST.get("kind", "")
    format = request.POST.get("format", "")
    query = QueryDict(request.POST.get("query", ""))
    try:
        if format == ExportJob.Format.CSV:
            job, pieces = services.export_stream(user=request.user, kind=kind, filters=query)
            if pieces is not None:
                response = StreamingHttpResponse(pieces, content_type=CONTENT_TYPES[job.format])
                name = export_file_name(job, when=timezone.localtime())
                response["Content-Disposition"] = _attachment(name)
                return response
        else:
            job = services.export_start(user=request.user, kind=kind, format=format, filters=query)
    except NotFound:
        raise Http404 from None
    except PermissionRefused as exc:
        raise PermissionDenied(str(exc.message)) from None
    except DomainError as exc:
        messages.error(request, refusal_text(exc))
        return redirect(_list_url(kind, query))
    if job.is_downloadable and not job.ran_in_background:
        return export_file_response(job)
    if job.status == ExportJob.Status.FAILED:
        messages.error(request, _("The export failed: %(reason)s") % {"reason": job.error})
    else:
        messages.info(
            request,
            _("The list is long: it is exported in the background. Download it here when done."),
        )
    return redirect("export-log")


def _attachment(name: str) -> str:
    return content_disposition_header(True, name)


@login_required
@require_GET
def export_log_view(request):
    """Your exports (an admin boss: the company's), newest first, with the files still kept."""
    page = paginate(request, selectors.visible_export_jobs(request.user), per_page=50)
    for job in page.object_list:
        kind = kind_named(job.kind)
        job.kind_label = kind.label if kind else job.kind
    return render(
        request,
        "exports/export_log.html",
        {
            "page": page,
            "company_wide": selectors.sees_company_exports(request.user),
            "keep_days": services.keep_days(),
        },
    )


@login_required
@require_GET
def export_download_view(request, pk):
    job = found_or_404(selectors.get_export_file_for, request.user, pk)
    return export_file_response(job)
