"""The demo company, as each module's checks read it, and `seed_demo` run again on it. One
module, so that the demo is built once for the test run (each test in its own savepoint inside;
see `demo_seed`). From an empty database: banyan/accounts/tests/test_demo_seed.py."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from banyan.accounts import demo
from banyan.accounts.models import Company, Role, User
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement, AgreementLine
from banyan.finance import services as finance_services
from banyan.finance.models import Invoice, Payment, PaymentPlan
from banyan.inventory import selectors as inventory_selectors
from banyan.inventory import services as inventory_services
from banyan.inventory.models import (
    Shipment,
    StockLevel,
    StockMovement,
    StockSlip,
    Stocktake,
    Warehouse,
)
from banyan.messaging import services as messaging_services
from banyan.messaging.models import MessageTemplate, OutboxMessage, SmsLog
from banyan.purchasing.models import PurchaseOrder, Supplier
from banyan.targets import selectors as target_selectors
from banyan.targets.models import SalesTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company(db, demo_build):
    return demo_build.company


# accounts: The public demo company: built by `seed_demo`, entered with one click, not changeable.


def people(company):
    return {user.username: user for user in User.objects.filter(company=company)}


def test_the_demo_company_is_a_demo_with_a_realistic_four_layer_team(demo_company):
    assert demo_company.code == "demo"
    assert demo_company.plan == Company.Plan.DEMO
    assert demo_company.name == "榕树演示科技有限公司"
    assert demo_company.trial_ends_on is None
    users = people(demo_company)
    assert len(users) == len(demo.DEMO_PEOPLE) + 1

    boss = users["boss"]
    assert (boss.real_name, boss.role, boss.is_admin, boss.superior) == (
        "林国栋",
        Role.BOSS,
        True,
        None,
    )
    assert boss.check_password("demo-2026")
    assert all(user.check_password("demo-2026") for user in users.values())

    vice = users["chenyaqin"]
    assert (vice.role, vice.is_admin) == (Role.BOSS, False)
    roles = [user.role for user in users.values()]
    assert 2 <= roles.count(Role.DIRECTOR) <= 3
    assert roles.count(Role.MANAGER) >= 2
    reps = [
        u
        for u in users.values()
        if u.role == Role.SALES
        and u.assistant_of is None
        and not u.has_perm("accounts.warehouse_keeper")
        and not u.has_perm("accounts.customer_service")
    ]
    assert 10 <= len(reps) <= 15
    assert any(rep.superior.role == Role.DIRECTOR for rep in reps)
    assert [rep.username for rep in reps if rep.superior == boss] == ["fengkai"]
    assert max(user.depth for user in users.values()) == 3  # boss → director → manager → sales
    lina = users["lina"]
    assert lina.path.startswith(users["wanghaitao"].path)
    assert users["wanghaitao"].path.startswith(users["zhoujianhua"].path)
    assistant = users["zhengxiaoyan"]
    assert assistant.assistant_of == users["wanghaitao"]
    assert assistant.assistant_of.role == Role.MANAGER


def test_special_permissions_are_handed_out_realistically(demo_company):
    users = people(demo_company)

    def holders(codename):
        return sorted(u.username for u in users.values() if u.has_perm(f"accounts.{codename}"))

    assert holders("finance") == ["boss", "xuhui"]
    assert holders("warehouse_keeper") == ["boss", "dengjianguo"]
    assert holders("customer_service") == ["boss", "caolihua"]
    assert not users["lina"].get_all_permissions()


def test_the_demo_people_have_chinese_names_mobiles_and_emails(demo_company):
    for user in User.objects.filter(company=demo_company):
        assert 2 <= len(user.real_name) <= 3
        assert all("\u4e00" <= ch <= "\u9fff" for ch in user.real_name)
        assert len(user.mobile) == 11 and user.mobile.startswith("1")
        assert user.email == f"{user.username}@{demo.DEMO_EMAIL_DOMAIN}"
    mobiles = list(User.objects.filter(company=demo_company).values_list("mobile", flat=True))
    assert len(set(mobiles)) == len(mobiles)


def test_try_the_demo_logs_in_as_the_demo_boss_and_lands_on_the_workbench(client, demo_company):
    login_page = client.get(reverse("login")).content.decode()
    assert 'id="try-demo"' in login_page

    response = client.post(reverse("demo-login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    user = home.context["request"].user
    assert (user.company.code, user.username) == ("demo", "boss")
    assert 'id="demo-banner"' in home.content.decode()


def test_the_demo_boss_cannot_change_the_password(client, demo_company):
    client.post(reverse("demo-login"))

    response = client.post(
        reverse("password-change"),
        {
            "old_password": "demo-2026",
            "new_password": "Another-pass-2026",
            "new_password_again": "Another-pass-2026",
        },
    )

    assert response.status_code == 200
    assert "passwords and account settings cannot be changed" in response.content.decode()
    assert User.objects.get(company=demo_company, username="boss").check_password("demo-2026")


# finance: The demo company's contracts, orders and money: made through the services, in every
# status, with plans covered, overdue and due soon, payments by the finance clerk, a reversal or
# two, invoices, and books that add up.


def test_the_demo_has_contracts_and_orders_in_every_status(demo_company):
    agreements = Agreement.objects.filter(company=demo_company)
    assert 35 <= agreements.count() <= 45
    statuses = set(agreements.values_list("status", flat=True))
    assert statuses == {"draft", "signed", "executing", "completed", "cancelled"}
    assert agreements.filter(status="cancelled").count() == 1
    assert agreements.filter(status__in=["signed", "executing"]).count() > agreements.count() / 2
    assert set(agreements.values_list("kind", flat=True)) == {"contract", "order"}
    assert agreements.values("owner").distinct().count() >= 10

    contract_lines = AgreementLine.objects.filter(agreement__in=agreements.filter(kind="contract"))
    assert set(contract_lines.values_list("product__kind", flat=True)) == {"service"}
    for agreement in agreements.prefetch_related("lines"):
        assert 1 <= len(agreement.lines.all()) <= 5
        assert agreement.amount == agreement_services.recompute_amount(agreement) > 0
    assert AgreementLine.objects.filter(
        agreement__in=agreements.filter(kind="order"), discount_percent__gt=0
    ).exists()


def test_the_demo_has_plans_payments_reversals_and_invoices_and_the_books_add_up(
    demo_company,
):
    today = timezone.localdate()
    plans = list(PaymentPlan.objects.filter(company=demo_company))
    assert len(plans) >= 40
    open_plans = [plan for plan in plans if not plan.is_covered]
    assert any(plan.is_covered for plan in plans)
    assert any(plan.due_on < today for plan in open_plans)  # overdue
    assert any(today <= plan.due_on <= today + timedelta(days=30) for plan in open_plans)

    payments = Payment.objects.filter(company=demo_company)
    assert payments.filter(amount__gt=0).count() >= 20
    assert 1 <= payments.filter(reverses__isnull=False).count() <= 3
    assert set(payments.values_list("recorded_by__username", flat=True)) == {"xuhui"}
    assert not payments.filter(paid_on__gt=today).exists()

    invoices = Invoice.objects.filter(company=demo_company)
    assert invoices.count() >= 5
    assert set(invoices.values_list("recorded_by__username", flat=True)) == {"xuhui"}
    for agreement in Agreement.objects.filter(company=demo_company):
        assert agreement.invoiced_amount <= agreement.paid_amount <= agreement.amount
    assert not Payment.objects.filter(agreement__status__in=["draft", "cancelled"]).exists()

    assert finance_services.check_books(demo_company.pk) == []

    # Seeding again adds nothing.
    counts = [
        model.objects.filter(company=demo_company).count()
        for model in (Agreement, PaymentPlan, Payment, Invoice)
    ]
    assert not demo.build_demo_company().changed
    assert [
        model.objects.filter(company=demo_company).count()
        for model in (Agreement, PaymentPlan, Payment, Invoice)
    ] == counts


# inventory: The demo company's inventory and purchasing: warehouses with their keeper, stock,
# purchase orders received in full and in part, order slips, shipments, a confirmed stocktake, a
# slip waiting in the keeper's queue, and books that balance.


def test_the_demo_has_stock_purchasing_and_shipping_and_its_books_balance(demo_build):
    company = demo_build.company
    keeper = User.objects.get(company=company, username="dengjianguo")

    company.refresh_from_db()
    assert company.uses_inventory
    warehouses = Warehouse.objects.filter(company=company).order_by("name")
    assert sorted(w.name for w in warehouses) == sorted(["上海总仓", "北京仓"])
    assert all(list(w.keepers.all()) == [keeper] for w in warehouses)
    assert keeper.has_perm("accounts.warehouse_keeper") and keeper.has_perm("accounts.purchasing")

    initial = StockMovement.objects.filter(company=company, reason="initial")
    assert set(initial.values_list("warehouse__name", flat=True)) == {"上海总仓", "北京仓"}
    assert initial.count() == 12
    assert not StockLevel.objects.filter(company=company, quantity__lt=0).exists()
    assert inventory_selectors.low_stock_products(keeper).exists()

    assert Supplier.objects.filter(company=company).count() == 2
    assert sorted(
        PurchaseOrder.objects.filter(company=company).values_list("status", flat=True)
    ) == [
        "ordered",
        "partly_received",
        "received",
    ]
    assert (
        StockSlip.objects.filter(
            company=company, kind="inbound", status="confirmed", purchase_order__isnull=False
        ).count()
        == 2
    )

    order_slips = StockSlip.objects.filter(
        company=company, kind="outbound", agreement__isnull=False
    )
    assert order_slips.filter(status="confirmed").count() >= 3
    assert Shipment.objects.filter(company=company).count() >= 2
    boss = User.objects.get(company=company, username="boss")
    states = {
        inventory_selectors.shipping_state(inventory_selectors.order_shipping(boss, order))
        for order in Agreement.objects.filter(pk__in=order_slips.values("agreement"))
    }
    assert {"shipped", "partly_shipped", "unshipped"} <= states

    stocktake = Stocktake.objects.get(company=company)
    assert (stocktake.status, stocktake.warehouse.name) == ("confirmed", "北京仓")
    assert stocktake.movements.count() == 2
    assert stocktake.lines.exclude(reason="").count() == 2

    queue = inventory_selectors.slips_to_confirm(keeper)
    assert queue.filter(agreement__isnull=True, kind="outbound").count() == 1
    assert queue.filter(agreement__isnull=False).exists()

    assert inventory_services.check_stock(company.pk) == []

    # Seeding again changes nothing.
    before = (
        StockMovement.objects.filter(company=company).count(),
        StockSlip.objects.filter(company=company).count(),
        PurchaseOrder.objects.filter(company=company).count(),
    )
    assert not demo.build_demo_company().changed
    assert before == (
        StockMovement.objects.filter(company=company).count(),
        StockSlip.objects.filter(company=company).count(),
        PurchaseOrder.objects.filter(company=company).count(),
    )


# messaging: The demo company's templates and SMS log, and the demo reset past the log's guard.


def test_the_demo_has_templates_and_an_sms_log_that_the_reset_removes(demo_build):
    company = demo_build.company

    assert MessageTemplate.objects.filter(company=company, channel="sms").count() == 3
    assert MessageTemplate.objects.filter(company=company, channel="email").count() == 1
    logs = SmsLog.objects.filter(company=company)
    assert logs.count() >= 8
    assert set(logs.values_list("status", flat=True)) == {"sent", "failed"}
    assert all(log.sender_id and log.body and log.recipient for log in logs)
    # The log is of past weeks: the demo's visitors have the whole of today's send limit.
    assert all(log.message.created_at == log.at for log in logs)
    boss = User.objects.get(company=company, username="boss")
    messaging_services.ensure_room_to_send(user=boss, count=settings.SEND_LIMIT_DEMO_DAY)

    from banyan.messaging.demo import demo_messaging, demo_messaging_reset

    assert demo_messaging(company, {}) is False  # idempotent
    demo_messaging_reset(company)
    assert not SmsLog.objects.filter(company=company).exists()
    assert not OutboxMessage.objects.filter(company=company).exists()


# targets: The demo company's targets for this month: set by each person's superior, groups by the
# boss, and within reach of what the demo data achieves.


def test_the_demo_has_this_months_targets(demo_build):
    built = demo_build
    company = built.company
    targets = SalesTarget.objects.filter(company=company).select_related("user", "set_by")
    boss = next(t.set_by for t in targets if t.is_group)
    month = target_selectors.current_month(boss)
    assert {t.month for t in targets} == {month}
    personal = [t for t in targets if not t.is_group]
    groups = [t for t in targets if t.is_group]
    assert len(personal) >= 15
    assert {t.user.role for t in groups} == {"director", "manager"}
    for target in personal:
        assert target.set_by_id == target.user.superior_id
        assert target.payment_amount > 0
    assert {t.set_by.username for t in groups} == {"boss"}
    assert len(target_selectors.targets_for(boss, month)) == len(targets)
    assert "demo_targets" in built.steps_with_changes
    assert "demo_targets" not in demo.build_demo_company().steps_with_changes  # idempotent


# accounts: `seed_demo` run again on a seeded database: a re-seed does nothing, `--reset`
# rebuilds the demo company and touches nothing else.


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent(demo_seed, db, django_assert_max_num_queries):
    first = demo_seed.output
    assert "Built the demo company" in first
    company = Company.objects.get(code="demo")
    count = User.objects.filter(company=company).count()

    # A re-seed only asks each demo step whether its data is there: a few queries each.
    from banyan.accounts.demo import DEMO_STEPS

    with django_assert_max_num_queries(5 + 3 * len(DEMO_STEPS)):
        second = seed()

    assert "nothing to do" in second
    assert Company.objects.filter(code="demo").count() == 1
    assert User.objects.filter(company=company).count() == count


def test_seed_demo_reset_rebuilds_the_company_and_leaves_other_companies_alone(demo_seed, org):
    old = Company.objects.get(code="demo")
    old_users = User.objects.filter(company=old).count()
    User.objects.filter(company=old, username="lina").update(real_name="改过的名字")
    users = User.objects.filter(company=org.company).count()

    output = seed("--reset")

    assert "Deleted the demo company demo" in output
    assert "Built the demo company" in output
    new = Company.objects.get(code="demo")
    assert new.pk != old.pk
    assert not User.objects.filter(company_id=old.pk).exists()
    assert User.objects.filter(company=new).count() == old_users
    assert User.objects.get(company=new, username="lina").real_name == "李娜"
    assert User.objects.filter(company=org.company).count() == users
