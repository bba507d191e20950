"""Import pages: the list with the upload form, one job (preview, progress, confirm, revert).

Thin: parse the input, fetch through the selectors, call one service, render. The progress
fragment is polled by htmx while a job is working.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, submit
from banyan.imports import selectors, services
from banyan.imports.forms import ImportUploadForm
from banyan.imports.models import ImportJob
from banyan.imports.templates_files import CONTENT_TYPES, template_file
from banyan.products import selectors as product_selectors

PREVIEW_ROWS = 200  # rows of errors and duplicates the page shows (the API gives them all)


def company_member_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.company_id is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@company_member_required
def import_list_view(request):
    user = request.user
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in ImportJob.Kind.values else {}
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.import_job_create(
            user=user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            encoding=form.cleaned_data.get("encoding") or "",
            on_duplicate=form.cleaned_data["on_duplicate"],
        ),
    )
    if done:
        return redirect(done.result)
    jobs = selectors.visible_import_jobs(user).defer(
        "errors", "duplicates", "created_ids", "before_values", "revert_kept"
    )
    page = paginate(request, jobs, per_page=20)
    return render(
        request,
        "imports/import_list.html",
        {"form": form, "page": page, "jobs": page.object_list, "kinds": ImportJob.Kind.choices},
        status=400 if request.method == "POST" else 200,
    )


def _job_context(request, job):
    return {
        "job": job,
        "errors": job.errors[:PREVIEW_ROWS],
        "duplicates": job.duplicates[:PREVIEW_ROWS],
        "more_errors": max(len(job.errors) - PREVIEW_ROWS, 0),
        "more_duplicates": max(len(job.duplicates) - PREVIEW_ROWS, 0),
        "may_confirm": job.status == ImportJob.Status.PREVIEWED
        and job.created_by_id == request.user.pk
        and job.rows_valid > 0,
        "may_revert": services.may_revert(request.user, job),
    }


@company_member_required
def import_detail_view(request, pk):
    job = found_or_404(selectors.get_import_job_for, request.user, pk)
    return render(request, "imports/import_detail.html", _job_context(request, job))


@company_member_required
def import_progress_view(request, pk):
    """The progress fragment; when the job has finished working, the whole job panel."""
    job = found_or_404(selectors.get_import_job_for, request.user, pk)
    return render(request, "imports/partials/job_panel.html", _job_context(request, job))


@require_POST
@company_member_required
def import_confirm_view(request, pk):
    job = found_or_404(selectors.get_import_job_for, request.user, pk)
    submit(
        request,
        None,
        lambda: services.import_job_confirm(user=request.user, job=job),
        success=_("The import has started."),
    )
    return redirect(job)


@require_POST
@company_member_required
def import_revert_view(request, pk):
    job = found_or_404(selectors.get_import_job_for, request.user, pk)
    submit(
        request,
        None,
        lambda: services.import_job_revert(user=request.user, job=job),
        success=_("The import was reverted."),
    )
    return redirect(job)


@company_member_required
def import_template_view(request, kind, file_format):
    """The template of a kind of import, as the API gives it."""
    if kind not in ImportJob.Kind.values or file_format not in CONTENT_TYPES:
        raise Http404
    content = template_file(
        kind, file_format, sees_costs=product_selectors.sees_costs(request.user)
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
    return response
