from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render

from banyan.core.errors import DomainError, NotFound, PermissionRefused

T = TypeVar("T")


def found_or_404(fetch: Callable[..., T], actor, pk, **options) -> T:
    """Fetch through a selector: a missing object or another company's (or an invisible one)
    is a 404; one the actor may see but not use as asked (`PermissionRefused`) is a 403."""
    try:
        return fetch(actor, pk, **options)
    except NotFound:
        raise Http404 from None
    except PermissionRefused:
        raise PermissionDenied from None


def refusal_text(exc: DomainError) -> str:
    """A service's refusal as one line, for a flash message."""
    return " ".join(str(m) for msgs in exc.as_dict().values() for m in msgs)


@login_required
def home(request):
    """The workbench (工作台): every user's home page. Panels arrive with later modules."""
    return render(request, "core/home.html")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
