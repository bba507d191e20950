"""Per request: the company's time zone, suspended companies, and read-only expired trials."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import read_only_message

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class CompanyAccessMiddleware:
    """Answers for the company of the logged-in user before any view runs.

    - a suspended company is logged out with a message;
    - an expired trial may read, but every write is refused with how to convert it
      (the services refuse too: this only answers early and kindly);
    - times are shown in the company's time zone.
    """

    ALWAYS_ALLOWED = ("logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        company = getattr(user, "company", None) if user and user.is_authenticated else None
        if company is None:
            timezone.deactivate()
            return self.get_response(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(company.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        if not company.is_active:
            logout(request)
            message = _("This company account is suspended. Contact the service operator.")
            if _is_api(request):
                return JsonResponse({"detail": message}, status=403)
            messages.error(request, message)
            return redirect("login")
        if (
            company.is_read_only
            and request.method not in SAFE_METHODS
            and not self._always_allowed(request)
        ):
            message = read_only_message(company)
            if _is_api(request):
                return JsonResponse({"detail": message}, status=403)
            messages.error(request, message)
            return HttpResponseRedirect(self._back(request))
        return self.get_response(request)

    def _always_allowed(self, request) -> bool:
        return any(request.path == reverse(name) for name in self.ALWAYS_ALLOWED)

    @staticmethod
    def _back(request) -> str:
        referer = request.headers.get("Referer", "")
        from django.utils.http import url_has_allowed_host_and_scheme

        if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}):
            return referer
        return reverse("home")
