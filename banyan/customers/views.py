"""Customer pages (placeholders until the customer pages land)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from banyan.core.errors import NotFound
from banyan.customers import selectors


@login_required
def customer_list_view(request):
    return HttpResponse(str(selectors.customer_list(request.user).count()))


@login_required
def customer_detail_view(request, pk):
    try:
        customer = selectors.get_customer_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    return HttpResponse(customer.name)


@login_required
def contact_list_view(request):
    return HttpResponse(str(selectors.visible_contacts(request.user).count()))
