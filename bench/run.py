"""Banyan CRM benchmark: seed a company at scale, then time the pages people use most.

    .venv/bin/python bench/run.py                      # 100,000 customers, SQLite
    .venv/bin/python bench/run.py --customers 1000000  # the million-customer run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/banyan_bench .venv/bin/python bench/run.py

The seeder writes rows in bulk (a sanctioned bypass of the services, for speed); the timed
requests go through the real stack: URL routing, middleware, selectors, templates.
Results (median and 95th percentile milliseconds, query counts) are printed and written to
bench/results/<database>-<customers>.json. Numbers belong here, never in unit tests.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国志红梅林文斌宇浩凯"
CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "苏州",
    "天津",
    "重庆",
]
WORDS = [
    "华",
    "信",
    "达",
    "盛",
    "恒",
    "泰",
    "安",
    "丰",
    "瑞",
    "鑫",
    "宏",
    "远",
    "博",
    "创",
    "智",
    "联",
]
TRADES = [
    "科技",
    "贸易",
    "电子",
    "机械",
    "物流",
    "软件",
    "医疗",
    "建材",
    "食品",
    "咨询",
    "化工",
    "印务",
]
MOBILE_PREFIXES = [
    "138", "139", "137", "136", "135", "150", "151", "186", "187", "188", "189",
]  # fmt: skip


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banyan.settings")
    os.environ.setdefault("SECRET_KEY", "banyan-bench-key-not-secret")  # a private database
    os.environ.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    import django

    django.setup()


def build_people():
    """A company with a boss, 3 directors, 6 managers and 36 reps, through the services."""
    from banyan.accounts import services
    from banyan.accounts.models import Company

    company = Company.objects.filter(code="bench").first()
    if company:
        return company
    company, boss = services.company_create(
        code="bench",
        name="基准测试有限公司",
        plan="formal",
        boss_username="boss",
        boss_password="bench-2026",
        check_password_strength=False,
    )
    for d in range(3):
        director = services.user_create(
            actor=boss,
            username=f"d{d}",
            password="bench-2026",
            role="director",
            superior=boss,
            check_password_strength=False,
        )
        for m in range(2):
            manager = services.user_create(
                actor=boss,
                username=f"d{d}m{m}",
                password="bench-2026",
                role="manager",
                superior=director,
                check_password_strength=False,
            )
            for s in range(6):
                services.user_create(
                    actor=boss,
                    username=f"d{d}m{m}s{s}",
                    password="bench-2026",
                    role="sales",
                    superior=manager,
                    check_password_strength=False,
                )
    return company


def seed_customers(company, target: int, rng: random.Random) -> float:
    """Bulk-insert customers (and a contact for one in five) until the company has `target`."""
    from django.db import transaction

    from banyan.accounts.models import DictionaryOption, User
    from banyan.customers.models import Contact, Customer
    from banyan.customers.text import build_search_text, name_key

    have = Customer.objects.filter(company=company).count()
    if have >= target:
        return 0.0
    reps = list(User.objects.filter(company=company, role="sales"))
    types = list(DictionaryOption.objects.filter(company=company, kind="customer_type"))
    sources = list(DictionaryOption.objects.filter(company=company, kind="customer_source"))
    boss = User.objects.get(company=company, username="boss")
    started = time.perf_counter()
    batch = 5000
    for start in range(have, target, batch):
        customers, contacts = [], []
        for i in range(start, min(start + batch, target)):
            name = (
                rng.choice(CITIES)
                + rng.choice(WORDS)
                + rng.choice(WORDS)
                + rng.choice(TRADES)
                + f"{i}号有限公司"
            )
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            contact = rng.choice(SURNAMES) + rng.choice(GIVEN) if i % 5 == 0 else None
            customers.append(
                Customer(
                    company=company,
                    name=name,
                    kind="enterprise",
                    phone=phone,
                    type=rng.choice(types),
                    source=rng.choice(sources),
                    owner=rng.choice(reps),
                    created_by=boss,
                    is_hot=(i % 97 == 0),
                    name_key=name_key(name),
                    search_text=build_search_text(
                        name=name, phones=[phone], contact_names=[contact] if contact else []
                    ),
                )
            )
            if contact:
                contacts.append((len(customers) - 1, contact))
        with transaction.atomic():
            created = Customer.objects.bulk_create(customers)
            if created and created[0].pk is None:  # backends that do not return keys
                created = list(
                    Customer.objects.filter(company=company).order_by("-id")[: len(customers)]
                )[::-1]
            Contact.objects.bulk_create(
                [
                    Contact(company=company, customer=created[index], name=name)
                    for index, name in contacts
                ]
            )
        done = min(start + batch, target)
        print(f"  seeded {done:,}/{target:,} customers", end="\r", flush=True)
    print()
    return time.perf_counter() - started


def seed_agreements(company, target: int, rng: random.Random) -> float:
    """Bulk-insert orders and contracts of the company's customers until it has `target`:
    one to three lines each, most signed, half with two payment plans, a third paid in part.
    The stored figures (amount, paid) agree with the rows, as the services keep them."""
    from decimal import Decimal

    from django.db import transaction

    from banyan.accounts.models import DictionaryOption, User
    from banyan.agreements.models import Agreement, AgreementLine
    from banyan.customers.models import Customer
    from banyan.finance.models import Payment, PaymentPlan
    from banyan.products.models import Product

    have = Agreement.objects.filter(company=company).count()
    if have >= target:
        return 0.0
    boss = User.objects.get(company=company, username="boss")
    products = list(Product.objects.filter(company=company))
    if not products:
        products = Product.objects.bulk_create(
            [
                Product(
                    company=company,
                    code=f"P{i:03d}",
                    name=f"产品{i}",
                    kind="service" if i % 4 == 0 else "physical",
                    list_price=Decimal(rng.randrange(100, 50000)),
                    cost=Decimal(rng.randrange(50, 100)),
                    unit="件",
                )
                for i in range(40)
            ]
        )
        products = list(Product.objects.filter(company=company))
    services_only = [p for p in products if p.kind == "service"]
    method = DictionaryOption.objects.get(company=company, kind="payment_method", code="cash")
    customers = list(
        Customer.objects.filter(company=company).values_list("pk", "owner_id")[: target * 2]
    )
    started = time.perf_counter()
    batch = 2000
    for start in range(have, target, batch):
        agreements, lines = [], []
        for i in range(start, min(start + batch, target)):
            customer_id, owner_id = rng.choice(customers)
            kind = "contract" if i % 3 == 0 else "order"
            chosen = rng.sample(
                services_only if kind == "contract" else products, rng.randint(1, 3)
            )
            amounts = [(p, Decimal(rng.randint(1, 5)), p.list_price) for p in chosen]
            total = sum((q * price for _p, q, price in amounts), Decimal("0.00"))
            status = rng.choice(["draft", "signed", "signed", "executing", "completed"])
            agreements.append(
                Agreement(
                    company=company, kind=kind, number=f"B{i:08d}", title=f"合约{i}",
                    customer_id=customer_id, owner_id=owner_id, status=status,
                    signed_on=None if status == "draft" else f"2026-{rng.randint(1, 11):02d}-15",
                    lines_total=total, amount=total, created_by=boss,
                )
            )  # fmt: skip
            lines.append(amounts)
        with transaction.atomic():
            created = Agreement.objects.bulk_create(agreements)
            if created and created[0].pk is None:
                created = list(
                    Agreement.objects.filter(company=company).order_by("-id")[: len(agreements)]
                )[::-1]
            line_rows, plans = [], []
            for agreement, amounts in zip(created, lines, strict=True):
                for position, (product, quantity, price) in enumerate(amounts):
                    line_rows.append(
                        AgreementLine(
                            company=company, agreement=agreement, product=product,
                            description=product.name, unit_price=price, quantity=quantity,
                            amount=quantity * price, unit_cost=product.cost, position=position,
                        )
                    )  # fmt: skip
                if agreement.status != "draft" and agreement.pk % 2 == 0:
                    half = (agreement.amount / 2).quantize(Decimal("0.01"))
                    for due, amount in (
                        ("2026-10-31", half),
                        ("2027-01-31", agreement.amount - half),
                    ):
                        plans.append(
                            PaymentPlan(
                                company=company, agreement=agreement,
                                customer_id=agreement.customer_id, due_on=due, amount=amount,
                                created_by=boss,
                            )
                        )  # fmt: skip
            AgreementLine.objects.bulk_create(line_rows)
            PaymentPlan.objects.bulk_create(plans)
            payments = []
            for plan in PaymentPlan.objects.filter(
                agreement__in=[a for a in created if a.pk % 3 == 0], due_on="2026-10-31"
            ).select_related("agreement"):
                payments.append(
                    Payment(
                        company=company, agreement=plan.agreement, customer_id=plan.customer_id,
                        plan=plan, paid_on="2026-10-30", amount=plan.amount, method=method,
                        owner_id=plan.agreement.owner_id, recorded_by=boss,
                    )
                )  # fmt: skip
            Payment.objects.bulk_create(payments)
            for payment in payments:
                Agreement.objects.filter(pk=payment.agreement_id).update(paid_amount=payment.amount)
                PaymentPlan.objects.filter(pk=payment.plan_id).update(paid_amount=payment.amount)
        done = min(start + batch, target)
        print(f"  seeded {done:,}/{target:,} agreements", end="\r", flush=True)
    print()
    return time.perf_counter() - started


def time_requests(scenarios, repeat: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = []
    for label, user, url in scenarios:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user, backend="banyan.accounts.backends.CompanyUserBackend")
        client.get(url)  # warm caches and connections
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {response.status_code}")
        timings.sort()
        results.append(
            {
                "scenario": label,
                "url": url,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
                "queries": len(queries),
            }
        )
        row = results[-1]
        print(
            f"  {label:<44} {row['median_ms']:>8.1f} ms  p95 {row['p95_ms']:>8.1f} ms"
            f"  {row['queries']:>3} queries"
        )
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--agreements", type=int, default=None, help="default: a fifth of the customers"
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"),
    )
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from banyan.accounts.models import User
    from banyan.customers.models import Customer

    print(f"Database: {connection.vendor} ({args.database_url})")
    call_command("migrate", verbosity=0)
    company = build_people()
    rng = random.Random(2026)
    seconds = seed_customers(company, args.customers, rng)
    if seconds:
        print(f"Seeding took {seconds:.0f} s")
    agreements = args.agreements if args.agreements is not None else args.customers // 5
    seconds = seed_agreements(company, agreements, rng)
    if seconds:
        print(f"Seeding agreements took {seconds:.0f} s")
    call_command("optimize_database")
    users = {u.username: u for u in User.objects.filter(company=company)}
    rep = users["d0m0s0"]
    sample = Customer.objects.filter(company=company, owner=rep).order_by("id").first()
    initials_query = "bj"  # initials of 北京…
    phone_query = sample.phone
    list_url = reverse("customer-list")
    from banyan.agreements.models import Agreement

    agreement_pk = (
        Agreement.objects.filter(company=company, kind="order", status="signed")
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    scenarios = [
        ("customer list, boss (whole company)", users["boss"], list_url),
        ("customer list, director (a third)", users["d0"], list_url),
        ("customer list, manager (team of 6)", users["d0m0"], list_url),
        ("customer list, rep (own)", rep, list_url),
        ("customer list, 100 per page, boss", users["boss"], f"{list_url}?per_page=100"),
        ("search by pinyin initials, boss", users["boss"], f"{list_url}?q={initials_query}"),
        ("search by phone, boss", users["boss"], f"{list_url}?q={phone_query}"),
        ("search by phone, rep", rep, f"{list_url}?q={phone_query}"),
        ("customer view, rep", rep, reverse("customer-detail", args=[sample.pk])),
        ("API customers list, manager", users["d0m0"], "/api/v1/customers/"),
        ("order list, boss", users["boss"], reverse("order-list")),
        ("order list, rep", rep, reverse("order-list")),
        ("contract list, manager", users["d0m0"], reverse("contract-list")),
        ("receivables (payment plans), boss", users["boss"], reverse("plan-list")),
        ("payments list, boss", users["boss"], reverse("payment-list")),
        ("finance desk, boss", users["boss"], reverse("finance-home")),
        ("agreement view, boss", users["boss"], reverse("agreement-detail", args=[agreement_pk])),
        ("API agreements list, manager", users["d0m0"], "/api/v1/agreements/"),
    ]
    total = Customer.objects.filter(company=company).count()
    print(f"Timing {len(scenarios)} requests × {args.repeat} at {total:,} customers:")
    results = time_requests(scenarios, args.repeat)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{connection.vendor}-{total}.json"
    path.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "customers": total,
                "agreements": Agreement.objects.filter(company=company).count(),
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"Written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
