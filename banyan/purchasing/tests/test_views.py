"""Purchasing pages: suppliers and purchase orders, who may see and change them, purchase prices
absent without the see-costs permission, draft-only edits, placing and receiving into stock
through an inbound slip a keeper confirms, form errors, tenant isolation and query counts.

Who is who (company A uses inventory):
- buyer: director2 with the purchasing permission, without costs;
- costed_buyer: manager2 with purchasing and see costs;
- keeper: sales_boss, keeper of 上海总仓 (reads purchasing, changes nothing);
- vice_boss: a boss without admin rights, costs or purchasing (reads);
- rep: sales1, no special permission (403 everywhere).
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from banyan.accounts.models import Company, User
from banyan.core.navigation import items_for
from banyan.inventory import services as inventory_services
from banyan.inventory.models import StockLevel, StockSlip
from banyan.purchasing import services
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier

D = Decimal


def fresh(user) -> User:
    """The user as a new request would load them (their company's switches as they are now)."""
    return User.objects.get(pk=user.pk)


def build(org, grant, make_product):
    Company.objects.filter(pk=org.company.pk).update(uses_inventory=True)
    keeper = grant(org.sales_boss, "warehouse_keeper")
    switch = make_product(
        org.boss, code="SW-01", name="交换机", cost="73.45", tracks_stock=True, unit="台"
    )
    cable = make_product(org.boss, code="CB-01", name="网线", cost="2.50", tracks_stock=True)
    service = make_product(org.boss, code="SV-01", name="安装服务", kind="service")
    warehouse = inventory_services.warehouse_create(
        user=fresh(org.boss), name="上海总仓", keepers=[keeper.pk]
    )
    buyer = grant(org.director2, "purchasing")
    return SimpleNamespace(
        org=org,
        buyer=buyer,
        costed_buyer=grant(org.manager2, "purchasing", "see_costs"),
        keeper=keeper,
        vice_boss=fresh(org.vice_boss),
        rep=fresh(org.sales1),
        warehouse=warehouse,
        supplier=services.supplier_create(user=buyer, name="华信网络设备", contact_name="黄志明"),
        switch=switch,
        cable=cable,
        service=service,
    )


@pytest.fixture
def buy(org, grant, make_product):
    return build(org, grant, make_product)


@pytest.fixture
def other(other_org, grant, make_product):
    """Company B, built the same way: none of it may show or be usable in company A."""
    return build(other_org, grant, make_product)


def new_order(buy, user=None, lines=None, **fields):
    """A draft of 3 交换机 at 73.45 (cost) and 200 网线 at 2.50 (cost): 220.35 + 500.00."""
    return services.purchase_order_create(
        user=user or buy.buyer,
        supplier=buy.supplier.pk,
        warehouse=buy.warehouse.pk,
        lines=lines
        or [
            {"product": buy.switch.pk, "quantity": "3"},
            {"product": buy.cable.pk, "quantity": "200"},
        ],
        **fields,
    )


def placed_order(buy, **kwargs):
    return services.purchase_order_place(user=buy.buyer, order=new_order(buy, **kwargs))


def line_of(order, product) -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(purchase_order=order, product=product)


def snapshot(order) -> tuple:
    order.refresh_from_db()
    return (
        order.status,
        order.supplier_id,
        order.warehouse_id,
        order.amount,
        order.ordered_on,
        order.note,
        list(
            PurchaseOrderLine.objects.filter(purchase_order=order)
            .order_by("position")
            .values_list("product_id", "quantity", "unit_price", "received_quantity")
        ),
        StockSlip.objects.filter(purchase_order=order).count(),
    )


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def order_form_data(buy, *, lines=(), **header) -> dict:
    """POST data of the purchase order form: the header, then the rows of `lines`."""
    data = {
        "supplier": str(buy.supplier.pk),
        "warehouse": str(buy.warehouse.pk),
        "ordered_on": "",
        "expected_on": "",
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        **header,
    }
    for number, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{number}-{key}"] = value
    return data


# --- who sees what ------------------------------------------------------------------------

PAGES = [
    ("supplier-list", False),
    ("supplier-detail", "supplier"),
    ("purchase-order-list", False),
    ("purchase-order-detail", "order"),
]


def test_a_rep_is_refused_every_page_with_the_reason(buy, client_as):
    order = new_order(buy)
    client = client_as(buy.rep)
    for name, target in PAGES:
        args = [] if not target else [buy.supplier.pk if target == "supplier" else order.pk]
        response = client.get(reverse(name, args=args))
        assert response.status_code == 403, name
        assert "Only purchasing staff, warehouse keepers and bosses" in response.content.decode()
    for name in ("supplier-create", "purchase-order-create"):
        assert client.get(reverse(name)).status_code == 403
    before = snapshot(order)
    assert client.post(reverse("purchase-order-place", args=[order.pk])).status_code == 403
    assert snapshot(order) == before


@pytest.mark.parametrize("who", ["keeper", "vice_boss"])
def test_keepers_and_bosses_read_but_change_nothing(buy, client_as, who):
    user = getattr(buy, who)
    order = new_order(buy)
    client = client_as(user)

    listing = client.get(reverse("purchase-order-list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert order.number in html
    assert reverse("purchase-order-create") not in html
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "交换机" in detail
    assert reverse("purchase-order-edit", args=[order.pk]) not in detail
    assert reverse("purchase-order-place", args=[order.pk]) not in detail
    suppliers = client.get(reverse("supplier-list")).content.decode()
    assert "华信网络设备" in suppliers and reverse("supplier-create") not in suppliers
    assert client.get(buy.supplier.get_absolute_url()).status_code == 200

    before = snapshot(order)
    for name in ("supplier-create", "purchase-order-create"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "Only purchasing staff may do this." in response.content.decode()
    assert client.get(reverse("supplier-edit", args=[buy.supplier.pk])).status_code == 403
    assert client.get(reverse("purchase-order-edit", args=[order.pk])).status_code == 403
    response = client.post(reverse("supplier-create"), {"name": "偷偷加的"})
    assert response.status_code == 403
    assert not Supplier.objects.filter(name="偷偷加的").exists()
    for action in ("place", "cancel", "receive"):
        response = client.post(reverse(f"purchase-order-{action}", args=[order.pk]))
        assert response.status_code == 403, action
        assert "Only purchasing staff may do this." in response.content.decode()
    assert snapshot(order) == before


def test_the_menu_shows_purchasing_to_those_who_see_it(buy, org):
    def keys(user):
        return [item.key for item in items_for(fresh(user))]

    for user in (buy.buyer, buy.keeper, buy.vice_boss, org.boss):
        assert {"purchasing", "suppliers"} <= set(keys(user))
    assert "purchasing" not in keys(buy.rep) and "suppliers" not in keys(buy.rep)
    item = next(item for item in items_for(fresh(buy.buyer)) if item.key == "purchasing")
    assert (item.url, item.icon, item.order) == (reverse("purchase-order-list"), "truck", 65)

    Company.objects.filter(pk=org.company.pk).update(uses_inventory=False)
    assert "purchasing" not in keys(buy.buyer) and "suppliers" not in keys(buy.buyer)


def test_pages_are_gone_when_the_company_does_not_use_inventory(buy, org, client_as):
    order = new_order(buy)
    Company.objects.filter(pk=org.company.pk).update(uses_inventory=False)
    client = client_as(fresh(buy.buyer))
    assert client.get(reverse("purchase-order-list")).status_code == 404
    assert client.get(reverse("supplier-list")).status_code == 404
    assert client.get(order.get_absolute_url()).status_code == 404


def test_another_companys_records_are_not_found(buy, other, client_as):
    theirs = new_order(other)
    services.purchase_order_place(user=other.buyer, order=theirs)
    before = snapshot(theirs)
    client = client_as(buy.buyer)

    for name, pk in [
        ("supplier-detail", other.supplier.pk),
        ("supplier-edit", other.supplier.pk),
        ("purchase-order-detail", theirs.pk),
        ("purchase-order-edit", theirs.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    for action in ("place", "cancel", "receive"):
        response = client.post(reverse(f"purchase-order-{action}", args=[theirs.pk]))
        assert response.status_code == 404, action
    assert client.post(
        reverse("supplier-edit", args=[other.supplier.pk]), {"name": "改名"}
    ).status_code == (404)
    assert client.get(
        reverse("purchase-order-create"), {"supplier": other.supplier.pk}
    ).status_code == (404)
    assert snapshot(theirs) == before
    assert Supplier.objects.get(pk=other.supplier.pk).name == "华信网络设备"

    mine = new_order(buy)
    listing = client.get(reverse("purchase-order-list")).content.decode()
    assert mine.number in listing
    assert f'id="purchase-order-{theirs.pk}"' not in listing
    suppliers = client.get(reverse("supplier-list"))
    assert [s.pk for s in suppliers.context["page"].object_list] == [buy.supplier.pk]
    # Their supplier or warehouse cannot be chosen on a new order either.
    response = client.post(
        reverse("purchase-order-create"),
        order_form_data(
            buy,
            supplier=str(other.supplier.pk),
            warehouse=str(other.warehouse.pk),
            lines=[{"product": str(other.switch.pk), "quantity": "1"}],
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"supplier", "warehouse"}
    assert PurchaseOrder.objects.filter(company=buy.org.company).count() == 1


# --- purchase prices are costs ------------------------------------------------------------


def test_purchase_prices_are_absent_without_the_see_costs_permission(buy, client_as):
    order = new_order(buy)  # 3 × 73.45 = 220.35 and 200 × 2.50 = 500.00: 720.35
    history_change = services.purchase_order_update(
        user=buy.costed_buyer,
        order=order,
        lines=[{"product": buy.switch.pk, "quantity": "3", "unit_price": "73.45"}],
    )
    assert history_change.amount == D("220.35")
    priced = ("73.45", "220.35", "720.35", "2.50", "Purchase price", "Amount")

    for user in (buy.buyer, buy.keeper, buy.vice_boss):
        client = client_as(user)
        pages = [
            client.get(reverse("purchase-order-list")),
            client.get(order.get_absolute_url()),
            client.get(buy.supplier.get_absolute_url()),
        ]
        if user == buy.buyer:
            pages += [
                client.get(reverse("purchase-order-create")),
                client.get(reverse("purchase-order-edit", args=[order.pk])),
            ]
        for response in pages:
            assert response.status_code == 200
            html = response.content.decode()
            for text in priced:
                assert text not in html, (user.username, response.request["PATH_INFO"], text)
            assert "unit_price" not in html
    form = client_as(buy.buyer).get(reverse("purchase-order-create")).context["lines"]
    assert "unit_price" not in form.forms[0].fields

    client = client_as(buy.costed_buyer)
    listing = client.get(reverse("purchase-order-list")).content.decode()
    assert "Amount" in listing and "¥220.35" in listing
    detail = client.get(order.get_absolute_url()).content.decode()
    assert "Purchase price" in detail and "¥73.45" in detail and "¥220.35" in detail
    assert "720.35" in detail  # the amount as it was, in the history
    edit = client.get(reverse("purchase-order-edit", args=[order.pk])).content.decode()
    assert 'name="lines-0-unit_price"' in edit and 'value="73.45"' in edit
    supplier = client.get(buy.supplier.get_absolute_url()).content.decode()
    assert "¥220.35" in supplier


def test_a_buyer_without_costs_buys_at_the_products_cost(buy, client_as):
    client = client_as(buy.buyer)
    response = client.post(
        reverse("purchase-order-create"),
        order_form_data(
            buy,
            note="急用",
            expected_on="2026-12-20",
            lines=[
                # A price sent anyway is not a field of theirs: ignored, the cost is taken.
                {"product": str(buy.switch.pk), "quantity": "3", "unit_price": "1.00"},
                {"product": "", "quantity": ""},
                {"product": str(buy.cable.pk), "quantity": "10"},
            ],
        ),
    )

    order = PurchaseOrder.objects.get(company=buy.org.company)
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert (order.status, order.note, order.expected_on.isoformat(), order.amount) == (
        "draft",
        "急用",
        "2026-12-20",
        D("245.35"),
    )
    assert list(
        order.lines.order_by("position").values_list("product__code", "quantity", "unit_price")
    ) == [("SW-01", D("3.00"), D("73.45")), ("CB-01", D("10.00"), D("2.50"))]


def test_a_buyer_with_costs_sets_purchase_prices(buy, client_as):
    response = client_as(buy.costed_buyer).post(
        reverse("purchase-order-create") + f"?supplier={buy.supplier.pk}",
        order_form_data(
            buy,
            lines=[
                {"product": str(buy.switch.pk), "quantity": "2", "unit_price": "70.10"},
                {"product": str(buy.cable.pk), "quantity": "4", "unit_price": ""},
            ],
        ),
    )

    assert response.status_code == 302
    order = PurchaseOrder.objects.get(company=buy.org.company)
    assert order.amount == D("150.20")  # 140.20 + 4 × 2.50 (cost)
    assert order.created_by == buy.costed_buyer


# --- forms --------------------------------------------------------------------------------


def test_the_order_form_keeps_what_was_typed_when_refused(buy, client_as):
    client = client_as(buy.costed_buyer)
    response = client.post(
        reverse("purchase-order-create"),
        order_form_data(
            buy,
            supplier="",
            ordered_on="2026-13-45",
            note="第一批",
            lines=[
                {"product": str(buy.switch.pk), "quantity": "2.5", "unit_price": "abc"},
                {"product": str(buy.service.pk), "quantity": "1"},
            ],
        ),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.keys() == {"supplier", "ordered_on"}
    html = response.content.decode()
    assert "Choose an active supplier from the list." in html
    assert "第一批" in html and 'value="2.5"' in html and 'value="abc"' in html
    assert f'<option value="{buy.switch.pk}" selected>' in html
    assert not PurchaseOrder.objects.exists()

    # The header is fine now: the service judges the lines and names them.
    response = client.post(
        reverse("purchase-order-create"),
        order_form_data(
            buy,
            note="第一批",
            lines=[
                {"product": str(buy.switch.pk), "quantity": "2.5", "unit_price": "abc"},
                {"product": str(buy.service.pk), "quantity": "1"},
            ],
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].line_errors == [
        "Line 1: Enter an amount, e.g. 12000.00.",
        "Line 2: 安装服务 is a service: only goods are purchased.",
    ]
    html = response.content.decode()
    assert 'id="line-errors"' in html and "第一批" in html and 'value="abc"' in html
    assert f'<option value="{buy.service.pk}" selected>' in html
    assert not PurchaseOrder.objects.exists()


def test_add_a_line_without_javascript_keeps_the_form(buy, client_as):
    response = client_as(buy.buyer).post(
        reverse("purchase-order-create"),
        {
            **order_form_data(
                buy, note="备注", lines=[{"product": str(buy.cable.pk), "quantity": "7"}]
            ),
            "add_line": "1",
        },
    )

    assert response.status_code == 200
    assert len(response.context["lines"].forms) == 2
    html = response.content.decode()
    assert "备注" in html and 'value="7"' in html
    assert "js/inventory.js" in html and "<script>" not in html
    assert not PurchaseOrder.objects.exists()


def test_supplier_pages_add_edit_and_keep_input(buy, client_as):
    client = client_as(buy.buyer)
    response = client.post(
        reverse("supplier-create"),
        {"name": "华信网络设备", "contact_name": "陈静", "email": "not-an-email", "phone": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["There is already a supplier of that name."],
        "email": ["Enter a valid e-mail address."],
    }
    html = response.content.decode()
    assert "陈静" in html and "not-an-email" in html
    assert Supplier.objects.filter(company=buy.org.company).count() == 1

    response = client.post(
        reverse("supplier-create"),
        {"name": " 佳印  办公 ", "contact_name": "陈静", "phone": "021-64726688"},
    )
    supplier = Supplier.objects.get(name="佳印 办公")
    assert response.status_code == 302 and response["Location"] == supplier.get_absolute_url()
    assert flashed(client.get(response["Location"])) == ["Supplier 佳印 办公 has been added."]

    response = client.post(
        reverse("supplier-edit", args=[supplier.pk]),
        {"name": "佳印办公设备", "contact_name": "陈静", "is_active": ""},
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert (supplier.name, supplier.is_active) == ("佳印办公设备", False)

    listing = client.get(reverse("supplier-list"), {"active": "no"})
    assert [s.name for s in listing.context["page"].object_list] == ["佳印办公设备"]
    listing = client.get(reverse("supplier-list"), {"q": "黄志明", "active": "yes"})
    assert [s.name for s in listing.context["page"].object_list] == ["华信网络设备"]
    # An inactive supplier cannot be chosen for a new order.
    form = client.get(reverse("purchase-order-create")).context["form"]
    assert str(supplier.pk) not in dict(form.fields["supplier"].choices)


def test_the_supplier_page_lists_its_purchase_orders(buy, client_as):
    order = new_order(buy)
    other_supplier = services.supplier_create(user=buy.buyer, name="佳印")
    elsewhere = services.purchase_order_create(
        user=buy.buyer,
        supplier=other_supplier.pk,
        warehouse=buy.warehouse.pk,
        lines=[{"product": buy.cable.pk, "quantity": "1"}],
    )

    response = client_as(buy.buyer).get(buy.supplier.get_absolute_url())

    assert [o.pk for o in response.context["page"].object_list] == [order.pk]
    html = response.content.decode()
    assert order.number in html and elsewhere.number not in html
    assert f"{reverse('purchase-order-create')}?supplier={buy.supplier.pk}" in html


def test_the_list_filters_by_status_supplier_warehouse_and_search(buy, client_as):
    draft = new_order(buy)
    placed = placed_order(buy)
    other_supplier = services.supplier_create(user=buy.buyer, name="佳印")
    beijing = inventory_services.warehouse_create(user=fresh(buy.org.boss), name="北京仓")
    elsewhere = services.purchase_order_create(
        user=buy.buyer,
        supplier=other_supplier.pk,
        warehouse=beijing.pk,
        lines=[{"product": buy.cable.pk, "quantity": "1"}],
    )
    client = client_as(buy.keeper)

    def numbers(**query):
        response = client.get(reverse("purchase-order-list"), query)
        assert response.status_code == 200
        return {o.number for o in response.context["page"].object_list}

    assert numbers() == {draft.number, placed.number, elsewhere.number}
    assert numbers(status="ordered") == {placed.number}
    assert numbers(supplier=other_supplier.pk) == {elsewhere.number}
    assert numbers(warehouse=buy.warehouse.pk) == {draft.number, placed.number}
    assert numbers(q="佳印") == {elsewhere.number}
    assert numbers(q=placed.number) == {placed.number}
    # Filters that make no sense are not applied, never a 500.
    assert numbers(status="nonsense", supplier="9" * 30, sort="password") == {
        draft.number,
        placed.number,
        elsewhere.number,
    }


# --- from draft to received ---------------------------------------------------------------


def test_only_a_draft_is_edited(buy, client_as):
    order = new_order(buy, note="旧")
    client = client_as(buy.buyer)
    edit_url = reverse("purchase-order-edit", args=[order.pk])

    response = client.get(edit_url)
    assert response.status_code == 200
    assert [f.initial["quantity"] for f in response.context["lines"].initial_forms] == ["3", "200"]
    response = client.post(
        edit_url,
        {
            **order_form_data(
                buy,
                note="新",
                lines=[
                    {"product": str(buy.switch.pk), "quantity": "5"},
                    {"product": str(buy.cable.pk), "quantity": "200", "DELETE": "on"},
                ],
            ),
            "lines-INITIAL_FORMS": "2",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.note == "新" and order.amount == D("367.25")
    assert list(order.lines.values_list("product__code", "quantity")) == [("SW-01", D("5.00"))]

    services.purchase_order_place(user=buy.buyer, order=order)
    before = snapshot(order)
    response = client.get(edit_url)
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    response = client.post(edit_url, order_form_data(buy, note="又改", lines=[]), follow=True)
    assert flashed(response)[-1] == "Only a draft purchase order can change."
    assert snapshot(order) == before
    assert reverse("purchase-order-edit", args=[order.pk]) not in response.content.decode()


def test_place_receive_in_part_and_the_keeper_confirms(buy, client_as):
    order = new_order(buy)
    client = client_as(buy.buyer)

    response = client.post(reverse("purchase-order-place", args=[order.pk]), follow=True)
    order.refresh_from_db()
    assert order.status == "ordered" and order.ordered_on is not None
    assert flashed(response) == [
        f"Purchase order {order.number} is placed: receive the goods when they arrive."
    ]
    receive = response.context["receive_form"]
    switch_line, cable_line = line_of(order, buy.switch), line_of(order, buy.cable)
    # The quantities to receive start at what is outstanding.
    assert receive[f"quantity_{switch_line.pk}"].initial == "3"
    assert receive[f"quantity_{cable_line.pk}"].initial == "200"

    response = client.post(
        reverse("purchase-order-receive", args=[order.pk]),
        {f"quantity_{switch_line.pk}": "2", f"quantity_{cable_line.pk}": "0"},
        follow=True,
    )
    slip = StockSlip.objects.get(purchase_order=order)
    assert (slip.kind, slip.status, slip.warehouse) == ("inbound", "draft", buy.warehouse)
    assert list(slip.lines.values_list("product__code", "quantity")) == [("SW-01", D("2.00"))]
    assert response.redirect_chain == [(order.get_absolute_url(), 302)]
    assert flashed(response) == [
        f"Inbound slip {slip.number} has been written. A keeper of 上海总仓 must confirm it "
        "before the goods count as received."
    ]
    html = response.content.decode()
    assert reverse("slip-detail", args=[slip.pk]) in html
    assert "2 waiting for a keeper" in html
    order.refresh_from_db()
    assert order.status == "ordered"  # nothing counts as received before the keeper confirms
    # What waits on the slip is no longer offered.
    assert response.context["receive_form"][f"quantity_{switch_line.pk}"].initial == "1"

    inventory_services.slip_confirm(user=buy.keeper, slip=slip)

    response = client_as(buy.keeper).get(order.get_absolute_url())
    assert response.context["order"].status == "partly_received"
    html = response.content.decode()
    assert "Partly received" in html
    row = html[html.index(f'id="line-{switch_line.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'line-ordered">3 台' in row
    assert 'line-received">2<' in row and 'line-outstanding">1<' in row
    assert "Confirmed" in html and reverse("slip-detail", args=[slip.pk]) in html
    assert StockLevel.objects.get(warehouse=buy.warehouse, product=buy.switch).quantity == D("2")
    assert response.context["receive_form"] is None  # the keeper does not purchase
    listing = client.get(reverse("purchase-order-list"), {"status": "partly_received"})
    assert [o.pk for o in listing.context["page"].object_list] == [order.pk]


def test_receiving_more_than_outstanding_is_refused_and_keeps_input(buy, client_as):
    order = placed_order(buy)
    switch_line, cable_line = line_of(order, buy.switch), line_of(order, buy.cable)
    client = client_as(buy.buyer)
    url = reverse("purchase-order-receive", args=[order.pk])

    response = client.post(
        url, {f"quantity_{switch_line.pk}": "4", f"quantity_{cable_line.pk}": "150"}
    )
    assert response.status_code == 200
    assert response.context["receive_form"].non_field_errors() == [
        "Line 1: 3.00 of 交换机 is still to receive."
    ]
    html = response.content.decode()
    assert 'id="receive-errors"' in html and 'value="4"' in html and 'value="150"' in html

    response = client.post(
        url, {f"quantity_{switch_line.pk}": "", f"quantity_{cable_line.pk}": "0"}
    )
    assert response.status_code == 200
    assert response.context["receive_form"].non_field_errors() == [
        "Enter the quantity received on at least one line."
    ]
    assert not StockSlip.objects.filter(purchase_order=order).exists()

    draft = new_order(buy)
    response = client.post(reverse("purchase-order-receive", args=[draft.pk]), follow=True)
    assert flashed(response) == ["Place the purchase order before receiving it."]
    assert not StockSlip.objects.filter(purchase_order=draft).exists()


def test_the_receive_form_shows_exactly_where_the_service_accepts(buy, client_as):
    """The order's page offers the Receive form where `purchase_order_receive` accepts, and
    nowhere it refuses: a draft, everything on a waiting slip, a received or cancelled order,
    or a user without the purchasing right."""
    from banyan.core.errors import DomainError

    form_id = 'id="purchase-order-receive-form"'

    def offered(order, user=None) -> bool:
        html = client_as(user or buy.buyer).get(order.get_absolute_url()).content.decode()
        return form_id in html

    def refused(order, user=None) -> str:
        with pytest.raises(DomainError) as refusal:
            services.purchase_order_receive(user=user or buy.buyer, order=order)
        return str(refusal.value)

    draft = new_order(buy)
    assert not offered(draft)
    assert refused(draft) == "Place the purchase order before receiving it."

    order = placed_order(buy)
    assert not offered(order, buy.keeper)
    assert refused(order, buy.keeper) == "Only purchasing staff may do this."
    assert offered(order)
    slip = services.purchase_order_receive(user=buy.buyer, order=order)

    # everything is on the slip waiting for a keeper: nothing left to offer
    assert not offered(order)
    assert "Everything on this purchase order is received or on a waiting slip." in refused(order)
    inventory_services.slip_confirm(user=buy.keeper, slip=slip)
    order.refresh_from_db()
    assert order.status == "received"
    assert not offered(order)
    assert refused(order) == "This purchase order is received: there is nothing to receive."

    cancelled = services.purchase_order_cancel(user=buy.buyer, order=placed_order(buy))
    assert not offered(cancelled)
    assert refused(cancelled) == "This purchase order is cancelled: there is nothing to receive."


def test_cancel_a_placed_order_but_not_one_with_goods_waiting(buy, client_as):
    order = placed_order(buy)
    client = client_as(buy.buyer)
    services.purchase_order_receive(user=buy.buyer, order=order)
    before = snapshot(order)

    response = client.post(reverse("purchase-order-cancel", args=[order.pk]), follow=True)
    assert flashed(response) == [
        "An inbound slip of this purchase order waits for confirmation: reject it first."
    ]
    assert snapshot(order) == before

    other = placed_order(buy)
    response = client.post(reverse("purchase-order-cancel", args=[other.pk]), follow=True)
    other.refresh_from_db()
    assert other.status == "cancelled"
    assert flashed(response) == [f"Purchase order {other.number} is cancelled."]
    html = response.content.decode()
    assert reverse("purchase-order-cancel", args=[other.pk]) not in html
    assert 'id="receive"' not in html
    assert "Status:" in html  # the history shows the change of status


def test_actions_answer_only_post(buy, client_as):
    order = new_order(buy)
    client = client_as(buy.buyer)
    for action in ("place", "cancel", "receive"):
        assert client.get(reverse(f"purchase-order-{action}", args=[order.pk])).status_code == 405


# --- query counts -------------------------------------------------------------------------

# Every page: session, user, permissions (user + group).
# The list: + the filter's suppliers and warehouses, the count, the page.
ORDER_LIST_QUERIES = 8
# The list: + the count, the page.
SUPPLIER_LIST_QUERIES = 6
# The order: + the order, its lines (with what waits on slips), its slips, its history (two).
ORDER_DETAIL_QUERIES = 9


def fill(buy, size):
    for number in range(size):
        supplier = services.supplier_create(user=buy.buyer, name=f"供应商{number:03d}")
        services.purchase_order_create(
            user=buy.buyer,
            supplier=supplier.pk,
            warehouse=buy.warehouse.pk,
            lines=[{"product": buy.cable.pk, "quantity": "1"}],
        )


@pytest.mark.parametrize("size", [3, 30])
def test_purchase_order_list_query_count_does_not_grow(
    buy, client_as, size, django_assert_max_num_queries
):
    fill(buy, size)
    client = client_as(buy.costed_buyer)

    with django_assert_max_num_queries(ORDER_LIST_QUERIES):
        response = client.get(reverse("purchase-order-list"), {"page_size": 50})
    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", [3, 30])
def test_supplier_list_query_count_does_not_grow(
    buy, client_as, size, django_assert_max_num_queries
):
    fill(buy, size)
    client = client_as(buy.buyer)

    with django_assert_max_num_queries(SUPPLIER_LIST_QUERIES):
        response = client.get(reverse("supplier-list"), {"page_size": 50})
    assert len(response.context["page"].object_list) == size + 1


@pytest.mark.parametrize("lines", [1, 12])
def test_purchase_order_detail_query_count_does_not_grow(
    buy, client_as, lines, make_product, django_assert_max_num_queries
):
    products = [
        make_product(buy.org.boss, code=f"X-{n:02d}", tracks_stock=True) for n in range(lines)
    ]
    order = placed_order(buy, lines=[{"product": p.pk, "quantity": "2"} for p in products])
    services.purchase_order_receive(user=buy.buyer, order=order)
    client = client_as(buy.costed_buyer)

    with django_assert_max_num_queries(ORDER_DETAIL_QUERIES):
        response = client.get(order.get_absolute_url())
    assert len(response.context["lines"]) == lines


def test_the_cancel_button_shows_exactly_where_the_service_accepts_the_cancellation(buy, client_as):
    """While an inbound slip of a placed order waits for the keeper, the service refuses to
    cancel it, so its page offers no Cancel; once the keeper rejects the slip, it does, and
    pressing it cancels the order."""
    from banyan.core.errors import DomainError
    from banyan.purchasing import selectors

    order = placed_order(buy)
    slip = services.purchase_order_receive(user=buy.buyer, order=order)
    cancel = reverse("purchase-order-cancel", args=[order.pk])
    client = client_as(buy.buyer)

    assert cancel not in client.get(order.get_absolute_url()).content.decode()
    assert selectors.purchase_order_cancel_refusal(buy.buyer, order) is not None
    with pytest.raises(DomainError):
        services.purchase_order_cancel(user=buy.buyer, order=order)

    inventory_services.slip_reject(user=fresh(buy.keeper), slip=slip, reason="不是这批货")
    assert cancel in client.get(order.get_absolute_url()).content.decode()
    assert client.post(cancel).status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
