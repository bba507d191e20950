"""The public demo company (演示帐户): its people here, its business data from other apps.

`build_demo_company()` makes the company and its users through the services, then runs every
registered demo step. Apps add their mock data by registering steps in their own `demo.py`
module (found automatically, in INSTALLED_APPS order):

    from banyan.accounts.demo import DEMO_STEPS

    @DEMO_STEPS.register
    def demo_customers(company, users):
        if Customer.objects.filter(company=company).exists():
            return False          # already there: a step is idempotent
        ...create through the services, acting as users["boss"], users["lina"], ...
        return True               # made something

`users` maps username → User. A step that makes rows which protect users or each other from
deletion (`on_delete=PROTECT`) also registers a reset step (`@DEMO_RESET_STEPS.register`)
that removes them, so that `seed_demo --reset` can delete the company.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from banyan.accounts import services
from banyan.accounts.models import Company, Role, User
from banyan.core.errors import DomainError
from banyan.core.hooks import Hook

DEMO_PASSWORD = "demo-2026"
DEMO_COMPANY_NAME = "榕树演示科技有限公司"
DEMO_EMAIL_DOMAIN = "rongshu-demo.example"

# fn(company, users_by_username) -> truthy when it made something; run after the people, each
# in its own transaction.
DEMO_STEPS = Hook("demo company built", "company, users")
# fn(company) -> None; run in reverse order by `seed_demo --reset` before the company goes.
DEMO_RESET_STEPS = Hook("demo company reset", "company")


def discover_demo_modules() -> None:
    """Import each Banyan app's `demo` module so that its steps register themselves."""
    for app_config in apps.get_app_configs():
        if app_config.name.startswith("banyan.") and module_has_submodule(
            app_config.module, "demo"
        ):
            import_module(f"{app_config.name}.demo")


@dataclass(frozen=True)
class DemoPerson:
    username: str
    real_name: str
    role: str
    mobile: str
    superior: str | None = None
    assistant_of: str | None = None
    permissions: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


# The boss is made with the company (admin, every special permission). The others follow in
# an order where each superior comes before the people reporting to them:
#
#   林国栋 boss ─┬─ 周建华 华东大区总监 ─┬─ 王海涛 上海一部经理 ─┬─ 李娜, 张伟, 刘洋
#               │                       │                      └─ 郑晓燕 (王海涛的助理)
#               │                       ├─ 孙丽 杭州部经理 ───── 赵磊, 黄婷
#               │                       └─ 吴斌 (straight under the director)
#               ├─ 马志强 华北大区总监 ─┬─ 何静 北京部经理 ───── 高峰, 罗敏, 梁晨
#               │                       └─ 宋佳
#               ├─ 许文博 大客户与渠道部总监 ── 唐亮, 韩雪
#               └─ 冯凯 (key accounts, straight under the boss)
#   陈雅琴 vice boss (not admin) ─┬─ 邓建国 warehouse keeper
#                                 └─ 曹丽华 customer service
#   徐慧 finance (a boss without admin rights: sees every agreement, records payments)
DEMO_BOSS = DemoPerson("boss", "林国栋", Role.BOSS, "13800210001")
DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson(
        "chenyaqin",
        "陈雅琴",
        Role.BOSS,
        "13916580233",
        permissions=("view_reports", "see_costs", "export_data"),
    ),
    DemoPerson(
        "xuhui",
        "徐慧",
        Role.BOSS,
        "13588120476",
        permissions=("finance", "view_reports", "see_costs", "export_data"),
    ),
    DemoPerson(
        "zhoujianhua",
        "周建华",
        Role.DIRECTOR,
        "18621305588",
        "boss",
        permissions=("view_reports", "export_data"),
    ),
    DemoPerson(
        "mazhiqiang",
        "马志强",
        Role.DIRECTOR,
        "18910437765",
        "boss",
        permissions=("view_reports", "export_data"),
    ),
    DemoPerson(
        "xuwenbo",
        "许文博",
        Role.DIRECTOR,
        "13651987720",
        "boss",
        permissions=("view_reports", "manage_products"),
    ),
    DemoPerson(
        "wanghaitao",
        "王海涛",
        Role.MANAGER,
        "15021476633",
        "zhoujianhua",
        permissions=("view_reports",),
    ),
    DemoPerson(
        "sunli", "孙丽", Role.MANAGER, "15867341209", "zhoujianhua", permissions=("view_reports",)
    ),
    DemoPerson(
        "hejing", "何静", Role.MANAGER, "18501734418", "mazhiqiang", permissions=("view_reports",)
    ),
    DemoPerson("lina", "李娜", Role.SALES, "13761048892", "wanghaitao"),
    DemoPerson("zhangwei", "张伟", Role.SALES, "15900371126", "wanghaitao"),
    DemoPerson("liuyang", "刘洋", Role.SALES, "18717265590", "wanghaitao"),
    DemoPerson(
        "zhengxiaoyan", "郑晓燕", Role.SALES, "17701862345", "wanghaitao", assistant_of="wanghaitao"
    ),
    DemoPerson("zhaolei", "赵磊", Role.SALES, "15158642207", "sunli"),
    DemoPerson("huangting", "黄婷", Role.SALES, "13305718846", "sunli"),
    DemoPerson("wubin", "吴斌", Role.SALES, "18968120039", "zhoujianhua"),
    DemoPerson("gaofeng", "高峰", Role.SALES, "13482659903", "hejing"),
    DemoPerson("luomin", "罗敏", Role.SALES, "18610352274", "hejing"),
    DemoPerson("liangchen", "梁晨", Role.SALES, "13122587761", "hejing"),
    DemoPerson("songjia", "宋佳", Role.SALES, "13970325561", "mazhiqiang"),
    DemoPerson("tangliang", "唐亮", Role.SALES, "19921058873", "xuwenbo"),
    DemoPerson("hanxue", "韩雪", Role.SALES, "16621093345", "xuwenbo"),
    DemoPerson("fengkai", "冯凯", Role.SALES, "13601762098", "boss", permissions=("export_data",)),
    DemoPerson(
        "dengjianguo",
        "邓建国",
        Role.SALES,
        "18817436650",
        "chenyaqin",
        permissions=("warehouse_keeper", "manage_products", "purchasing"),
    ),
    DemoPerson(
        "caolihua",
        "曹丽华",
        Role.SALES,
        "15216893327",
        "chenyaqin",
        permissions=("customer_service",),
    ),
]


@dataclass
class DemoBuild:
    company: Company
    created: bool
    steps_with_changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.steps_with_changes)


@transaction.atomic
def _build_people(code: str) -> Company:
    company, boss = services.company_create(
        code=code,
        name=DEMO_COMPANY_NAME,
        plan=Company.Plan.DEMO,
        boss_username=DEMO_BOSS.username,
        boss_password=DEMO_PASSWORD,
        boss_real_name=DEMO_BOSS.real_name,
        boss_email=DEMO_BOSS.email,
        boss_mobile=DEMO_BOSS.mobile,
        contact_name=DEMO_BOSS.real_name,
        contact_email=DEMO_BOSS.email,
        contact_phone="021-64381234",
        check_password_strength=False,
    )
    # The settings services refuse demo companies (visitors must not change them); the
    # seeder provisions the demo as the operator would, with every module switched on.
    company.uses_inventory = True
    company.save(update_fields=["uses_inventory", "updated_at"])
    boss.company = company
    users = {boss.username: boss}
    for person in DEMO_PEOPLE:
        # Provisioning, as the operator would: visitors of the demo cannot manage its users.
        users[person.username] = services.user_create(
            actor=None,
            company=company,
            username=person.username,
            password=DEMO_PASSWORD,
            real_name=person.real_name,
            mobile=person.mobile,
            email=person.email,
            role=person.role,
            superior=users[person.superior] if person.superior else None,
            assistant_of=users[person.assistant_of] if person.assistant_of else None,
            permissions=person.permissions,
            check_password_strength=False,
        )
    return company


def demo_company() -> Company | None:
    return Company.objects.filter(code=settings.BANYAN_DEMO_COMPANY_CODE).first()


def build_demo_company() -> DemoBuild:
    """The demo company, made if missing, then every registered demo step (idempotent).

    Refuses when the demo code belongs to a company that is not a demo.
    """
    discover_demo_modules()
    code = settings.BANYAN_DEMO_COMPANY_CODE
    company = demo_company()
    if company is not None and not company.is_demo:
        raise DomainError(
            _("The company code %(code)s belongs to a company that is not the demo.")
            % {"code": code}
        )
    build = DemoBuild(company=company, created=company is None)
    if build.created:
        build.company = _build_people(code)
    users = {}
    for user in User.objects.filter(company=build.company):
        user.company = build.company
        users[user.username] = user
    for step in DEMO_STEPS:
        with transaction.atomic():
            if step(build.company, users):
                build.steps_with_changes.append(step.__name__)
    return build
