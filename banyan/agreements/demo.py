"""Demo data of the agreements app: about forty contracts and orders across the demo reps, in
every status (a few drafts, most signed or executing, some completed, one cancelled), made
and moved through the services by their reps. Money on them comes from finance/demo.py.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.agreements import services
from banyan.agreements.models import Agreement
from banyan.customers.demo import DEMO_REPS
from banyan.customers.models import Customer
from banyan.products.models import Product

AGREEMENTS_PER_REP = 3
EXTRA_FOR = ["lina"]  # the busiest rep of the demo gets one more: 13 × 3 + 1 = 40
# One agreement in ~seven a draft, most signed or executing, a few completed, one cancelled.
STATUSES = ["draft"] * 6 + ["cancelled"] + ["completed"] * 5 + ["signed"] * 12
STATUSES += ["executing"] * (len(DEMO_REPS) * AGREEMENTS_PER_REP + len(EXTRA_FOR) - len(STATUSES))
# How long ago each status was signed (days): a spread that makes plans due in the past, this
# month and later.
SIGNED_DAYS_AGO = {"signed": (3, 45), "executing": (40, 200), "completed": (220, 360)}
LINE_DISCOUNTS = [0, 0, 0, 5, 8, 10, 12.5, 15]
WHOLE_DISCOUNTS = [0, 0, 0, 2, 3, 5]
CONTRACT_TERMS = [
    "合同签订后 7 个工作日内支付首期款，项目验收后支付尾款。",
    "按季度分期付款，每期款项于季度首月 15 日前支付。",
    "服务期一年，期满前 30 日双方协商续约事宜。",
]
ORDER_TERMS = [
    "款到发货，含税含运费，质保一年。",
    "预付 30%，到货验收后 30 日内付清余款。",
    "货到付款，质保期内免费上门维修。",
]
CANCEL_REASON = "客户预算冻结，项目取消"


def _quantity(rng: random.Random, product: Product) -> Decimal:
    """A plausible quantity for the product's price: a few servers, dozens of access points."""
    if product.list_price >= 10000:
        return Decimal(rng.randint(1, 3))
    if product.list_price >= 2000:
        return Decimal(rng.randint(1, 12))
    return Decimal(rng.randint(5, 40))


def _lines(rng: random.Random, kind: str, services_sold, goods) -> list[dict]:
    if kind == Agreement.Kind.CONTRACT:
        chosen = rng.sample(services_sold, rng.randint(1, min(3, len(services_sold))))
        quantities = [
            Decimal(rng.randint(2, 20)) if product.unit in ("人天", "人月") else Decimal(1)
            for product in chosen
        ]
    else:
        chosen = rng.sample(goods, rng.randint(1, min(4, len(goods))))
        if services_sold and rng.random() < 0.25:  # an order may carry a service line too
            chosen.append(rng.choice(services_sold))
        quantities = [_quantity(rng, product) for product in chosen]
    return [
        {
            "product": product.pk,
            "quantity": quantity,
            "discount_percent": Decimal(str(rng.choice(LINE_DISCOUNTS))),
        }
        for product, quantity in zip(chosen, quantities, strict=True)
    ]


def _title(kind: str, customer: Customer, lines: list[dict], products: dict) -> str:
    first = products[lines[0]["product"]].name
    short = customer.name.removesuffix("有限公司")[:10]
    if kind == Agreement.Kind.CONTRACT:
        return f"{short} {first}合同"
    more = "等" if len(lines) > 1 else ""
    return f"{short} {first}{more}采购订单"


@DEMO_STEPS.register
def demo_agreements(company, users) -> bool:
    if Agreement.objects.filter(company=company).exists():
        return False
    active = list(Product.objects.filter(company=company, is_active=True).order_by("code"))
    services_sold = [p for p in active if p.is_service]
    goods = [p for p in active if not p.is_service]
    if not services_sold or not goods:
        return False  # no catalogue to sell from
    products = {p.pk: p for p in active}
    rng = random.Random(20261129)
    today = timezone.localdate()
    statuses = list(STATUSES)
    rng.shuffle(statuses)
    customers_of: dict[int, list[Customer]] = {}
    for customer in (
        Customer.objects.filter(company=company)
        .exclude(type__code="lost")
        .select_related("owner")
        .order_by("id")
    ):
        customers_of.setdefault(customer.owner_id, []).append(customer)
    for rep_name in DEMO_REPS:
        rep = users[rep_name]
        count = AGREEMENTS_PER_REP + (1 if rep_name in EXTRA_FOR else 0)
        for customer in rng.sample(customers_of.get(rep.pk, []), count):
            status = statuses.pop()
            kind = Agreement.Kind.CONTRACT if rng.random() < 0.45 else Agreement.Kind.ORDER
            lines = _lines(rng, kind, services_sold, goods)
            header = {}
            if status in SIGNED_DAYS_AGO:
                signed_on = today - timedelta(days=rng.randint(*SIGNED_DAYS_AGO[status]))
                header = {
                    "signed_on": signed_on,
                    "starts_on": signed_on + timedelta(days=rng.randint(0, 10)),
                    "ends_on": signed_on + timedelta(days=rng.choice([180, 365, 365])),
                }
            agreement = services.agreement_create(
                user=rep,
                kind=kind,
                customer=customer,
                title=_title(kind, customer, lines, products),
                lines=lines,
                discount_percent=Decimal(rng.choice(WHOLE_DISCOUNTS)),
                terms=rng.choice(
                    CONTRACT_TERMS if kind == Agreement.Kind.CONTRACT else ORDER_TERMS
                ),
                **header,
            )
            if status == "cancelled":
                services.agreement_cancel(user=rep, agreement=agreement, reason=CANCEL_REASON)
                continue
            if status == "draft":
                continue
            services.agreement_sign(user=rep, agreement=agreement)
            if status in ("executing", "completed"):
                services.agreement_start(user=rep, agreement=agreement)
            if status == "completed":
                services.agreement_complete(user=rep, agreement=agreement)
    return True


@DEMO_RESET_STEPS.register
def demo_agreements_reset(company) -> None:
    Agreement.objects.filter(company=company).delete()
