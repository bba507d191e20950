"""Where people start a send: the customer view and the ticked rows of the customer list."""

from django.urls import reverse


def test_the_customer_view_links_to_sms_and_email_for_its_contacts(org, client_as, make_customer):
    customer = make_customer(org.sales1)

    page = client_as(org.sales1).get(reverse("customer-detail", args=[customer.pk])).content
    html = page.decode()

    assert f"{reverse('sms-send')}?customer={customer.pk}" in html
    assert f"{reverse('email-send')}?customer={customer.pk}" in html


def test_the_ticked_customers_of_the_list_open_one_bulk_send(org, client_as, make_customer):
    first = make_customer(org.sales1)
    second = make_customer(org.sales1)
    client = client_as(org.sales1)

    listing = client.get(reverse("customer-list")).content.decode()
    response = client.get(reverse("sms-send"), {"customers": [first.pk, second.pk]})

    assert 'id="bulk-sms"' in listing
    assert response.status_code == 200
    assert set(response.context["customers"]) == {first, second}


def test_a_customer_the_user_cannot_see_is_not_found_in_a_bulk_send(org, client_as, make_customer):
    mine = make_customer(org.sales1)
    theirs = make_customer(org.sales3)

    response = client_as(org.sales1).get(reverse("sms-send"), {"customers": [mine.pk, theirs.pk]})

    assert response.status_code == 404
