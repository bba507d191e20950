"""Stock as a property: after any sequence of initial stock, inbound and outbound slips
(confirmed, refused for a shortage, or rejected) and stocktakes on two warehouses and three
products, every level is at least zero, equals the sum of its movements (`check_stock`), and
equals a plain model of the stock kept by this test.

The company, its warehouses, keepers and products are made once per test; each example runs
inside a transaction rolled back at its end, so every example starts from empty stock. The
@given function lives inside the test for that reason (as in agreements/test_amounts.py).
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from banyan.accounts.models import User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.inventory import services
from banyan.inventory.models import StockLevel, StockMovement, StockSlip

pytestmark = pytest.mark.django_db

PROPERTY = settings(deadline=None)  # as many examples as the profile (conftest.py)
ZERO = Decimal("0.00")

warehouse_indexes = st.integers(min_value=0, max_value=1)
product_indexes = st.integers(min_value=0, max_value=2)
quantities = st.integers(min_value=1, max_value=40).map(lambda n: Decimal(n) / 2)  # 0.5 – 20
lines = st.lists(st.tuples(product_indexes, quantities), min_size=1, max_size=3)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("initial"), warehouse_indexes, lines),
        st.tuples(st.just("inbound"), warehouse_indexes, lines),
        st.tuples(st.just("outbound"), warehouse_indexes, lines),
        st.tuples(
            st.just("reject"), warehouse_indexes, st.sampled_from(["inbound", "outbound"]), lines
        ),
        st.tuples(
            st.just("stocktake"),
            warehouse_indexes,
            st.lists(st.integers(min_value=0, max_value=30), min_size=3, max_size=3),
        ),
    ),
    min_size=1,
    max_size=12,
)


def test_stock_always_equals_its_movements_and_the_model(org, grant, make_product):
    org.company.uses_inventory = True
    org.company.save(update_fields=["uses_inventory", "updated_at"])
    boss = User.objects.get(pk=org.boss.pk)
    keepers = [grant(org.sales_boss, "warehouse_keeper"), grant(org.sales4, "warehouse_keeper")]
    warehouses = [
        services.warehouse_create(user=boss, name=name, keepers=[keeper])
        for name, keeper in zip(["上海总仓", "北京仓"], keepers, strict=True)
    ]
    products = [
        make_product(org.sales1, code=f"P-{n}", name=f"商品{n}", tracks_stock=True)
        for n in range(3)
    ]
    company_id = org.company.pk

    def slip_lines(chosen):
        return [{"product": products[p].pk, "quantity": str(q)} for p, q in chosen]

    def needs(chosen) -> dict[int, Decimal]:
        total: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for p, q in chosen:
            total[p] += q
        return total

    def levels() -> dict[tuple[int, int], Decimal]:
        index = {w.pk: n for n, w in enumerate(warehouses)}
        product_index = {p.pk: n for n, p in enumerate(products)}
        return {
            (index[w], product_index[p]): q
            for w, p, q in StockLevel.objects.filter(company_id=company_id).values_list(
                "warehouse_id", "product_id", "quantity"
            )
            if q != 0
        }

    @given(steps=operations)
    @PROPERTY
    def run(steps):
        with transaction.atomic():
            model: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
            started: set[tuple[int, int]] = set()  # (warehouse, product) with a movement
            for step in steps:
                kind, w = step[0], step[1]
                keeper, warehouse = keepers[w], warehouses[w]
                movements_before = StockMovement.objects.filter(company_id=company_id).count()
                if kind == "initial":
                    chosen = step[2]
                    if any((w, p) in started for p, _q in chosen):
                        with pytest.raises(ValidationFailed):
                            services.initial_stock(
                                user=keeper, warehouse=warehouse, lines=slip_lines(chosen)
                            )
                    else:
                        services.initial_stock(
                            user=keeper, warehouse=warehouse, lines=slip_lines(chosen)
                        )
                        for p, q in needs(chosen).items():
                            model[w, p] += q
                            started.add((w, p))
                elif kind in ("inbound", "outbound"):
                    chosen = step[2]
                    slip = services.slip_create(
                        user=keeper,
                        kind=kind,
                        warehouse=warehouse,
                        lines=slip_lines(chosen),
                        reason="随机",
                    )
                    wanted = needs(chosen)
                    fits = kind == "inbound" or all(model[w, p] >= q for p, q in wanted.items())
                    if fits:
                        services.slip_confirm(user=keeper, slip=slip)
                        for p, q in wanted.items():
                            model[w, p] += q if kind == "inbound" else -q
                            started.add((w, p))
                    else:
                        with pytest.raises(DomainError, match=r"^Not enough stock\. "):
                            services.slip_confirm(user=keeper, slip=slip)
                        slip.refresh_from_db()
                        assert slip.status == StockSlip.Status.DRAFT
                        assert (
                            StockMovement.objects.filter(company_id=company_id).count()
                            == movements_before
                        )
                        services.slip_reject(user=keeper, slip=slip, reason="库存不足")
                elif kind == "reject":
                    slip = services.slip_create(
                        user=keeper,
                        kind=step[2],
                        warehouse=warehouse,
                        lines=slip_lines(step[3]),
                        reason="随机",
                    )
                    services.slip_reject(user=keeper, slip=slip, reason="不要了")
                    assert (
                        StockMovement.objects.filter(company_id=company_id).count()
                        == movements_before
                    )
                else:  # stocktake
                    counted = [Decimal(n) for n in step[2]]
                    stocktake = services.stocktake_start(user=keeper, warehouse=warehouse)
                    by_product = {line.product_id: line for line in stocktake.lines.all()}
                    assert {
                        p: by_product[product.pk].book_quantity
                        for p, product in enumerate(products)
                    } == {p: model[w, p] for p in range(3)}
                    services.stocktake_count(
                        user=keeper,
                        stocktake=stocktake,
                        counts={
                            by_product[product.pk].pk: {
                                "counted": str(counted[p]),
                                "reason": "盘点",
                            }
                            for p, product in enumerate(products)
                        },
                    )
                    services.stocktake_confirm(user=keeper, stocktake=stocktake)
                    for p in range(3):
                        if counted[p] != model[w, p]:
                            started.add((w, p))
                        model[w, p] = counted[p]

                assert not StockLevel.objects.filter(company_id=company_id, quantity__lt=0).exists()
                assert services.check_stock(company_id) == []
                assert levels() == {key: q for key, q in model.items() if q != 0}
            transaction.set_rollback(True)

    run()
