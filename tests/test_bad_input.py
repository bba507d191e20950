"""Ids a key cannot hold, in query strings and bodies, are a clear 400 or an empty answer:
never a 500 from the database driver."""

import pytest

TOO_BIG = "99999999999999999999"

LISTS = {
    "/activities/": ["customer"],
    "/api/v1/customers/": ["type", "source", "industry", "owner"],
    "/api/v1/contacts/": ["customer"],
    "/api/v1/activities/": ["customer", "type", "owner"],
    "/api/v1/tasks/": ["customer", "assignee"],
    "/api/v1/work-summaries/": ["customer", "author"],
    "/api/v1/opportunities/": ["customer", "stage", "owner"],
    "/api/v1/users/": ["superior"],
    "/products/": ["category"],
    "/contracts/": ["owner", "customer", "team"],
    "/orders/": ["owner", "customer"],
    "/finance/plans/": ["owner", "customer"],
    "/finance/payments/": ["owner", "customer", "method", "team"],
    "/finance/invoices/": ["customer", "type"],
    "/api/v1/products/": ["category"],
    "/api/v1/product-categories/": ["parent"],
    "/api/v1/agreements/": ["customer", "owner"],
    "/api/v1/payment-plans/": ["agreement", "customer"],
    "/api/v1/payments/": ["agreement", "customer", "owner", "method"],
    "/api/v1/invoices/": ["agreement", "customer", "type"],
    "/api/v1/shipments/": ["agreement"],
}
# Pages and endpoints of a company that uses inventory.
INVENTORY_LISTS = {
    "/inventory/stock/": ["warehouse"],
    "/inventory/slips/": ["warehouse"],
    "/api/v1/stock/": ["warehouse", "product"],
    "/api/v1/stock-slips/": ["warehouse", "agreement"],
    "/api/v1/purchase-orders/": ["supplier", "warehouse"],
}


@pytest.mark.parametrize(
    ("url", "param"), [(url, param) for url, params in LISTS.items() for param in params]
)
def test_an_id_too_big_for_a_key_is_refused_or_finds_nothing(client_as, org, url, param):
    response = client_as(org.sales1).get(url, {param: TOO_BIG})
    assert response.status_code in (200, 400)
    if response.status_code == 400 and url.startswith("/api/"):
        assert param in response.json()


@pytest.mark.parametrize(
    ("url", "param"),
    [(url, param) for url, params in INVENTORY_LISTS.items() for param in params],
)
def test_inventory_ids_too_big_for_a_key_are_refused_or_find_nothing(
    client_as, org, grant, url, param
):
    org.company.uses_inventory = True
    org.company.save()
    keeper = grant(org.sales_boss, "warehouse_keeper", "purchasing")
    response = client_as(keeper).get(url, {param: TOO_BIG})
    assert response.status_code in (200, 400)
    if response.status_code == 400 and url.startswith("/api/"):
        assert param in response.json()


def test_a_body_id_too_big_is_a_400_naming_the_field(api_as, org, make_customer):
    customer = make_customer(org.sales1)
    response = api_as(org.sales1).post(
        f"/api/v1/customers/{customer.pk}/share/", {"user": TOO_BIG, "level": "view"}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()


# --- amounts and quantities ---------------------------------------------------------------
# Every form and endpoint that takes money or a quantity reads it through core.values: what a
# DecimalField(14, 2) cannot hold is a message on the field, never a decimal.InvalidOperation.

HOSTILE_NUMBERS = [
    "1e30",
    "1e+30",
    "1e-30",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "-1e30",
    "1e999999",
    "9" * 40,
    "1" * 29,
    "0." + "0" * 40 + "1",
]
# Numbers people really type: read, or refused with a message, but never a 500.
ODD_NUMBERS = ["-0", "１２３", "1,000.5", " 12 "]
REFUSALS = (
    "Enter an amount",
    "The amount cannot be negative",
    "Enter a quantity",
    "Give at most two decimal places",
    "Enter a percentage",
    "Ensure this value has at most",
)


def _world(org, grant, make_customer, make_product, make_agreement):
    """What the money and stock forms need: a signed order, finance, products, stock."""
    from types import SimpleNamespace

    from banyan.accounts.models import Company
    from banyan.agreements import services as agreement_services
    from banyan.finance import services as finance_services
    from banyan.inventory import services as inventory_services
    from banyan.purchasing import services as purchasing_services

    Company.objects.filter(pk=org.company.pk).update(uses_inventory=True)
    boss = grant(org.boss, "finance", "manage_products", "see_costs", "purchasing")
    keeper = grant(org.sales_boss, "warehouse_keeper")
    product = make_product(boss, code="SCREW", list_price="10.00", tracks_stock=True)
    customer = make_customer(org.sales1, name="沃力科技")
    deal = make_agreement(org.sales1, customer, lines=[{"product": product.pk, "quantity": "1"}])
    deal = agreement_services.agreement_sign(user=org.sales1, agreement=deal)
    plan = finance_services.plan_create(
        user=org.sales1, agreement=deal, due_on="2031-01-31", amount="5.00"
    )
    warehouse = inventory_services.warehouse_create(user=boss, name="上海仓", keepers=[keeper.pk])
    inventory_services.initial_stock(
        user=keeper, warehouse=warehouse, lines=[{"product": product.pk, "quantity": "10"}]
    )
    supplier = purchasing_services.supplier_create(user=boss, name="华信")
    order = purchasing_services.purchase_order_create(
        user=boss,
        supplier=supplier.pk,
        warehouse=warehouse.pk,
        lines=[{"product": product.pk, "quantity": "3"}],
    )
    order = purchasing_services.purchase_order_place(user=boss, order=order)
    stocktake = inventory_services.stocktake_start(user=keeper, warehouse=warehouse)
    return SimpleNamespace(
        org=org,
        boss=boss,
        keeper=keeper,
        product=product,
        customer=customer,
        deal=deal,
        plan=plan,
        warehouse=warehouse,
        supplier=supplier,
        order=order,
        order_line=order.lines.get(),
        stocktake=stocktake,
        stocktake_line=stocktake.lines.get(),
    )


@pytest.fixture
def world(org, grant, make_customer, make_product, make_agreement):
    return _world(org, grant, make_customer, make_product, make_agreement)


def _lines(prefix="lines", **row):
    data = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"}
    data.update({f"{prefix}-0-{key}": value for key, value in row.items()})
    return data


def _method(world):
    from banyan.accounts.models import DictionaryOption

    return DictionaryOption.objects.get(
        company=world.org.company, kind="payment_method", code="bank_transfer"
    ).pk


def _invoice_type(world):
    from banyan.accounts.models import DictionaryOption

    return DictionaryOption.objects.get(
        company=world.org.company, kind="invoice_type", code="receipt"
    ).pk


# (name, who, url, POST data with the number as `v`)
PAGE_FORMS = {
    "payment plan": lambda w: (
        w.org.sales1,
        f"/agreements/{w.deal.pk}/plans/new/",
        lambda v: {"due_on": "2031-02-28", "amount": v},
    ),
    "payment plan edit": lambda w: (
        w.org.sales1,
        f"/payment-plans/{w.plan.pk}/edit/",
        lambda v: {"due_on": "2031-02-28", "amount": v},
    ),
    "payment": lambda w: (
        w.boss,
        f"/agreements/{w.deal.pk}/payments/new/",
        lambda v: {
            "paid_on": "2026-01-05",
            "amount": v,
            "method": _method(w),
            "owner": w.org.sales1.pk,
            "confirm_overpayment": "on",
        },
    ),
    "invoice": lambda w: (
        w.boss,
        f"/agreements/{w.deal.pk}/invoices/new/",
        lambda v: {
            "number": "No.1",
            "type": _invoice_type(w),
            "title": "沃力科技",
            "amount": v,
            "issued_on": "2026-01-05",
        },
    ),
    "product list price": lambda w: (
        w.boss,
        "/products/new/",
        lambda v: {"code": "NEW", "name": "新品", "kind": "physical", "list_price": v},
    ),
    "product cost": lambda w: (
        w.boss,
        f"/products/{w.product.pk}/edit/",
        lambda v: {
            "code": "SCREW",
            "name": "螺丝",
            "kind": "physical",
            "list_price": "10",
            "cost": v,
            "tracks_stock": "on",
        },
    ),
    "product low-stock threshold": lambda w: (
        w.boss,
        f"/products/{w.product.pk}/edit/",
        lambda v: {
            "code": "SCREW",
            "name": "螺丝",
            "kind": "physical",
            "list_price": "10",
            "tracks_stock": "on",
            "low_stock_threshold": v,
        },
    ),
    "target payment amount": lambda w: (
        w.boss,
        "/targets/set/",
        lambda v: {
            "target_user": w.org.sales1.pk,
            "month": "2026-11",
            "payment_amount": v,
            "contract_amount": "1",
        },
    ),
    "target contract amount": lambda w: (
        w.boss,
        "/targets/set/",
        lambda v: {
            "target_user": w.org.sales1.pk,
            "month": "2026-11",
            "payment_amount": "1",
            "contract_amount": v,
        },
    ),
    "order line quantity": lambda w: (
        w.org.sales1,
        "/orders/new/",
        lambda v: {
            "customer": w.customer.pk,
            "title": "T",
            **_lines(product=w.product.pk, quantity=v),
        },
    ),
    "order line price": lambda w: (
        w.org.sales1,
        "/orders/new/",
        lambda v: {
            "customer": w.customer.pk,
            "title": "T",
            **_lines(product=w.product.pk, quantity="1", unit_price=v),
        },
    ),
    "order line discount": lambda w: (
        w.org.sales1,
        "/orders/new/",
        lambda v: {
            "customer": w.customer.pk,
            "title": "T",
            **_lines(product=w.product.pk, quantity="1", discount_percent=v),
        },
    ),
    "order whole discount": lambda w: (
        w.org.sales1,
        "/orders/new/",
        lambda v: {
            "customer": w.customer.pk,
            "title": "T",
            "discount_percent": v,
            **_lines(product=w.product.pk, quantity="1"),
        },
    ),
    "stock slip quantity": lambda w: (
        w.keeper,
        "/inventory/slips/new/?kind=inbound",
        lambda v: {
            "warehouse": w.warehouse.pk,
            "reason": "样品",
            **_lines(product=w.product.pk, quantity=v),
        },
    ),
    "initial stock quantity": lambda w: (
        w.keeper,
        f"/inventory/warehouses/{w.warehouse.pk}/initial-stock/",
        lambda v: {"note": "开账", **_lines(product=w.product.pk, quantity=v)},
    ),
    "stocktake count": lambda w: (
        w.keeper,
        f"/inventory/stocktakes/{w.stocktake.pk}/",
        lambda v: {
            f"counted_{w.stocktake_line.pk}": v,
            f"reason_{w.stocktake_line.pk}": "盘点",
        },
    ),
    "purchase order quantity": lambda w: (
        w.boss,
        "/purchasing/orders/new/",
        lambda v: {
            "supplier": w.supplier.pk,
            "warehouse": w.warehouse.pk,
            **_lines(product=w.product.pk, quantity=v),
        },
    ),
    "purchase order price": lambda w: (
        w.boss,
        "/purchasing/orders/new/",
        lambda v: {
            "supplier": w.supplier.pk,
            "warehouse": w.warehouse.pk,
            **_lines(product=w.product.pk, quantity="1", unit_price=v),
        },
    ),
    "purchase order receipt": lambda w: (
        w.boss,
        f"/purchasing/orders/{w.order.pk}/receive/",
        lambda v: {f"quantity_{w.order_line.pk}": v},
    ),
}


def _records():
    """Everything the money and stock forms could write, to compare after a refusal."""
    from banyan.agreements.models import Agreement
    from banyan.finance.models import Invoice, Payment, PaymentPlan
    from banyan.inventory.models import StockMovement, StockSlip, StocktakeLine
    from banyan.products.models import Product
    from banyan.purchasing.models import PurchaseOrder
    from banyan.targets.models import SalesTarget

    return (
        Agreement.objects.count(),
        list(PaymentPlan.objects.values_list("pk", "amount")),
        Payment.objects.count(),
        Invoice.objects.count(),
        list(Product.objects.values_list("pk", "list_price", "cost", "low_stock_threshold")),
        list(SalesTarget.objects.values_list("pk", "payment_amount", "contract_amount")),
        StockSlip.objects.count(),
        StockMovement.objects.count(),
        list(StocktakeLine.objects.values_list("pk", "counted_quantity")),
        PurchaseOrder.objects.count(),
    )


@pytest.mark.parametrize("form", list(PAGE_FORMS))
def test_numbers_a_money_or_quantity_field_cannot_hold_are_a_message_on_the_form(
    client_as, world, form
):
    user, url, data = PAGE_FORMS[form](world)
    client = client_as(user)
    before = _records()
    for value in HOSTILE_NUMBERS:
        response = client.post(url, data(value))

        assert response.status_code in (200, 400), (value, response.status_code)
        html = response.content.decode().lower()
        assert any(refusal.lower() in html for refusal in REFUSALS), value
        assert _records() == before, value
    for value in ODD_NUMBERS:
        assert client.post(url, data(value)).status_code in (200, 302), value


# (who, url, JSON body with the number as `v`, the field the answer must name)
API_BODIES = {
    "payment plan": lambda w: (
        w.org.sales1,
        "/api/v1/payment-plans/",
        lambda v: {"agreement": w.deal.pk, "due_on": "2031-02-28", "amount": v},
        "amount",
    ),
    "payment": lambda w: (
        w.boss,
        "/api/v1/payments/",
        lambda v: {
            "agreement": w.deal.pk,
            "paid_on": "2026-01-05",
            "amount": v,
            "method": _method(w),
            "confirm_overpayment": True,
        },
        "amount",
    ),
    "invoice": lambda w: (
        w.boss,
        "/api/v1/invoices/",
        lambda v: {
            "agreement": w.deal.pk,
            "number": "No.1",
            "type": _invoice_type(w),
            "title": "沃力科技",
            "amount": v,
            "issued_on": "2026-01-05",
        },
        "amount",
    ),
    "product list price": lambda w: (
        w.boss,
        "/api/v1/products/",
        lambda v: {"code": "NEW", "name": "新品", "kind": "physical", "list_price": v},
        "list_price",
    ),
    "product cost": lambda w: (
        w.boss,
        "/api/v1/products/",
        lambda v: {"code": "NEW", "name": "新品", "kind": "physical", "list_price": "1", "cost": v},
        "cost",
    ),
    "product low-stock threshold": lambda w: (
        w.boss,
        "/api/v1/products/",
        lambda v: {
            "code": "NEW",
            "name": "新品",
            "kind": "physical",
            "list_price": "1",
            "tracks_stock": True,
            "low_stock_threshold": v,
        },
        "low_stock_threshold",
    ),
    "target": lambda w: (
        w.boss,
        "/api/v1/targets/",
        lambda v: {
            "user": w.org.sales1.pk,
            "month": "2026-11",
            "payment_amount": v,
            "contract_amount": "1",
        },
        "payment_amount",
    ),
    "agreement line quantity": lambda w: (
        w.org.sales1,
        "/api/v1/agreements/",
        lambda v: {
            "kind": "order",
            "customer": w.customer.pk,
            "title": "T",
            "lines": [{"product": w.product.pk, "quantity": v}],
        },
        "lines",
    ),
    "agreement line price": lambda w: (
        w.org.sales1,
        "/api/v1/agreements/",
        lambda v: {
            "kind": "order",
            "customer": w.customer.pk,
            "title": "T",
            "lines": [{"product": w.product.pk, "quantity": "1", "unit_price": v}],
        },
        "lines",
    ),
    "agreement line discount": lambda w: (
        w.org.sales1,
        "/api/v1/agreements/",
        lambda v: {
            "kind": "order",
            "customer": w.customer.pk,
            "title": "T",
            "lines": [{"product": w.product.pk, "quantity": "1", "discount_percent": v}],
        },
        "lines",
    ),
    "stock slip": lambda w: (
        w.keeper,
        "/api/v1/stock-slips/",
        lambda v: {
            "kind": "inbound",
            "warehouse": w.warehouse.pk,
            "reason": "样品",
            "lines": [{"product": w.product.pk, "quantity": v}],
        },
        "lines",
    ),
    "purchase order": lambda w: (
        w.boss,
        "/api/v1/purchase-orders/",
        lambda v: {
            "supplier": w.supplier.pk,
            "warehouse": w.warehouse.pk,
            "lines": [{"product": w.product.pk, "quantity": "1", "unit_price": v}],
        },
        "lines",
    ),
    "purchase order receipt": lambda w: (
        w.boss,
        f"/api/v1/purchase-orders/{w.order.pk}/receive/",
        lambda v: {"lines": [{"line": w.order_line.pk, "quantity": v}]},
        "lines",
    ),
    "stocktake count": lambda w: (
        w.keeper,
        f"/api/v1/stocktakes/{w.stocktake.pk}/count/",
        lambda v: {"counts": [{"line": w.stocktake_line.pk, "counted": v, "reason": "盘点"}]},
        "counts",
    ),
    "opportunity": lambda w: (
        w.org.sales1,
        "/api/v1/opportunities/",
        lambda v: {"customer": w.customer.pk, "name": "扩容", "expected_amount": v},
        "expected_amount",
    ),
}
# The same numbers written as JSON numbers rather than strings (NaN and Infinity are not JSON).
JSON_NUMBERS = ["1e30", "-1e30", "1e-30", "1e999999", "9" * 40, "NaN", "Infinity", "-Infinity"]


@pytest.mark.parametrize("endpoint", list(API_BODIES))
def test_numbers_a_money_or_quantity_field_cannot_hold_are_a_400_naming_the_field(
    api_as, world, endpoint
):
    import json

    user, url, body, field = API_BODIES[endpoint](world)
    api = api_as(user)
    before = _records()
    for value in HOSTILE_NUMBERS:
        response = api.post(url, body(value), format="json")

        assert response.status_code == 400, (value, response.status_code)
        assert field in response.json(), (value, response.json())
    for literal in JSON_NUMBERS:
        raw = json.dumps(body("§")).replace('"§"', literal)
        response = api.post(url, raw, content_type="application/json")

        assert response.status_code == 400, (literal, response.status_code)
    assert _records() == before
    for value in ODD_NUMBERS:
        assert api.post(url, body(value), format="json").status_code in (200, 201, 400), value


# --- where a form returns -----------------------------------------------------------------
# `next` is only ever a path on this site: anything else falls back to the page's default.

BAD_NEXT = [
    "abc",  # a view name redirect() would try to reverse
    "home",
    "//evil.example",
    "https://evil.example/",
    "http://testserver.evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\r\nSet-Cookie: a=b",
    "javascript:alert(1)",
    " /customers/",
]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_a_logged_in_user_on_the_login_page_goes_home_whatever_next_says(client_as, org, target):
    from django.urls import reverse

    response = client_as(org.sales1).get("/login/", {"next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_follows_a_next_path_on_the_site_only(client, org):
    from django.urls import reverse

    def log_in(target):
        client.logout()
        body = {
            "company": "alpha",
            "username": "sales1",
            "password": "Banyan-test-2026",
            "captcha_0": "test-key",
            "captcha_1": "PASSED",
            "next": target,
        }
        return client.post("/login/", body)

    assert log_in("/customers/?page=2")["Location"] == "/customers/?page=2"
    for target in BAD_NEXT:
        response = log_in(target)
        assert response.status_code == 302, target
        assert response["Location"] == reverse("home"), target


@pytest.mark.parametrize("target", BAD_NEXT)
def test_marking_a_task_done_with_a_bad_next_marks_it_and_returns_to_the_tasks(
    client_as, org, target
):
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from banyan.activities import services as activity_services
    from banyan.activities.models import Task

    task = activity_services.task_create(
        user=org.sales1, subject="回电话", due_at=timezone.now() + datetime.timedelta(days=1)
    )

    response = client_as(org.sales1).post(f"/tasks/{task.pk}/done/", {"next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("task-list")
    assert Task.objects.get(pk=task.pk).done_at is not None


# --- the ends of the calendar -------------------------------------------------------------
# A date at the end of Python's range is a clear answer (clamped, or a 400 naming the
# parameter), never an OverflowError from a day added or a time zone converted.

EXTREME_DATES = ["9999-12-31", "0001-01-01", "9999-12", "0001-01", "10000-01-01", "0000-00-00"]
EXTREME_INSTANTS = [
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+08:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-12:00",
]
DATE_QUERIES = {
    "/activities/": ["date_from", "date_to"],
    "/contracts/": ["signed_from", "signed_to"],
    "/finance/plans/": ["due_from", "due_to"],
    "/finance/payments/": ["paid_from", "paid_to"],
    "/finance/invoices/": ["issued_from", "issued_to"],
    "/opportunities/": ["close_from", "close_to"],
    "/targets/": ["month"],
    "/api/v1/activities/": ["occurred_after", "occurred_before"],
    "/api/v1/tasks/": ["due_after", "due_before"],
    "/api/v1/customers/": ["contacted_after", "contacted_before"],
    "/api/v1/agreements/": ["signed_from", "signed_to"],
    "/api/v1/payment-plans/": ["due_from", "due_to"],
    "/api/v1/payments/": ["paid_from", "paid_to"],
    "/api/v1/invoices/": ["issued_from", "issued_to"],
    "/api/v1/targets/": ["month"],
}


@pytest.mark.parametrize(
    ("url", "param"), [(url, param) for url, params in DATE_QUERIES.items() for param in params]
)
def test_dates_at_the_ends_of_the_calendar_in_a_query_are_refused_or_find_nothing(
    client_as, api_as, grant, org, url, param
):
    user = grant(org.boss, "finance")
    client = api_as(user) if url.startswith("/api/") else client_as(user)
    for value in EXTREME_DATES + EXTREME_INSTANTS:
        response = client.get(url, {param: value})

        assert response.status_code in (200, 400), (value, response.status_code)
        if response.status_code == 400 and url.startswith("/api/"):
            assert param in response.json(), value


@pytest.mark.parametrize("view", ["week", "day"])
@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("9999-12-31", "9998-12-31"),
        ("0001-01-01", "1900-01-01"),
        ("1899-12-31", "1900-01-01"),
        ("2026-06-15", "2026-06-15"),
    ],
)
def test_the_calendar_shows_the_nearest_day_it_can_for_a_date_at_the_ends(
    client_as, org, view, asked, shown
):
    response = client_as(org.sales1).get("/calendar/", {"date": asked, "view": view})

    assert response.status_code == 200
    assert response.context["day"].isoformat() == shown
    for link in ("previous", "next"):
        assert response.context[link] >= "1900-01-01"
        assert response.context[link] <= "9998-12-31"


def test_instants_at_the_ends_of_the_calendar_are_refused_on_their_field(
    client_as, api_as, org, make_customer
):
    from banyan.accounts.models import DictionaryOption
    from banyan.activities.models import Activity, Task

    customer = make_customer(org.sales1)
    call = DictionaryOption.objects.get(company=org.company, kind="activity_type", code="call")
    client, api = client_as(org.sales1), api_as(org.sales1)
    later = "2031-01-01T09:00"
    for value in EXTREME_INSTANTS:
        typed = value[:16]  # what a datetime-local input sends
        pages = [
            ("/tasks/new/", {"subject": "a", "due_at": typed}, "due_at"),
            ("/tasks/new/", {"subject": "a", "due_at": later, "remind_at": typed}, "remind_at"),
            (
                f"/customers/{customer.pk}/activities/new/",
                {"type": call.pk, "subject": "a", "occurred_at": typed},
                "occurred_at",
            ),
        ]
        for url, data, field in pages:
            response = client.post(url, data)
            assert response.status_code == 200, (value, url, response.status_code)
            assert response.context["form"].errors[field] == [
                "Enter a date from 1900-01-01 to 9998-12-31."
            ], (value, field)
        bodies = [
            ("/api/v1/tasks/", {"subject": "a", "due_at": value}, "due_at"),
            ("/api/v1/tasks/", {"subject": "a", "due_at": later, "remind_at": value}, "remind_at"),
            (
                "/api/v1/activities/",
                {"customer": customer.pk, "type": call.pk, "subject": "a", "occurred_at": value},
                "occurred_at",
            ),
        ]
        for url, body, field in bodies:
            response = api.post(url, body, format="json")
            assert response.status_code == 400, (value, url, response.status_code)
            assert field in response.json(), (value, response.json())
    assert not Task.objects.exists() and not Activity.objects.exists()
