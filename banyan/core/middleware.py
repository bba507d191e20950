"""Responses that carry a person's data are not kept by browsers or shared caches."""

from django.conf import settings


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a logged-in request, to a request that
    carries credentials (an API token), and on every API answer (the token endpoint answers
    with a token), unless the view set its own caching (e.g. the iCalendar feed). Static files
    (served by WhiteNoise before this runs) and public company logos are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control") or self._is_public(request.path):
            return response
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
            or request.path.startswith("/api/")
        ):
            response["Cache-Control"] = "no-store"
        return response

    def _is_public(self, path: str) -> bool:
        return path.startswith((settings.STATIC_URL, "/media/logos/"))
