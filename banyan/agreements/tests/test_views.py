"""Contract and order pages: the lists, the forms (lines as a formset), the agreement view,
its status steps, cancelling, deleting, attachments, history; the module switches; the
visibility matrix; query counts."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services
from banyan.agreements.models import Agreement, AgreementAttachment, AgreementLine
from banyan.core.tests.hostile_files import PE_STUB, small_pdf
from banyan.customers import services as customer_services
from banyan.finance import services as finance_services

CENT = Decimal("0.01")
PDF = small_pdf()


def option(company, kind, code):
    return DictionaryOption.objects.get(company=company, kind=kind, code=code)


def fen(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def state(agreement):
    """Everything a refused request must leave as it was."""
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (
        agreement.number,
        agreement.title,
        agreement.status,
        agreement.owner_id,
        agreement.signed_on,
        agreement.discount_percent,
        agreement.amount,
        agreement.cancel_reason,
        list(
            AgreementLine.objects.filter(agreement=agreement)
            .order_by("position")
            .values_list("product_id", "unit_price", "quantity", "discount_percent")
        ),
        AgreementAttachment.objects.filter(agreement=agreement).count(),
    )


def management(total, initial=0, prefix="lines") -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def line_data(lines, initial=0) -> dict:
    """The lines' formset as the page posts it."""
    data = management(len(lines), initial)
    for index, line in enumerate(lines):
        for field in ("product", "quantity", "unit_price", "discount_percent", "description"):
            data[f"lines-{index}-{field}"] = str(line.get(field, ""))
        if line.get("DELETE"):
            data[f"lines-{index}-DELETE"] = "on"
    return data


def header(customer=None, **fields) -> dict:
    data = {
        "number": "",
        "title": "Annual purchase",
        "owner": "",
        "signed_on": "",
        "starts_on": "",
        "ends_on": "",
        "terms": "",
        "discount_percent": "",
    }
    if customer is not None:
        data["customer"] = customer.pk
    data.update(fields)
    return data


@pytest.fixture
def catalogue(org, make_product):
    return {
        "consulting": make_product(
            org.boss, code="S-CONS", name="咨询服务", kind="service", list_price="5000.00"
        ),
        "training": make_product(
            org.boss, code="S-TRAIN", name="培训", kind="service", list_price="800.00"
        ),
        "server": make_product(
            org.boss, code="H-SRV", name="服务器", list_price="23999.00", cost="18000.00"
        ),
        "switch": make_product(
            org.boss, code="H-SW", name="交换机", list_price="3499.50", cost="2100.00"
        ),
    }


@pytest.fixture
def customer(org, make_customer):
    return make_customer(org.sales1, name="沃力科技")


def order_for(user, customer, catalogue, **fields):
    fields.setdefault("title", "Servers")
    fields.setdefault(
        "lines",
        [
            {"product": catalogue["server"].pk, "quantity": "2"},
            {"product": catalogue["switch"].pk, "quantity": "1", "discount_percent": "10"},
        ],
    )
    return services.agreement_create(user=user, kind="order", customer=customer, **fields)


def contract_for(user, customer, catalogue, **fields):
    fields.setdefault("title", "Consulting")
    fields.setdefault("lines", [{"product": catalogue["consulting"].pk, "quantity": "1"}])
    return services.agreement_create(user=user, kind="contract", customer=customer, **fields)


# --- create and edit ------------------------------------------------------------------------


def test_a_rep_creates_an_order_with_two_discounted_lines(org, client_as, customer, catalogue):
    client = client_as(org.sales1)
    url = reverse("order-create") + f"?customer={customer.pk}"

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{customer.pk}" selected>' in html
    assert f'value="{catalogue["server"].pk}" data-price="23999.00"' in html
    assert "js/agreements.js" in html and "<script>" not in html
    response = client.post(
        url,
        {
            **header(customer, discount_percent="5", signed_on="2026-03-01"),
            **line_data(
                [
                    {"product": catalogue["server"].pk, "quantity": "3", "discount_percent": "10"},
                    {
                        "product": catalogue["switch"].pk,
                        "quantity": "7",
                        "unit_price": "333.33",
                        "discount_percent": "12.5",
                        "description": "Rack switches",
                    },
                    {},  # an empty row is left out
                ]
            ),
        },
    )

    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    first = fen(Decimal("23999.00") * 3 * Decimal("0.90"))  # 64797.30
    second = fen(Decimal("333.33") * 7 * Decimal("0.875"))  # 2041.646… → 2041.65
    assert (first, second) == (Decimal("64797.30"), Decimal("2041.65"))
    assert agreement.lines_total == first + second
    assert agreement.amount == fen((first + second) * Decimal("0.95")) == Decimal("63497.00")
    assert (agreement.kind, agreement.status, agreement.owner, agreement.customer) == (
        "order",
        "draft",
        org.sales1,
        customer,
    )
    assert agreement.number.startswith("DD") and agreement.signed_on == date(2026, 3, 1)
    lines = list(agreement.lines.order_by("position"))
    assert [(line.product, line.unit_price, line.description) for line in lines] == [
        (catalogue["server"], Decimal("23999.00"), "服务器"),
        (catalogue["switch"], Decimal("333.33"), "Rack switches"),
    ]
    detail = client.get(agreement.get_absolute_url()).content.decode()
    assert "¥63,497.00" in detail and "¥66,838.95" in detail


def test_a_contract_refuses_a_physical_product_and_keeps_what_was_typed(
    org, client_as, customer, catalogue
):
    client = client_as(org.sales1)
    page = client.get(reverse("contract-create")).content.decode()
    assert f'<option value="{catalogue["consulting"].pk}" data-price="5000.00">' in page
    assert f'<option value="{catalogue["server"].pk}"' not in page  # services only
    data = {
        **header(customer, title="维保合同", terms="Thirty days"),
        **line_data(
            [
                {"product": catalogue["consulting"].pk, "quantity": "2"},
                {"product": catalogue["server"].pk, "quantity": "4", "description": "机柜"},
            ]
        ),
    }

    response = client.post(reverse("contract-create"), data)

    assert response.status_code == 200
    html = response.content.decode()
    errors = html[html.index('id="line-errors"') :]
    errors = errors[: errors.index("</div>\n")]
    assert (
        "Line 2, product: 服务器 is a physical product: a contract sells services only "
        "(put it on an order)" in errors
    )
    assert 'value="维保合同"' in html and "Thirty days" in html and 'value="机柜"' in html
    consulting, server = catalogue["consulting"].pk, catalogue["server"].pk
    assert f'<option value="{consulting}" selected data-price="5000.00">' in html
    assert f'<option value="{server}" selected data-price="23999.00">' in html  # as chosen
    assert Agreement.objects.count() == 0


def test_a_contract_refuses_six_lines_and_keeps_them(org, client_as, customer, catalogue):
    client = client_as(org.sales1)
    rows = [
        {"product": catalogue["training"].pk, "quantity": str(n + 1), "description": f"Day {n}"}
        for n in range(6)
    ]

    response = client.post(reverse("contract-create"), {**header(customer), **line_data(rows)})

    assert response.status_code == 200
    assert response.context["form"].line_errors == ["A contract has at most 5 lines."]
    html = response.content.decode()
    assert "A contract has at most 5 lines." in html
    for n in range(6):
        assert f'value="Day {n}"' in html
    assert Agreement.objects.count() == 0


def test_line_and_header_errors_name_their_field(org, client_as, customer, catalogue):
    client = client_as(org.sales1)

    response = client.post(
        reverse("order-create"),
        {
            **header(customer, title="", discount_percent="120", ends_on="2026-01-01"),
            **line_data(
                [
                    {"product": catalogue["server"].pk, "quantity": "abc"},
                    {"product": catalogue["switch"].pk, "quantity": "1", "unit_price": "-3"},
                ]
            ),
            "starts_on": "2026-02-01",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["title"] == ["This field is required."]
    assert Agreement.objects.count() == 0
    # with the title given, the service's rules speak
    response = client.post(
        reverse("order-create"),
        {
            **header(customer, discount_percent="120", ends_on="2026-01-01"),
            **line_data(
                [
                    {"product": catalogue["server"].pk, "quantity": "abc"},
                    {"product": catalogue["switch"].pk, "quantity": "1", "unit_price": "-3"},
                ]
            ),
            "starts_on": "2026-02-01",
        },
    )
    form = response.context["form"]
    assert form.errors["discount_percent"] == ["Enter a percentage from 0 to 100."]
    assert form.errors["ends_on"] == ["The end date comes before the start date."]
    assert form.line_errors == [
        "Line 1, quantity: Enter a quantity, e.g. 2 or 1.5.",
        "Line 2, unit price: The amount cannot be negative.",
    ]
    assert 'value="abc"' in response.content.decode()
    assert Agreement.objects.count() == 0


def test_add_a_line_without_javascript_keeps_everything(org, client_as, customer, catalogue):
    client = client_as(org.sales1)
    data = {
        **header(customer, title="Keep me"),
        **line_data([{"product": catalogue["server"].pk, "quantity": "5"}]),
        "add_line": "1",
    }

    response = client.post(reverse("order-create"), data)

    assert response.status_code == 200
    assert response.context["lines"].total_form_count() == 2
    html = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="2"' in html
    assert 'value="Keep me"' in html and 'name="lines-0-quantity" value="5"' in html
    assert 'id="id_lines-1-product"' in html
    assert "This field is required." not in html
    assert Agreement.objects.count() == 0


def test_the_customer_select_offers_only_customers_the_user_may_edit(
    org, client_as, make_customer, customer
):
    viewed = make_customer(org.sales3, name="只读客户")
    customer_services.customer_share(
        user=org.sales3, customer=viewed, target=org.sales1, level="view"
    )
    edited = make_customer(org.sales3, name="可改客户")
    customer_services.customer_share(
        user=org.sales3, customer=edited, target=org.sales1, level="edit"
    )
    make_customer(org.sales2, name="同事客户")

    form = client_as(org.sales1).get(reverse("order-create")).context["form"]

    assert {c.name for c in form.fields["customer"].queryset} == {"沃力科技", "可改客户"}


def test_the_create_page_of_a_customer_one_may_not_edit(org, client_as, make_customer):
    viewed = make_customer(org.sales3)
    customer_services.customer_share(
        user=org.sales3, customer=viewed, target=org.sales1, level="view"
    )
    client = client_as(org.sales1)

    assert client.get(reverse("order-create"), {"customer": viewed.pk}).status_code == 403
    assert client.get(reverse("order-create"), {"customer": "abc"}).status_code == 404
    hidden = make_customer(org.sales2)
    assert client.get(reverse("order-create"), {"customer": hidden.pk}).status_code == 404


def test_editing_a_draft_changes_lines_in_place_and_the_history_shows_it(
    org, client_as, customer, catalogue
):
    order = order_for(org.sales1, customer, catalogue)
    client = client_as(org.sales1)
    url = reverse("agreement-edit", args=[order.pk])
    lines = list(order.lines.order_by("position"))

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["lines"].total_form_count() == 3  # two lines and an empty row
    response = client.post(
        url,
        {
            **header(number=order.number, title="Servers, revised", owner=org.sales1.pk),
            **line_data(
                [
                    {"product": catalogue["server"].pk, "quantity": "3", "unit_price": "23999.00"},
                    {"product": catalogue["switch"].pk, "quantity": "1", "DELETE": True},
                    {},
                ],
                initial=2,
            ),
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.title, order.amount) == ("Servers, revised", Decimal("71997.00"))
    assert list(order.lines.values_list("pk", "quantity")) == [(lines[0].pk, Decimal("3.00"))]
    html = client.get(order.get_absolute_url()).content.decode()
    history = html[html.index('id="history"') :]
    assert "changed the line 服务器" in history
    assert "Quantity:</span> <del>2.00</del> → <ins" in history
    assert "removed the line 交换机" in history
    assert "Title:</span> <del>Servers</del>" in history
    assert history.index("changed the line") < history.index(f"created {order.number}")


def test_a_signed_agreement_edits_its_header_only(org, client_as, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    services.agreement_sign(user=org.sales1, agreement=order, signed_on="2026-01-05")
    client = client_as(org.sales1)
    url = reverse("agreement-edit", args=[order.pk])

    page = client.get(url)
    assert page.context["lines"] is None
    assert "discount_percent" not in page.context["form"].fields
    assert "fixed once the agreement is signed" in page.content.decode()
    response = client.post(
        url,
        {
            **header(number="HT-2026-01", title="Renamed", owner=org.sales1.pk),
            "signed_on": "2026-01-06",
            **line_data([{"product": catalogue["switch"].pk, "quantity": "9"}]),
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.number, order.title, order.signed_on) == (
        "HT-2026-01",
        "Renamed",
        date(2026, 1, 6),
    )
    assert order.lines.count() == 2  # the posted lines were not taken

    other = order_for(org.sales1, customer, catalogue)
    response = client.post(
        reverse("agreement-edit", args=[other.pk]),
        {**header(number="HT-2026-01", title="Clash", owner=org.sales1.pk), **line_data([])},
    )
    assert response.context["form"].errors["number"] == ["The number HT-2026-01 is already used."]


def test_a_closed_agreement_has_no_edit_page(org, client_as, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    services.agreement_cancel(user=org.sales1, agreement=order, reason="Lost to a rival")

    response = client_as(org.sales1).get(reverse("agreement-edit", args=[order.pk]))

    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()


# --- status steps, cancel, delete ---------------------------------------------------------


def test_the_status_steps_through_the_page(org, client_as, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    client = client_as(org.sales1)
    url = reverse("agreement-status", args=[order.pk])

    html = client.get(order.get_absolute_url()).content.decode()
    assert 'id="sign-form"' in html and 'id="start-agreement"' not in html
    before = state(order)
    response = client.post(url, {"step": "start"}, follow=True)
    assert "This agreement is Draft: it cannot be Executing now." in response.content.decode()
    assert state(order) == before
    response = client.post(url, {"step": "sign", "signed_on": "someday"}, follow=True)
    assert "Signing date: Enter a date such as 2026-06-30." in response.content.decode()
    assert client.post(url, {"step": "jump"}).status_code == 302
    assert state(order) == before

    assert client.post(url, {"step": "sign", "signed_on": "2026-04-01"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.signed_on) == ("signed", date(2026, 4, 1))
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'id="start-agreement"' in html and 'id="sign-form"' not in html
    assert 'id="delete-agreement"' not in html

    client.post(url, {"step": "start"})
    order.refresh_from_db()
    assert order.status == "executing"
    client.post(url, {"step": "complete"})
    order.refresh_from_db()
    assert order.status == "completed"
    html = client.get(order.get_absolute_url()).content.decode()
    assert 'id="agreement-actions"' not in html
    history = html[html.index('id="history"') :]
    assert "Status:</span> <del>Executing</del> → <ins" in history


def test_cancel_needs_a_reason(org, client_as, customer, catalogue):
    contract = contract_for(org.sales1, customer, catalogue)
    client = client_as(org.sales1)
    url = reverse("agreement-cancel", args=[contract.pk])
    before = state(contract)

    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert state(contract) == before

    response = client.post(url, {"reason": "客户预算取消"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.cancel_reason) == ("cancelled", "客户预算取消")
    html = client.get(contract.get_absolute_url()).content.decode()
    assert "客户预算取消" in html and 'id="edit-agreement"' not in html
    response = client.post(url, {"reason": "again"})
    assert response.context["form"].errors == {
        "__all__": ["This agreement is Cancelled: it cannot be cancelled."]
    }


def test_cancel_is_refused_while_money_is_booked(org, client_as, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    services.agreement_sign(user=org.sales1, agreement=order)
    finance_services.payment_record(
        user=org.boss,
        agreement=order,
        amount="100.00",
        paid_on="2026-02-01",
        method=option(org.company, "payment_method", "bank_transfer"),
    )
    before = state(order)

    response = client_as(org.sales1).post(
        reverse("agreement-cancel", args=[order.pk]), {"reason": "Mistake"}
    )

    assert response.status_code == 200
    assert "Money is booked on this agreement" in response.content.decode()
    assert "Mistake</textarea>" in response.content.decode()
    assert state(order) == before


def test_delete_a_draft_only(org, client_as, customer, catalogue):
    draft = order_for(org.sales1, customer, catalogue)
    signed = order_for(org.sales1, customer, catalogue)
    services.agreement_sign(user=org.sales1, agreement=signed)
    client = client_as(org.sales1)

    assert client.get(reverse("agreement-delete", args=[draft.pk])).status_code == 405
    response = client.post(reverse("agreement-delete", args=[signed.pk]), follow=True)
    assert "Only a draft can be deleted: cancel the agreement instead." in (
        response.content.decode()
    )
    assert Agreement.objects.filter(pk=signed.pk).exists()
    response = client.post(reverse("agreement-delete", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("order-list")
    assert not Agreement.objects.filter(pk=draft.pk).exists()


def test_signing_through_the_page_turns_a_potential_customer_regular(
    org, client_as, make_customer, catalogue
):
    potential = option(org.company, "customer_type", "potential")
    prospect = make_customer(org.sales1, name="潜在客户公司", type=potential.pk)
    customer_services.customer_set_hot(user=org.sales1, customer=prospect, is_hot=True)
    contract = contract_for(org.sales1, prospect, catalogue)
    client = client_as(org.sales1)

    response = client.post(
        reverse("agreement-status", args=[contract.pk]), {"step": "sign", "signed_on": ""}
    )

    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.type.code, prospect.is_hot) == ("regular", False)
    contract.refresh_from_db()
    assert contract.signed_on == timezone.localdate()  # no date given: today
    page = client.get(prospect.get_absolute_url()).content.decode()
    assert "Regular customer" in page


def test_signing_keeps_the_type_when_the_company_turned_the_rule_off(
    org, client_as, make_customer, catalogue
):
    org.company.signing_makes_regular = False
    org.company.save()
    potential = option(org.company, "customer_type", "potential")
    prospect = make_customer(org.sales1, type=potential.pk)
    contract = contract_for(org.sales1, prospect, catalogue)

    client_as(org.sales1).post(reverse("agreement-status", args=[contract.pk]), {"step": "sign"})

    prospect.refresh_from_db()
    assert prospect.type.code == "potential"


# --- the agreement view --------------------------------------------------------------------


def test_costs_and_gross_profit_only_for_those_who_see_costs(
    org, client_as, grant, customer, catalogue
):
    order = order_for(
        org.sales1,
        customer,
        catalogue,
        lines=[{"product": catalogue["server"].pk, "quantity": "2"}],
    )
    services.agreement_update(
        user=org.sales1,
        agreement=order,
        lines=[{"product": catalogue["server"].pk, "quantity": "3"}],
    )

    html = client_as(org.sales1).get(order.get_absolute_url()).content.decode()
    for absent in ("Unit cost", "Gross profit", "unit-cost-heading", "18,000.00", "17,997.00"):
        assert absent not in html, absent

    costly = grant(org.sales1, "see_costs")
    html = client_as(costly).get(order.get_absolute_url()).content.decode()
    assert "Unit cost" in html and "Gross profit" in html
    assert "¥18,000.00" in html  # the unit cost
    assert "¥17,997.00" in html  # 71997.00 − 3 × 18000.00


def test_the_money_figures_plans_payments_and_invoices(org, client_as, grant, customer, catalogue):
    order = order_for(
        org.sales1,
        customer,
        catalogue,
        lines=[{"product": catalogue["switch"].pk, "quantity": "2", "unit_price": "5000"}],
    )
    services.agreement_sign(user=org.sales1, agreement=order)
    past = date.today() - timedelta(days=40)
    first = finance_services.plan_create(
        user=org.sales1, agreement=order, due_on=past, amount="4000.00", note="首付"
    )
    overdue = finance_services.plan_create(
        user=org.sales1, agreement=order, due_on=past, amount="1000.00", note="逾期"
    )
    upcoming = finance_services.plan_create(
        user=org.sales1,
        agreement=order,
        due_on=date.today() + timedelta(days=10),
        amount="5000.00",
    )
    method = option(org.company, "payment_method", "bank_transfer")
    payment = finance_services.payment_record(
        user=org.boss, agreement=order, amount="4000.00", paid_on=past, method=method, plan=first
    )
    mistake = finance_services.payment_record(
        user=org.boss, agreement=order, amount="300.00", paid_on=past, method=method
    )
    reversal = finance_services.payment_reverse(user=org.boss, payment=mistake, reason="Typo")
    finance_services.invoice_create(
        user=org.boss,
        agreement=order,
        number="FP-0001",
        type=option(org.company, "invoice_type", "vat_special").pk,
        amount="1500.00",
        issued_on=past,
    )

    response = client_as(org.sales1).get(order.get_absolute_url())
    money = response.context["money"]
    assert (money.amount, money.paid, money.receivable, money.invoiced, money.uninvoiced) == (
        Decimal("10000.00"),
        Decimal("4000.00"),
        Decimal("6000.00"),
        Decimal("1500.00"),
        Decimal("2500.00"),
    )
    assert money.next_due_plan == upcoming
    assert response.context["overdue_ids"] == {overdue.pk}
    html = response.content.decode()
    assert f'<tr id="plan-{overdue.pk}" class="table-danger">' in html
    plan_row = html[html.index(f'id="plan-{first.pk}"') :]
    assert "Covered" in plan_row[: plan_row.index("</tr>")]
    reversal_row = html[html.index(f'id="payment-{reversal.pk}"') :]
    reversal_row = reversal_row[: reversal_row.index("</tr>")]
    assert f"of payment #{mistake.pk}" in reversal_row and "¥-300.00" in reversal_row
    assert "FP-0001" in html
    assert f'id="payment-{payment.pk}"' in html
    # the rep is not finance: no money actions
    assert 'id="record-payment"' not in html and 'id="add-invoice"' not in html


def test_finance_links_follow_the_finance_permission(org, client_as, grant, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    services.agreement_sign(user=org.sales1, agreement=order)
    finance_services.plan_create(
        user=org.sales1, agreement=order, due_on=date.today(), amount="100.00"
    )

    rep = client_as(org.sales1).get(order.get_absolute_url()).content.decode()
    finance = client_as(grant(org.manager1, "finance")).get(order.get_absolute_url())
    finance = finance.content.decode()

    assert "Record payment" not in rep
    try:
        payment_create = reverse("payment-create", args=[order.pk])
    except Exception:  # the finance pages are not there yet
        return
    assert payment_create in finance and payment_create not in rep
    assert reverse("invoice-create", args=[order.pk]) in finance
    assert reverse("plan-create", args=[order.pk]) in rep


def test_attachments_upload_download_delete(org, other_org, client_as, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    client = client_as(org.sales1)
    add = reverse("agreement-attachment-add", args=[order.pk])

    response = client.post(
        add,
        {"file": SimpleUploadedFile("签字版.pdf", PDF, content_type="application/pdf")},
        follow=True,
    )
    assert "签字版.pdf is attached." in response.content.decode()
    attachment = AgreementAttachment.objects.get()
    assert (attachment.name, attachment.size, attachment.uploaded_by) == (
        "签字版.pdf",
        len(PDF),
        org.sales1,
    )

    download = client.get(reverse("agreement-attachment-download", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "%E7%AD%BE%E5%AD%97%E7%89%88.pdf" in download["Content-Disposition"]

    other_client = client_as(other_org.boss)
    assert (
        other_client.get(reverse("agreement-attachment-download", args=[attachment.pk])).status_code
        == 404
    )
    assert (
        other_client.post(reverse("agreement-attachment-delete", args=[attachment.pk])).status_code
        == 404
    )

    response = client.post(
        reverse("agreement-attachment-delete", args=[attachment.pk]), follow=True
    )
    assert "签字版.pdf has been removed." in response.content.decode()
    assert AgreementAttachment.objects.count() == 0


def test_attachments_are_checked_by_content_and_size(org, client_as, customer, catalogue):
    order = order_for(org.sales1, customer, catalogue)
    client = client_as(org.sales1)
    add = reverse("agreement-attachment-add", args=[order.pk])

    fake = SimpleUploadedFile("contract.pdf", b"just some text", content_type="application/pdf")
    response = client.post(add, {"file": fake}, follow=True)
    assert (
        "File: contract.pdf is not really a PDF file: its content does not match its name."
        in response.content.decode()
    )

    big = SimpleUploadedFile(
        "scan.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(add, {"file": big}, follow=True)
    assert "File: The file is larger than 10 MB." in response.content.decode()

    response = client.post(add, {}, follow=True)
    assert "File: Choose a file to attach." in response.content.decode()
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    response = client.post(add, {"file": exe}, follow=True)
    assert "Attach a file of one of these types" in response.content.decode()
    disguised = SimpleUploadedFile(
        "合同.pdf", b"%PDF-1.7\n" + PE_STUB + PDF, content_type="application/pdf"
    )
    response = client.post(add, {"file": disguised}, follow=True)
    assert (
        "File: 合同.pdf contains a program; programs are not accepted as attachments."
        in response.content.decode()
    )
    assert AgreementAttachment.objects.count() == 0


def test_a_missing_agreement_or_attachment_is_a_404(org, client_as):
    client = client_as(org.sales1)

    for name in ("agreement-detail", "agreement-edit", "agreement-cancel"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse("agreement-attachment-download", args=[999999])).status_code == 404
    assert client.get("/agreements/99999999999999999999/").status_code == 404


# --- lists ----------------------------------------------------------------------------------


def test_contracts_and_orders_have_separate_lists(org, client_as, customer, catalogue):
    contract = contract_for(org.sales1, customer, catalogue, title="维护合同")
    order = order_for(org.sales1, customer, catalogue, title="设备订单")
    client = client_as(org.manager1)

    contracts = client.get(reverse("contract-list"))
    orders = client.get(reverse("order-list"))

    assert [a.pk for a in contracts.context["page"].object_list] == [contract.pk]
    assert [a.pk for a in orders.context["page"].object_list] == [order.pk]
    assert "维护合同" in contracts.content.decode() and "设备订单" not in contracts.content.decode()
    assert contracts.context["totals"].amount == Decimal("5000.00")
    nav = [item.key for item in contracts.context["nav_main"]]
    assert "contracts" in nav and "orders" in nav


def test_list_search_filters_sort_and_totals(org, client_as, make_customer, catalogue):
    north = make_customer(org.sales1, name="北方电力")
    south = make_customer(org.sales2, name="南方航空")
    first = order_for(org.sales1, north, catalogue, title="Alpha")  # 50148.55
    second = order_for(
        org.sales2,
        south,
        catalogue,
        title="Beta",
        lines=[{"product": catalogue["switch"].pk, "quantity": "1"}],
    )
    services.agreement_sign(user=org.sales2, agreement=second, signed_on="2026-05-20")
    finance_services.payment_record(
        user=org.boss,
        agreement=second,
        amount="3499.50",
        paid_on="2026-05-21",
        method=option(org.company, "payment_method", "bank_transfer"),
    )
    cancelled = order_for(org.sales1, north, catalogue, title="Gamma")
    services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="No")
    client = client_as(org.manager1)
    url = reverse("order-list")

    def listed(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [a.title for a in response.context["page"].object_list]

    assert listed(q="南方") == ["Beta"]
    assert listed(q=first.number) == ["Alpha"]
    assert listed(status="signed") == ["Beta"]
    assert listed(status="not_cancelled", sort="title") == ["Alpha", "Beta"]
    assert listed(owner=org.sales1.pk, sort="title") == ["Alpha", "Gamma"]
    assert listed(signed_from="2026-05-01", signed_to="2026-05-31") == ["Beta"]
    assert listed(receivable="yes") == ["Alpha"]
    assert listed(receivable="no", sort="title") == ["Beta", "Gamma"]
    assert listed(sort="-amount") == ["Gamma", "Alpha", "Beta"]  # ties: newest first
    assert len(listed(owner="99999999999999999999")) == 3  # a key too big: not applied
    assert listed(status="nonsense", owner="x", signed_from="soon", page_size="7") == [
        "Gamma",
        "Beta",
        "Alpha",
    ]

    totals = client.get(url).context["totals"]
    assert (totals.count, totals.amount, totals.paid, totals.receivable) == (
        2,
        first.amount + Decimal("3499.50"),
        Decimal("3499.50"),
        first.amount,
    )
    html = client.get(url).content.decode()
    footer = html[html.index('id="agreement-totals"') :]
    assert f"¥{first.amount + Decimal('3499.50'):,.2f}" in footer


def test_a_module_the_company_does_not_use_is_gone(org, client_as, customer, catalogue):
    contract = contract_for(org.sales1, customer, catalogue)
    order = order_for(org.sales1, customer, catalogue)
    org.company.uses_contracts = False
    org.company.save()
    client = client_as(org.sales1)

    assert client.get(reverse("contract-list")).status_code == 404
    assert client.get(reverse("contract-create")).status_code == 404
    assert client.get(contract.get_absolute_url()).status_code == 404
    assert client.get(reverse("order-list")).status_code == 200
    assert client.get(order.get_absolute_url()).status_code == 200
    home = client.get(reverse("home"))
    nav = [item.key for item in home.context["nav_main"]]
    assert "contracts" not in nav and "orders" in nav
    page = client.get(customer.get_absolute_url())
    panel = next(p for p in page.context["panels"] if p["key"] == "agreements")
    assert order.number in panel["html"] and contract.number not in panel["html"]
    assert reverse("contract-create") not in panel["html"]

    org.company.uses_orders = False
    org.company.save()
    assert client.get(reverse("order-list")).status_code == 404
    assert client.get(reverse("order-create")).status_code == 404
    nav = [item.key for item in client.get(reverse("home")).context["nav_main"]]
    assert "orders" not in nav
    page = client.get(customer.get_absolute_url())
    assert "agreements" not in [p["key"] for p in page.context["panels"]]


def test_the_history_shows_a_line_cost_only_to_those_who_see_costs(
    org, client_as, grant, customer, catalogue
):
    order = order_for(org.sales1, customer, catalogue, lines=[{"product": catalogue["server"].pk}])
    services.agreement_update(
        user=org.sales1, agreement=order, lines=[{"product": catalogue["switch"].pk}]
    )

    def history(user):
        html = client_as(user).get(order.get_absolute_url()).content.decode()
        return html[html.index('id="history"') :]

    plain = history(org.sales1)
    assert "Product:</span> <del>H-SRV 服务器</del> → <ins" in plain
    assert "H-SW 交换机" in plain and "Unit price:" in plain
    assert "Unit cost" not in plain and "18000.00" not in plain
    costly = history(grant(org.manager1, "see_costs"))
    assert "Unit cost:</span> <del>18000.00</del>" in costly


def test_cancel_and_delete_show_exactly_where_the_service_accepts_them(
    org, client_as, customer, catalogue
):
    """Cancel is offered while no money is booked on the agreement, Delete on a draft with
    no payment plan: exactly where the services accept them; pressing them works."""
    from banyan.agreements import selectors
    from banyan.core.errors import DomainError

    paid = order_for(org.sales1, customer, catalogue)
    services.agreement_sign(user=org.sales1, agreement=paid)
    finance_services.payment_record(
        user=org.boss,
        agreement=paid,
        amount="100.00",
        paid_on="2026-02-01",
        method=option(org.company, "payment_method", "bank_transfer"),
    )
    planned = order_for(org.sales1, customer, catalogue)
    finance_services.plan_create(
        user=org.sales1, agreement=planned, due_on="2026-03-01", amount="10.00"
    )
    signed = order_for(org.sales1, customer, catalogue)
    services.agreement_sign(user=org.sales1, agreement=signed)
    draft = order_for(org.sales1, customer, catalogue)
    client = client_as(org.sales1)

    def page(agreement) -> str:
        return client.get(agreement.get_absolute_url()).content.decode()

    cancel_paid = reverse("agreement-cancel", args=[paid.pk])
    html = page(paid)
    assert cancel_paid not in html and "Money is booked on this agreement" in html
    with pytest.raises(DomainError):
        services.agreement_cancel(user=org.sales1, agreement=paid, reason="Mistake")
    assert reverse("agreement-delete", args=[planned.pk]) not in page(planned)
    assert selectors.agreement_delete_refusal(planned) is not None
    with pytest.raises(DomainError):
        services.agreement_delete(user=org.sales1, agreement=planned)

    cancel_signed = reverse("agreement-cancel", args=[signed.pk])
    assert cancel_signed in page(signed)
    assert client.post(cancel_signed, {"reason": "客户预算取消"}).status_code == 302
    assert Agreement.objects.get(pk=signed.pk).status == "cancelled"
    delete_draft = reverse("agreement-delete", args=[draft.pk])
    assert delete_draft in page(draft)
    assert client.post(delete_draft).status_code == 302
    assert not Agreement.objects.filter(pk=draft.pk).exists()
