"""Who may open which finance page, and query counts that do not grow with the rows.

A record of another company or outside the user's visibility is a 404 exactly as if it did
not exist; a visible one the user may not act on is a 403; a refusal changes nothing. The
finance permission lets a user record money on what they see: it never widens what they see.
"""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from banyan.core.panels import customer_view
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.finance import selectors
from banyan.finance.models import Invoice, Payment, PaymentPlan
from banyan.finance.tests.page_helpers import (
    bank_transfer,
    days,
    invoice,
    pay,
    plan,
    signed_agreement,
    today,
    vat_special,
)

VIEW_ONLY = "This customer is shared with you to view only."
FINANCE_ONLY = "Only users with the finance permission record payments and invoices."

# (see the records, change the payment plans, record payments and invoices)
MATRIX = {
    "owner": (200, 200, 403),
    "peer": (404, 404, 404),
    "manager1": (200, 200, 403),
    "manager2": (404, 404, 404),
    "director1": (200, 200, 403),
    "assistant": (200, 200, 403),
    "view_share": (200, 403, 403),
    "edit_share": (200, 200, 403),
    "other_company": (404, 404, 404),
    "boss_with_finance": (200, 200, 200),
    "finance_viewer": (200, 403, 200),  # shared to view, with the finance permission
    "finance_elsewhere": (404, 404, 404),  # the finance permission, not the customer
}


@pytest.fixture
def case(org, other_org, grant, make_customer, make_product, make_agreement):
    customer = make_customer(org.sales1, name="沃力科技")
    agreement = signed_agreement(make_product, make_agreement, org.sales1, customer, "10000.00")
    instalment = plan(org.sales1, agreement, "4000.00")
    payment = pay(org.boss, agreement, "3000.00", plan=instalment)
    recorded = invoice(org.boss, agreement, "1000.00", "FP-100")
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_d1, level="view"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    users = {
        "owner": org.sales1,
        "peer": org.sales2,
        "manager1": org.manager1,
        "manager2": org.manager2,
        "director1": org.director1,
        "assistant": org.assistant,
        "view_share": org.sales_d1,
        "edit_share": org.sales4,
        "other_company": grant(other_org.boss, "finance"),
        "boss_with_finance": org.boss,
        "finance_viewer": grant(org.sales3, "finance"),
        "finance_elsewhere": grant(org.sales_boss, "finance"),
    }
    return SimpleNamespace(
        agreement=agreement,
        plan=instalment,
        payment=payment,
        invoice=recorded,
        users=users,
    )


def books(agreement):
    agreement.refresh_from_db()
    return (
        agreement.paid_amount,
        agreement.invoiced_amount,
        sorted(PaymentPlan.objects.values_list("pk", "amount", "due_on", "note")),
        sorted(Payment.objects.values_list("pk", "amount", "note")),
        sorted(Invoice.objects.values_list("pk", "number", "amount")),
    )


def ok(status: int) -> int:
    """Success, whether a page (200) or a redirect after a POST (302)."""
    return 200 if status in (200, 302) else status


@pytest.mark.parametrize("who", MATRIX)
def test_matrix_pages(who, case, client_as):
    user = case.users[who]
    client = client_as(user)
    read, plan_write, money_write = MATRIX[who]
    agreement, payment = case.agreement, case.payment
    before = books(agreement)

    # reading
    assert client.get(reverse("payment-detail", args=[payment.pk])).status_code == read
    for name, pk in (
        ("plan-list", case.plan.pk),
        ("payment-list", payment.pk),
        ("invoice-list", case.invoice.pk),
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert (pk in [row.pk for row in response.context["page"].object_list]) == (read == 200)
    home = client.get(reverse("finance-home"))
    if selectors.can_record_money(user):
        assert home.status_code == 200
        collected = [a.pk for a, _money in home.context["collect_rows"]]
        assert (agreement.pk in collected) == (read == 200)
    else:
        assert home.status_code == 403

    # the pages that change something, opened
    plan_pages = [
        reverse("plan-create", args=[agreement.pk]),
        reverse("plan-edit", args=[case.plan.pk]),
        reverse("plan-delete", args=[case.plan.pk]),
    ]
    money_pages = [
        reverse("payment-create", args=[agreement.pk]),
        reverse("payment-reverse", args=[payment.pk]),
        reverse("invoice-create", args=[agreement.pk]),
        reverse("invoice-edit", args=[case.invoice.pk]),
        reverse("invoice-delete", args=[case.invoice.pk]),
    ]
    for url in plan_pages:
        response = client.get(url)
        assert response.status_code == plan_write, url
        if plan_write == 403:
            assert VIEW_ONLY in response.content.decode(), url
    for url in money_pages:
        response = client.get(url)
        assert response.status_code == money_write, url
        if money_write == 403:
            assert FINANCE_ONLY in response.content.decode(), url

    # ...and submitted
    due = days(user, 50).isoformat()
    if plan_write != 200:
        assert (
            client.post(plan_pages[0], {"due_on": due, "amount": "100"}).status_code == plan_write
        )
        assert (
            client.post(plan_pages[1], {"due_on": due, "amount": "100"}).status_code == plan_write
        )
        assert client.post(plan_pages[2]).status_code == plan_write
    else:
        assert client.post(plan_pages[0], {"due_on": due, "amount": "100"}).status_code == 302
        assert client.post(plan_pages[1], {"due_on": due, "amount": "4000"}).status_code == 302
        case.plan.refresh_from_db()
        assert case.plan.due_on == days(user, 50)
    if money_write != 200:
        fields = {
            "paid_on": today(user).isoformat(),
            "amount": "100",
            "method": bank_transfer(user.company).pk,
            "owner": agreement.owner_id,
            "reason": "x",
            "number": "FP-X",
            "type": vat_special(user.company).pk,
            "title": "x",
            "issued_on": today(user).isoformat(),
        }
        for url in money_pages:
            assert client.post(url, fields).status_code == money_write, url
    else:
        assert (
            client.post(
                money_pages[0],
                {
                    "paid_on": today(user).isoformat(),
                    "amount": "500",
                    "method": bank_transfer(user.company).pk,
                    "owner": agreement.owner_id,
                },
            ).status_code
            == 302
        )
        assert (
            client.post(
                money_pages[3],
                {
                    "number": "FP-101",
                    "type": vat_special(user.company).pk,
                    "title": "沃力科技",
                    "amount": "400",
                    "issued_on": today(user).isoformat(),
                },
            ).status_code
            == 302
        )
        assert client.post(money_pages[4]).status_code == 302
        assert client.post(money_pages[1], {"reason": "录错"}).status_code == 302
        agreement.refresh_from_db()
        assert (agreement.paid_amount, agreement.invoiced_amount) == (500, 0)
    if plan_write != 200 and money_write != 200:
        assert books(agreement) == before


def test_a_404_page_never_tells_another_company_what_exists(org, other_org, case, client_as):
    client = client_as(other_org.boss)

    for url in (
        reverse("payment-detail", args=[case.payment.pk]),
        reverse("payment-detail", args=[999999]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "沃力科技" not in response.content.decode()


# --- query counts ---------------------------------------------------------------------------


@pytest.fixture
def fill(org, make_customer, make_product, make_agreement):
    """`fill(size)`: `size` signed agreements of sales1's and sales2's customers, each with a
    plan, a payment against it (some still to collect) and an invoice (some still to
    invoice), and one payment of each reversed."""
    from banyan.finance import services as finance_services

    def make(size):
        customers = [make_customer(org.sales1), make_customer(org.sales2)]
        for index in range(size):
            owner = org.sales1 if index % 2 == 0 else org.sales2
            agreement = signed_agreement(
                make_product, make_agreement, owner, customers[index % 2], "1000.00"
            )
            instalment = plan(owner, agreement, "600.00", due_in_days=index - size // 2)
            payment = pay(org.boss, agreement, "300.00", plan=instalment)
            if index % 3 == 0:
                finance_services.payment_reverse(user=org.boss, payment=payment, reason="录错")
                pay(org.boss, agreement, "200.00", plan=instalment)
            invoice(org.boss, agreement, "100.00", f"FP-{index:04d}")

    return make


# session, user, the user's shares, permissions (user + group), totals, count, page, the
# owner filter, and the method or type filter; nothing per row
LIST_QUERIES = {"plan-list": 9, "payment-list": 10, "invoice-list": 10}
# session, user, permissions (user + group), count and page of each list, the plans of the page
HOME_QUERIES = 9


@pytest.mark.parametrize("size", [2, 12])
def test_list_query_counts_do_not_grow(size, org, fill, client_as, django_assert_max_num_queries):
    fill(size)
    client = client_as(org.manager1)
    rows = {"plan-list": size, "payment-list": size + 2 * ((size + 2) // 3), "invoice-list": size}

    for name, limit in LIST_QUERIES.items():
        with django_assert_max_num_queries(limit):
            response = client.get(reverse(name), {"page_size": 50})
        assert len(response.context["page"].object_list) == rows[name], name


@pytest.mark.parametrize("size", [2, 12])
def test_the_finance_desk_query_count_does_not_grow(
    size, org, fill, client_as, django_assert_max_num_queries
):
    fill(size)
    client = client_as(org.boss)

    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(reverse("finance-home"))

    assert len(response.context["collect_rows"]) == size
    assert len(response.context["to_invoice"].object_list) == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_customer_panel_query_count_does_not_grow(
    size, org, make_customer, make_product, make_agreement, django_assert_max_num_queries
):
    customer = make_customer(org.sales1)
    for index in range(size):
        agreement = signed_agreement(make_product, make_agreement, org.sales1, customer, "900.00")
        instalment = plan(org.sales1, agreement, "900.00", due_in_days=index - 1)
        pay(org.boss, agreement, "100.00", plan=instalment)
        invoice(org.boss, agreement, "50.00", f"FP-{index}")
    shown = customer_selectors.get_customer_for(org.sales1, customer.pk)
    panel = next(p for p in customer_view.panels_for(org.sales1, shown) if p.key == "finance")

    with django_assert_max_num_queries(4):  # figures, plans, last payments, last invoices
        context = panel.context(org.sales1, shown)
        html = render_to_string(panel.template, {"object": shown, **context})

    assert len(context["money"].plans) == size
    assert html.count("FP-") == min(size, 5)
