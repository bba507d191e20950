"""The user's own API tokens: see which programs hold one, and revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.accounts import selectors, services
from banyan.core.views import found_or_404


@login_required
def api_tokens_view(request):
    tokens = list(selectors.own_api_tokens(request.user))
    return render(request, "accounts/api_tokens.html", {"tokens": tokens})


@login_required
@require_POST
def api_token_revoke_view(request, pk):
    token = found_or_404(selectors.get_own_api_token, request.user, pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(
        request, _("The token %(name)s has been revoked.") % {"name": token.label or token.prefix}
    )
    return redirect("api-tokens")


urlpatterns = [
    path("account/tokens/", api_tokens_view, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", api_token_revoke_view, name="api-token-revoke"),
]
