"""Demo data of the customers app: a few hundred customers with contacts, through the services."""

import random

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.accounts.models import DictionaryOption
from banyan.customers import services
from banyan.customers.models import Customer

DEMO_REPS = [
    "lina", "zhangwei", "liuyang", "zhaolei", "huangting", "wubin", "gaofeng",
    "luomin", "liangchen", "songjia", "tangliang", "hanxue", "fengkai",
]  # fmt: skip
CUSTOMERS_PER_REP = 23

CITIES = {
    "北京": ("010", ["朝阳区建国路", "海淀区中关村大街", "东城区东直门南大街", "丰台区南四环西路"]),
    "上海": ("021", ["浦东新区张江路", "徐汇区漕溪北路", "静安区南京西路", "闵行区莘庄工业区"]),
    "广州": ("020", ["天河区天河路", "越秀区环市东路", "番禺区市桥街"]),
    "深圳": ("0755", ["南山区科技园", "福田区深南大道", "宝安区西乡街道"]),
    "杭州": ("0571", ["西湖区文三路", "滨江区网商路", "余杭区文一西路"]),
    "南京": ("025", ["鼓楼区中山北路", "江宁区秣周东路"]),
    "苏州": ("0512", ["工业园区星湖街", "吴中区东吴北路"]),
    "成都": ("028", ["高新区天府大道", "武侯区人民南路"]),
}
BRANDS = [
    "恒信", "华瑞", "宏远", "盛达", "鑫源", "博创", "智联", "安泰",
    "丰华", "明珠", "天成", "金桥", "新锐", "永兴", "嘉禾", "远航",
]  # fmt: skip
TRADES = [
    ("科技", "it"),
    ("软件", "it"),
    ("电子", "manufacturing"),
    ("机械制造", "manufacturing"),
    ("商贸", "retail"),
    ("物流", "logistics"),
    ("医疗器械", "healthcare"),
    ("建设工程", "construction"),
    ("教育咨询", "education"),
    ("投资管理", "finance"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"
    "谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
)
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "霞", "平", "刚", "建华", "志强", "秀英", "海燕", "晓东", "文博",
    "雅婷", "子涵",
]  # fmt: skip
TITLES = [
    "总经理",
    "采购经理",
    "技术总监",
    "财务主管",
    "行政经理",
    "副总经理",
    "项目经理",
    "IT主管",
]
MOBILE_PREFIXES = ["138", "139", "137", "136", "135", "150", "151", "158", "186", "187", "189"]
TYPE_WEIGHTS = [("potential", 45), ("regular", 35), ("vip", 10), ("partner", 5), ("lost", 5)]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


@DEMO_STEPS.register
def demo_customers(company, users) -> bool:
    if Customer.objects.filter(company=company).exists():
        return False
    rng = random.Random(20261126)
    options = {
        (o.kind, o.code): o
        for o in DictionaryOption.objects.filter(
            company=company,
            kind__in=["customer_type", "customer_source", "industry", "contact_category"],
        )
    }
    sources = [o for (kind, _code), o in options.items() if kind == "customer_source"]
    categories = [o for (kind, _code), o in options.items() if kind == "contact_category"]
    type_codes = [code for code, weight in TYPE_WEIGHTS for _ in range(weight)]
    used_names = set()
    for rep_name in DEMO_REPS:
        rep = users[rep_name]
        hot_left = 3
        for index in range(CUSTOMERS_PER_REP):
            city = rng.choice(list(CITIES))
            area, streets = CITIES[city]
            customer_type = options[("customer_type", rng.choice(type_codes))]
            if index % 6 == 5:
                name = _person(rng)
                while name in used_names:
                    name = _person(rng)
                kind, industry = "individual", None
                phone = _mobile(rng)
                contacts = [{"name": name, "mobile": phone, "is_primary": True}]
            else:
                trade, industry_code = rng.choice(TRADES)
                name = f"{city}{rng.choice(BRANDS)}{trade}有限公司"
                while name in used_names:
                    name = f"{city}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{trade}有限公司"
                kind, industry = "enterprise", options[("industry", industry_code)]
                phone = f"{area}-{rng.randrange(2, 9)}{rng.randrange(10**6, 10**7)}"
                contacts = [
                    {
                        "name": _person(rng),
                        "title": rng.choice(TITLES),
                        "mobile": _mobile(rng),
                        "category": rng.choice(categories).pk,
                        "is_primary": n == 0,
                    }
                    for n in range(rng.randint(1, 3))
                ]
            used_names.add(name)
            customer = services.customer_create(
                user=rep,
                name=name,
                kind=kind,
                type=customer_type.pk,
                source=rng.choice(sources).pk,
                industry=industry.pk if industry else None,
                region=city,
                address=f"{city}市{rng.choice(streets)}{rng.randint(1, 999)}号",
                phone=phone,
                contacts=contacts,
                confirm_duplicates=True,
            )
            if hot_left and customer_type.code in ("potential", "regular") and rng.random() < 0.3:
                services.customer_set_hot(user=rep, customer=customer, is_hot=True)
                hot_left -= 1
    # A few customers shared across departments, as real teams do.
    lina_customers = list(Customer.objects.filter(company=company, owner=users["lina"])[:2])
    services.customer_share(
        user=users["lina"], customer=lina_customers[0], target=users["gaofeng"], level="view"
    )
    services.customer_share(
        user=users["lina"], customer=lina_customers[1], target=users["songjia"], level="edit"
    )
    return True


@DEMO_RESET_STEPS.register
def demo_customers_reset(company) -> None:
    Customer.objects.filter(company=company).delete()
