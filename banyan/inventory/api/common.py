"""What inventory's endpoints share: the module check, the stock-papers permission."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, status
from rest_framework.response import Response

from banyan.core.api import VisibleObjectMixin
from banyan.inventory import selectors

QUANTITY = {"max_digits": 14, "decimal_places": 2}
INVENTORY_OFF = _("Your company does not use inventory.")


class UsesInventory(VisibleObjectMixin):
    """A company that does not use inventory has none of these endpoints (404)."""

    modules = ("uses_inventory",)
    modules_off_message = INVENTORY_OFF


class SeesStockPapers(permissions.BasePermission):
    """Movements and stocktakes are for keepers, purchasing staff and bosses: anyone else is
    refused (403 with the reason) before anything is looked up. A method the endpoint does not
    answer stays a 405."""

    def has_permission(self, request, view):
        if view.action is not None:
            selectors.ensure_sees_stock_papers(request.user)
        return True


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)
