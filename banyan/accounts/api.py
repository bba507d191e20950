"""API of the accounts app: token login, users, data dictionary."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from banyan.accounts import services
from banyan.core.errors import DomainError


class TokenRequestSerializer(serializers.Serializer):
    company = serializers.CharField(label=_("Company code"), max_length=32)
    username = serializers.CharField(label=_("Username"), max_length=50)
    password = serializers.CharField(label=_("Password"), trim_whitespace=False)


class ObtainTokenView(APIView):
    """`POST {"company", "username", "password"}` → `{"token": ...}`; lockout applies."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        try:
            user = services.login_check(request=django_request, **serializer.validated_data)
        except services.LoginLocked as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        except DomainError as exc:
            return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": services.api_token_for(user)})


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
