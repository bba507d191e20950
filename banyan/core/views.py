import unicodedata
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from banyan.core.errors import DomainError, NotFound, PermissionRefused
from banyan.core.panels import workbench

T = TypeVar("T")


def found_or_404(fetch: Callable[..., T], *args, **kwargs) -> T:
    """Fetch through a selector (or run a service's check): a missing object or another
    company's (or an invisible one) is a 404; one the actor may see but not use as asked
    (`PermissionRefused`) is a 403 carrying the reason."""
    try:
        return fetch(*args, **kwargs)
    except NotFound:
        raise Http404 from None
    except PermissionRefused as exc:
        raise PermissionDenied(str(exc.message)) from None


def is_local_path(target: str) -> bool:
    """Whether `target` is a path on this site ("/customers/?page=2"): never another host
    ("//evil.example", "/\\evil.example", "https://…"), never a view name ("abc", which
    `redirect()` would try to reverse), never a control character (a header split)."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(unicodedata.category(char)[0] == "C" for char in target)
        and url_has_allowed_host_and_scheme(target, allowed_hosts=set())
    )


def safe_next_url(request, fallback: str) -> str:
    """Where a form returns: its `next` when it is a path on this site, else `fallback`.
    Every view that follows a `next` goes through here."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target) else fallback


def refusal_text(exc: DomainError) -> str:
    """A service's refusal as one line, for a flash message."""
    return " ".join(str(m) for msgs in exc.as_dict().values() for m in msgs)


@login_required
def home(request):
    """The workbench (工作台): every user's home page, built from the panels the apps
    register on `core.panels.workbench` (each respecting visibility)."""
    return render(request, "core/home.html", {"panels": workbench.render(request, None)})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
