"""Who may open and change the contract and order pages (the visibility matrix), the
customer-view panel, and the query counts of the lists, the agreement view and the panel."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services
from banyan.agreements.models import Agreement, AgreementAttachment, AgreementLine
from banyan.core.panels import customer_view
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.finance import services as finance_services

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n"


def option(company, kind, code):
    return DictionaryOption.objects.get(company=company, kind=kind, code=code)


def state(agreement):
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (
        agreement.number,
        agreement.title,
        agreement.status,
        agreement.amount,
        agreement.cancel_reason,
        list(AgreementLine.objects.filter(agreement=agreement).values_list("product", "quantity")),
        list(AgreementAttachment.objects.filter(agreement=agreement).values_list("pk", flat=True)),
    )


def formset(lines, initial=0) -> dict:
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for field, value in line.items():
            data[f"lines-{index}-{field}"] = str(value)
    return data


# --- the visibility matrix ------------------------------------------------------------------

# Who may do what with an order of a customer owned by sales1: 200 = yes, 403 = may see but
# not change, 404 = does not exist for them.
READ, WRITE = 0, 1
MATRIX = {
    "owner": (200, 200),
    "peer": (404, 404),
    "manager1": (200, 200),
    "manager2": (404, 404),
    "director1": (200, 200),
    "boss": (200, 200),
    "assistant": (200, 200),
    "view_share": (200, 403),
    "edit_share": (200, 200),
    "other_company": (404, 404),
}


@pytest.fixture
def matrix_case(org, other_org, make_customer, make_product):
    customer = make_customer(org.sales1, name="沃力科技")
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_d1, level="view"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )
    product = make_product(org.boss, code="H-1", list_price="1000.00")
    order = services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=customer,
        title="Matrix order",
        lines=[{"product": product.pk, "quantity": "2"}],
    )
    attachment = services.attachment_add(
        user=org.sales1,
        agreement=order,
        upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )
    users = {
        "owner": org.sales1,
        "peer": org.sales2,
        "manager1": org.manager1,
        "manager2": org.manager2,
        "director1": org.director1,
        "boss": org.boss,
        "assistant": org.assistant,
        "view_share": org.sales_d1,
        "edit_share": org.sales4,
        "other_company": other_org.sales1,
    }
    return customer, order, product, attachment, users


def ok(status: int) -> int:
    """Success, whether a page (200) or a redirect after a POST (302)."""
    return 200 if status in (200, 302) else status


@pytest.mark.parametrize("who", MATRIX)
def test_matrix_pages(who, matrix_case, client_as):
    customer, order, product, attachment, users = matrix_case
    user = users[who]
    client = client_as(user)
    read, write = MATRIX[who]
    pk = order.pk
    before = state(order)

    assert client.get(reverse("agreement-detail", args=[pk])).status_code == read
    listed = [a.pk for a in client.get(reverse("order-list")).context["page"].object_list]
    assert (pk in listed) == (read == 200)
    download = client.get(reverse("agreement-attachment-download", args=[attachment.pk]))
    assert download.status_code == read
    for name in ("agreement-edit", "agreement-cancel"):
        assert client.get(reverse(name, args=[pk])).status_code == write, name
    create = client.get(reverse("order-create"), {"customer": customer.pk})
    assert create.status_code == write

    edit_data = {
        "number": order.number,
        "title": "Changed",
        "owner": order.owner_id,
        **formset([{"product": product.pk, "quantity": "3"}], initial=1),
    }
    posts = {
        "edit": (reverse("agreement-edit", args=[pk]), edit_data),
        "attach": (
            reverse("agreement-attachment-add", args=[pk]),
            {"file": SimpleUploadedFile("more.pdf", PDF, content_type="application/pdf")},
        ),
        "remove": (reverse("agreement-attachment-delete", args=[attachment.pk]), {}),
        "sign": (reverse("agreement-status", args=[pk]), {"step": "sign"}),
        "cancel": (reverse("agreement-cancel", args=[pk]), {"reason": "Budget"}),
    }
    if write != 200:
        for name, (url, data) in posts.items():
            assert client.post(url, data).status_code == write, name
        assert client.post(reverse("agreement-delete", args=[pk])).status_code == write
        assert (
            client.post(
                reverse("order-create") + f"?customer={customer.pk}", {"title": "New"}
            ).status_code
            == write
        )
        assert state(order) == before
        assert Agreement.objects.filter(company=order.company).count() == 1
        return
    for name, (url, data) in posts.items():
        assert client.post(url, data).status_code == 302, name
    order.refresh_from_db()
    assert (order.title, order.status, order.cancel_reason) == ("Changed", "cancelled", "Budget")
    assert [a.name for a in order.attachments.all()] == ["more.pdf"]
    assert list(order.lines.values_list("quantity", flat=True)) == [3]


def test_the_view_share_sees_no_buttons(matrix_case, client_as):
    _customer, order, _product, attachment, users = matrix_case

    html = client_as(users["view_share"]).get(order.get_absolute_url()).content.decode()

    assert 'id="agreement-actions"' not in html
    assert reverse("agreement-edit", args=[order.pk]) not in html
    assert reverse("agreement-attachment-delete", args=[attachment.pk]) not in html
    assert 'id="attachment-form"' not in html
    assert reverse("agreement-attachment-download", args=[attachment.pk]) in html


# --- the customer-view panel ----------------------------------------------------------------


def test_the_customer_panel_lists_contracts_and_orders(
    org, make_customer, make_agreement, django_assert_max_num_queries
):
    customer = make_customer(org.sales1)
    contract = make_agreement(org.sales1, customer, kind="contract", title="维保")
    order = make_agreement(org.sales1, customer, kind="order", title="设备")
    services.agreement_cancel(user=org.sales1, agreement=order, reason="x")

    def render(user):
        shown = customer_selectors.get_customer_for(user, customer.pk)
        panel = next(p for p in customer_view.panels_for(user, shown) if p.key == "agreements")
        with django_assert_max_num_queries(2):  # the agreements; the share, for a colleague
            context = {"object": shown, "user": user, **panel.context(user, shown)}
            return render_to_string(panel.template, context)

    html = render(org.sales1)
    assert contract.number in html and order.number in html
    assert "Contract" in html and "Cancelled" in html
    assert f"{reverse('contract-create')}?customer={customer.pk}" in html
    assert f"{reverse('order-create')}?customer={customer.pk}" in html
    assert "Amount ¥100.00, paid ¥0.00, receivable ¥100.00" in html  # the cancelled left out
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    viewer = render(org.sales3)
    assert contract.number in viewer
    assert reverse("contract-create") not in viewer and reverse("order-create") not in viewer


# --- query counts ---------------------------------------------------------------------------


def fill(org, make_customer, make_product, kind, count):
    product = make_product(org.boss, kind="service" if kind == "contract" else "physical")
    customers = [make_customer(org.sales1), make_customer(org.sales2)]
    for index in range(count):
        owner = org.sales1 if index % 2 == 0 else org.sales2
        agreement = services.agreement_create(
            user=owner,
            kind=kind,
            customer=customers[index % 2],
            title=f"{kind} {index}",
            lines=[{"product": product.pk, "quantity": "1"}],
        )
        if index % 3 == 0:
            services.agreement_sign(user=owner, agreement=agreement)


# session, user, shares, count, totals, the menu's permissions (2), the owner filter, page
LIST_QUERIES = 9


@pytest.mark.parametrize("kind", ["contract", "order"])
@pytest.mark.parametrize("size", [2, 12])
def test_list_query_count_does_not_grow(
    size, kind, org, client_as, make_customer, make_product, django_assert_max_num_queries
):
    fill(org, make_customer, make_product, kind, size)
    client = client_as(org.manager1)
    url = reverse(f"{kind}-list")

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(url, {"page_size": 50, "sort": "customer__name"})
    assert len(response.context["page"].object_list) == size


# session, user, shares, the agreement, the edit share, lines, plans, permissions,
# payments, invoices, attachments, history (2 per table), the users it names, and the
# order's stock and shipping panel (its lines, slips and shipments)
DETAIL_QUERIES = 19


@pytest.mark.parametrize("size", [2, 12])
def test_detail_query_count_does_not_grow(
    size,
    org,
    client_as,
    grant,
    make_customer,
    make_product,
    django_assert_max_num_queries,
):
    customer = make_customer(org.sales1)
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )
    products = [make_product(org.boss, code=f"Q{n}") for n in range(size)]
    order = services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=customer,
        title="Big",
        lines=[{"product": p.pk, "quantity": "1"} for p in products],
    )
    for number in range(size):
        services.agreement_update(
            user=org.manager1,
            agreement=order,
            title=f"Big {number}",
            owner=org.sales2 if number % 2 else org.sales1,  # the history names users
        )
        services.attachment_add(
            user=org.sales1,
            agreement=order,
            upload=SimpleUploadedFile(f"{number}.pdf", PDF, content_type="application/pdf"),
        )
    services.agreement_sign(user=org.sales1, agreement=order)
    method = option(org.company, "payment_method", "bank_transfer")
    invoice_type = option(org.company, "invoice_type", "vat_ordinary")
    for number in range(size):
        plan = finance_services.plan_create(
            user=org.sales1,
            agreement=order,
            due_on=date.today() + timedelta(days=number - 5),
            amount="5.00",
        )
        payment = finance_services.payment_record(
            user=org.boss,
            agreement=order,
            amount="5.00",
            paid_on=date.today(),
            method=method,
            plan=plan,
        )
        if number % 2:
            finance_services.payment_reverse(user=org.boss, payment=payment, reason="x")
        else:
            finance_services.invoice_create(
                user=org.boss,
                agreement=order,
                number=f"FP{number}",
                type=invoice_type.pk,
                amount="5.00",
                issued_on=date.today(),
            )
    for user in (org.manager1, grant(org.sales4, "see_costs", "finance")):
        client = client_as(user)
        client.get(order.get_absolute_url())

        with django_assert_max_num_queries(DETAIL_QUERIES):
            response = client.get(order.get_absolute_url())
        assert len(response.context["lines"]) == size
        assert len(response.context["payments"]) == size + size // 2
        assert len(response.context["history"]) == min(20, 2 * size + 2)


def test_the_operator_admin_shows_agreements_read_only_money(matrix_case, client):
    from banyan.accounts.models import User

    _customer, order, _product, _attachment, _users = matrix_case
    operator = User.objects.create_superuser("operator", "Operator-pass-2026")
    client.force_login(operator, backend="banyan.accounts.backends.CompanyUserBackend")

    assert client.get(reverse("admin:agreements_agreement_changelist")).status_code == 200
    page = client.get(reverse("admin:agreements_agreement_change", args=[order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="amount"' not in html and 'name="paid_amount"' not in html
    assert order.number in html
