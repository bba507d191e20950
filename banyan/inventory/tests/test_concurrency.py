"""Stock never goes below zero when many keepers confirm outbound slips at once.

PostgreSQL only (SQLite serialises writers anyway): on a stock of 10, 24 outbound slips of
1 or 2 units (36 in all) are confirmed by four keepers from 24 threads released together by
a barrier. Exactly the slips that fit go through: the confirmed quantities add up to at most
10, the level ends at 10 − Σ confirmed (never below zero), every refused slip is refused
with the shortage message and stays a draft, and no refused slip would have fitted in what
is left. The scenario runs several rounds, and asserts that threads really were inside the
stock change together (queued on the level's row lock).

And the same stock write sent several times at once (an inbound slip with one
Idempotency-Key, a shipment form with one token) is written once.

Run it with:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banyan_test \
        .venv/bin/pytest banyan/inventory/tests/test_concurrency.py -p no:xdist
"""

import re
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from banyan.accounts import services as account_services
from banyan.accounts.models import User
from banyan.agreements import services as agreement_services
from banyan.core.errors import DomainError
from banyan.core.idempotency import new_form_token
from banyan.core.tests.same_instant import all_at_once, holding_the_first_until_the_others_wait
from banyan.inventory import services
from banyan.inventory.models import Shipment, StockLevel, StockMovement, StockSlip
from banyan.inventory.services import slips, stock

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 24
ROUNDS = 3
STOCK = Decimal("10")
SHORTAGE = re.compile(
    r"^Not enough stock\. (?P<product>.+): (?P<have>\d+) in stock at 上海总仓, "
    r"(?P<need>\d+) needed \((?P<short>\d+) short\)\.$"
)


@pytest.fixture
def warehouse_and_keepers(org, grant):
    org.company.uses_inventory = True
    org.company.save(update_fields=["uses_inventory", "updated_at"])
    keepers = [
        grant(user, "warehouse_keeper")
        for user in (org.sales_boss, org.sales4, org.sales3, org.sales_d1)
    ]
    boss = User.objects.get(pk=org.boss.pk)
    warehouse = services.warehouse_create(user=boss, name="上海总仓", keepers=keepers)
    return warehouse, keepers


@pytest.fixture
def inside_the_stock_change(monkeypatch):
    """Counts the threads inside `stock._move` at once. Each holds the level's row lock a
    moment longer after its change, so that the others queue on it: without the lock, a lost
    update would show at once."""
    guard = threading.Lock()
    counter = {"now": 0, "most": 0}
    original = stock._move

    def counting_move(*args, **kwargs):
        with guard:
            counter["now"] += 1
            counter["most"] = max(counter["most"], counter["now"])
        try:
            result = original(*args, **kwargs)
            time.sleep(0.02)
            return result
        finally:
            with guard:
                counter["now"] -= 1

    monkeypatch.setattr(stock, "_move", counting_move)
    return counter


def confirm_all_at_once(slips, keepers) -> dict[int, object]:
    """Confirm every slip from its own thread, all released together; slip pk → "confirmed",
    the refusal's message, or an unexpected exception."""
    barrier = threading.Barrier(len(slips))
    outcomes: dict[int, object] = {}

    def confirm(index: int, slip_pk: int) -> None:
        try:
            keeper = User.objects.get(pk=keepers[index % len(keepers)].pk)
            slip = StockSlip.objects.get(pk=slip_pk)
            barrier.wait(timeout=60)
            services.slip_confirm(user=keeper, slip=slip)
            outcomes[slip_pk] = "confirmed"
        except DomainError as refusal:
            outcomes[slip_pk] = str(refusal)
        except Exception as error:
            outcomes[slip_pk] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(index, slip.pk)) for index, slip in enumerate(slips)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_concurrent_confirmations_never_take_stock_below_zero(
    org, make_product, warehouse_and_keepers, inside_the_stock_change
):
    warehouse, keepers = warehouse_and_keepers
    assert THREADS >= 20

    for round_number in range(ROUNDS):
        product = make_product(
            org.sales1, code=f"RACE-{round_number}", name=f"抢购品{round_number}", tracks_stock=True
        )
        services.initial_stock(
            user=keepers[0],
            warehouse=warehouse,
            lines=[{"product": product.pk, "quantity": str(STOCK)}],
        )
        sizes = [Decimal(1 + (n + round_number) % 2) for n in range(THREADS)]  # 1s and 2s
        assert sum(sizes) > STOCK
        slips = [
            services.slip_create(
                user=keepers[0],
                kind="outbound",
                warehouse=warehouse,
                lines=[{"product": product.pk, "quantity": str(size)}],
                reason="抢购",
            )
            for size in sizes
        ]
        size_of = {slip.pk: size for slip, size in zip(slips, sizes, strict=True)}

        outcomes = confirm_all_at_once(slips, keepers)

        assert len(outcomes) == THREADS
        unexpected = {pk: o for pk, o in outcomes.items() if not isinstance(o, str)}
        assert unexpected == {}
        confirmed = [pk for pk, outcome in outcomes.items() if outcome == "confirmed"]
        refused = {pk: outcome for pk, outcome in outcomes.items() if outcome != "confirmed"}
        taken = sum((size_of[pk] for pk in confirmed), Decimal("0"))
        left = StockLevel.objects.get(warehouse=warehouse, product=product).quantity

        assert taken <= STOCK
        assert left == STOCK - taken >= 0
        assert refused, "36 units asked of 10: some slips must be refused"
        # Exactly the slips that fit went through: none of the refused would fit now.
        assert left < min(size_of[pk] for pk in refused)
        for pk, message in refused.items():
            match = SHORTAGE.match(message)
            assert match, message
            assert match["product"] == product.name
            assert Decimal(match["need"]) == size_of[pk]
            assert Decimal(match["have"]) < size_of[pk]
            assert Decimal(match["short"]) == size_of[pk] - Decimal(match["have"])
        statuses = dict(StockSlip.objects.filter(pk__in=size_of).values_list("pk", "status"))
        assert {pk for pk, status in statuses.items() if status == "confirmed"} == set(confirmed)
        assert {pk for pk, status in statuses.items() if status == "draft"} == set(refused)
        assert not StockSlip.objects.filter(pk__in=refused).exclude(decided_by=None).exists()
        moves = StockMovement.objects.filter(warehouse=warehouse, product=product)
        assert sorted(moves.exclude(slip=None).values_list("slip_id", "quantity")) == sorted(
            (pk, -size_of[pk]) for pk in confirmed
        )
        assert moves.count() == len(confirmed) + 1  # and the initial stock
        assert services.check_stock(org.company.pk) == []

    # The threads really met: several were inside the stock change at the same moment.
    assert inside_the_stock_change["most"] >= 2


# --- the same stock write sent several times at once ------------------------------------------

SAME_TIME = 8


def test_eight_identical_inbound_slips_at_once_with_one_key_write_one(
    org, warehouse_and_keepers, make_product, monkeypatch
):
    warehouse, keepers = warehouse_and_keepers
    product = make_product(org.boss, code="DUP-1", name="重复品", tracks_stock=True)
    token = account_services.api_token_for(keepers[0])
    body = {
        "kind": "inbound",
        "warehouse": warehouse.pk,
        "reason": "到货",
        "lines": [{"product": product.pk, "quantity": "5"}],
    }
    first = holding_the_first_until_the_others_wait(
        monkeypatch, slips, "slip_create", others=SAME_TIME - 1
    )

    def send(index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(
            "/api/v1/stock-slips/", body, format="json", HTTP_IDEMPOTENCY_KEY="inbound-1"
        )
        return response.status_code, response.json()

    answers = all_at_once(send, SAME_TIME)

    assert first == {"waiting": SAME_TIME - 1, "calls": 1}
    slip = StockSlip.objects.get(kind="inbound")
    assert answers == [(201, answers[0][1])] * SAME_TIME
    assert answers[0][1]["id"] == slip.pk


def test_eight_identical_shipment_forms_at_once_ship_once(
    org, warehouse_and_keepers, make_product, make_customer, monkeypatch
):
    warehouse, keepers = warehouse_and_keepers
    product = make_product(org.boss, code="DUP-2", name="发货品", tracks_stock=True)
    services.initial_stock(
        user=keepers[0], warehouse=warehouse, lines=[{"product": product.pk, "quantity": "10"}]
    )
    order = agreement_services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=make_customer(org.sales1),
        title="Double click",
        lines=[{"product": product.pk, "quantity": "10"}],
    )
    agreement_services.agreement_sign(user=org.sales1, agreement=order)
    slip = services.slip_from_order(user=org.sales1, agreement=order, warehouse=warehouse)
    services.slip_confirm(user=keepers[0], slip=slip)
    line = order.lines.get()
    data = {
        "carrier": "顺丰",
        "tracking_number": "SF1",
        "shipped_on": "2026-06-01",
        f"quantity_{line.pk}": "3",  # eight of these would not fit, two would
        "form_token": new_form_token(org.sales1),
    }
    url = reverse("order-ship", args=[order.pk])
    clients = []
    for _index in range(SAME_TIME):
        client = Client()
        client.force_login(org.sales1, backend="banyan.accounts.backends.CompanyUserBackend")
        clients.append(client)
    first = holding_the_first_until_the_others_wait(
        monkeypatch, services, "shipment_create", others=SAME_TIME - 1
    )

    def send(index):
        response = clients[index].post(url, data)
        return response.status_code, response["Location"]

    answers = all_at_once(send, SAME_TIME)

    assert first == {"waiting": SAME_TIME - 1, "calls": 1}
    assert answers == [(302, order.get_absolute_url() + "#panel-shipping")] * SAME_TIME
    assert [s.lines.get().quantity for s in Shipment.objects.filter(agreement=order)] == [
        Decimal("3.00")
    ]
