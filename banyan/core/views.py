import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

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


def uses_modules(company, flags, *, any_of: bool = False) -> bool:
    """Whether `company` uses the modules named by its flags (`uses_inventory`, …): all of
    them, or with `any_of` at least one."""
    if company is None:
        return False
    test = any if any_of else all
    return test(getattr(company, flag) for flag in flags)


def module_required(*flags: str, any_of: bool = False):
    """A page of modules: logged in (else the login page), in a company that uses the modules
    (all of `flags`, or with `any_of` one of them; else 404, as if the page did not exist)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not uses_modules(request.user.company, flags, any_of=any_of):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@dataclass
class Submission:
    """What `submit` did: `done` (truthy) when the service ran without refusal, with its
    `result`."""

    done: bool
    result: Any = None

    def __bool__(self) -> bool:
        return self.done


def submit(
    request,
    form,
    call: Callable[[], T],
    *,
    success: str | Callable[[T], str] | None = None,
    labels: dict | None = None,
    as_403: bool = True,
) -> Submission:
    """The loop of every page that changes something through a service.

    With a form: when it is posted and valid, `call()` runs the service; a `DomainError` is
    put on the form (each message on its field, or above the form), which keeps what the
    user typed. Without one (a button): `call()` runs, and a refusal becomes an error
    message (each message after its field's name in `labels`). Either way a
    `PermissionRefused` is the 403 page with its reason (with `as_403=False` it is shown like
    any other refusal), and on success the `success` message (a text, or a function of the
    service's result) is shown.
    """
    if form is not None and not (request.method == "POST" and form.is_valid()):
        return Submission(False)
    try:
        result = call()
    except DomainError as exc:
        if as_403 and isinstance(exc, PermissionRefused):
            raise PermissionDenied(str(exc.message)) from None
        if form is None:
            messages.error(request, refusal_text(exc, labels))
        else:
            form.add_service_errors(exc)
        return Submission(False)
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return Submission(True, result)


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


def refusal_text(exc: DomainError, labels: dict | None = None) -> str:
    """A service's refusal as one line, for a flash message: each message after the name of
    its field, where `labels` gives one."""
    labels = labels or {}
    parts = []
    for field, field_messages in exc.as_dict().items():
        label = labels.get(field)
        parts.extend(
            _("%(field)s: %(message)s") % {"field": label, "message": message}
            if label
            else str(message)
            for message in field_messages
        )
    return " ".join(parts)


@login_required
def home(request):
    """The workbench (工作台): every user's home page, built from the panels the apps
    register on `core.panels.workbench` (each respecting visibility)."""
    return render(request, "core/home.html", {"panels": workbench.render(request, None)})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
