"""Seed a PostgreSQL database with one large company and many small ones around it.

The people, companies, dictionaries, warehouses and categories go through the services. The
large tables are written in bulk, by `INSERT … SELECT` over `generate_series`, with every
column the services keep filled as they would fill it: the customers' duplicate key and search
text (name, pinyin, initials, contact names and phones, in the services' order), the copies of
the customer's owner on every row hung on a customer (and its name where a row keeps it), the
opportunity board's positions, the agreements' totals (lines, paid, invoiced) and the payment
plans' paid amounts, running numbers and their sequences, stock levels equal to the sum of
their movements. Every choice is a hash of the row's number, so a seed is the same every time.
`verify()` proves it afterwards (`check_visibility_copies`, `check_stock`, `check_tallies`, the
totals, a sample of search texts rebuilt by the services' own function).

The bulk load drops the secondary indexes of the tables it fills and builds them again at the
end, and skips the foreign-key triggers (`session_replication_role = replica`): the keys are
computed, and `verify()` checks them.
"""

import datetime
import itertools
import time
from dataclasses import dataclass, field

PASSWORD = "bench-2026"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国志红梅林文斌宇浩凯"
CITIES = [
    "北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州", "天津", "重庆",
]  # fmt: skip
WORDS = list("华信达盛恒泰安丰瑞鑫宏远博创智联")
TRADES = [
    "科技", "贸易", "电子", "机械", "物流", "软件", "医疗", "建材", "食品", "咨询", "化工", "印务",
]  # fmt: skip
SUBJECTS = [
    "电话沟通需求", "上门拜访", "发送报价单", "产品演示", "确认合同条款", "催收回款",
    "售后回访", "邀请参加展会", "微信跟进", "技术交流", "商务谈判", "节日问候",
]  # fmt: skip
TASK_SUBJECTS = ["回访客户", "准备报价", "安排演示", "跟进合同", "催款提醒", "拜访计划"]
PRODUCT_NAMES = ["软件授权", "实施服务", "服务器", "交换机", "打印机", "显示器", "运维服务", "培训"]
SUMMARIES = ["客户需求明确，预计下月签约", "客户预算有限，需要领导支持", "竞争激烈，建议降价"]

# What one big company holds at SCALE=1 (issue 11); small companies hold SMALL_SHARE of it
# between them, each with a boss and SMALL_REPS reps.
FULL = {
    "users": 1000,
    "directors": 10,
    "managers": 50,
    "customers": 1_000_000,
    "contacts_per_customer": 2,
    "activities": 5_000_000,
    "tasks": 500_000,
    "opportunities": 200_000,
    "agreements": 300_000,
    "products": 5_000,
    "warehouses": 5,
    "slips": 2_000,
    "work_summaries": 100_000,
    "shares_per_rep": 5,
    "small_companies": 999,
}
SMALL_SHARE = 0.1
SMALL_REPS = 2

# Tables filled in bulk: their secondary indexes are dropped during the load.
BULK_TABLES = [
    "customers_customer",
    "customers_contact",
    "customers_customershare",
    "activities_activity",
    "activities_task",
    "activities_worksummary",
    "opportunities_opportunity",
    "opportunities_stagechange",
    "agreements_agreement",
    "agreements_agreementline",
    "finance_paymentplan",
    "finance_payment",
    "finance_invoice",
    "products_product",
    "inventory_stockslip",
    "inventory_stockslipline",
    "inventory_stockmovement",
    "inventory_stocklevel",
]


@dataclass
class Sizes:
    scale: float
    directors: int
    managers: int
    reps: int
    customers: int
    activities: int
    tasks: int
    opportunities: int
    agreements: int
    products: int
    slips: int
    work_summaries: int
    small_companies: int
    small: dict = field(default_factory=dict)

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        def n(key, least=1):
            return max(least, round(FULL[key] * scale))

        directors, managers = n("directors"), n("managers")
        users = max(directors + 2 * managers + 4, n("users"))
        small_companies = n("small_companies", 2)
        per_small = SMALL_SHARE / FULL["small_companies"]

        def s(key, least):
            return max(least, round(FULL[key] * scale * per_small * FULL["small_companies"]
                                    / small_companies))  # fmt: skip

        return cls(
            scale=scale,
            directors=directors,
            managers=managers,
            reps=users - 1 - directors - 2 * managers,
            customers=n("customers", 50),
            activities=n("activities", 50),
            tasks=n("tasks", 20),
            opportunities=n("opportunities", 20),
            agreements=n("agreements", 20),
            products=max(40, n("products")),
            slips=max(20, n("slips")),
            work_summaries=n("work_summaries", 10),
            small_companies=small_companies,
            small={
                "customers": s("customers", 5),
                "activities": s("activities", 10),
                "tasks": s("tasks", 2),
                "opportunities": s("opportunities", 2),
                "agreements": s("agreements", 2),
                "products": 20,
                "work_summaries": s("work_summaries", 1),
            },
        )


def log(message: str) -> None:
    print(f"  [{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


# --- people and companies, through the services ---------------------------------------------


def build_people(sizes: Sizes):
    """The big company's line (boss → directors → managers with an assistant each → reps;
    a few reps directly under a director or the boss), and the small companies."""
    from django.db import transaction

    from banyan.accounts import services
    from banyan.accounts.models import SPECIAL_PERMISSION_CODENAMES, Company, Role

    def add(actor, username, role, superior=None, assistant_of=None, permissions=()):
        return services.user_create(
            actor=actor,
            username=username,
            password=PASSWORD,
            real_name=username,
            role=role,
            superior=superior,
            assistant_of=assistant_of,
            permissions=permissions,
            check_password_strength=False,
        )

    all_rights = SPECIAL_PERMISSION_CODENAMES
    with transaction.atomic():
        company, boss = services.company_create(
            code="bench",
            name="基准测试有限公司",
            plan=Company.Plan.FORMAL,
            boss_username="boss",
            boss_password=PASSWORD,
            check_password_strength=False,
        )
        Company.objects.filter(pk=company.pk).update(uses_inventory=True)
        directors = [
            add(boss, f"d{d}", Role.DIRECTOR, boss, permissions=all_rights if d == 0 else ())
            for d in range(sizes.directors)
        ]
        managers = []
        for m in range(sizes.managers):
            director = directors[m % sizes.directors]
            number = m // sizes.directors
            manager = add(
                boss,
                f"{director.username}m{number}",
                Role.MANAGER,
                director,
                permissions=all_rights if m == 0 else (),
            )
            add(boss, f"{manager.username}a", Role.SALES, manager, assistant_of=manager)
            managers.append(manager)
        reps = []
        for r in range(sizes.reps):
            if r == sizes.reps - 1 and sizes.reps > 3:
                superior = boss  # a 2-layer line
            elif r >= sizes.reps - 1 - sizes.directors and sizes.reps > sizes.directors + 3:
                superior = directors[r % sizes.directors]  # 3 layers
            else:
                superior = managers[r % sizes.managers]  # 4 layers
            number = sum(1 for rep in reps if rep.superior_id == superior.pk)
            reps.append(
                add(
                    boss,
                    f"{superior.username}s{number}",
                    Role.SALES,
                    superior,
                    permissions=all_rights if r == 0 else (),
                )
            )
    log(f"company bench: {2 + sizes.directors + 2 * sizes.managers + sizes.reps - 1} users")
    small = []
    for k in range(sizes.small_companies):
        with transaction.atomic():
            other, other_boss = services.company_create(
                code=f"small-{k:04d}",
                name=f"小微企业{k}号",
                plan=Company.Plan.FORMAL,
                boss_username="boss",
                boss_password=PASSWORD,
                check_password_strength=False,
            )
            other_reps = [
                add(other_boss, f"s{r}", Role.SALES, other_boss) for r in range(SMALL_REPS)
            ]
        small.append((other, other_boss, other_reps))
    log(f"{len(small)} small companies")
    return company, boss, reps, small


def build_catalogue(company, boss, warehouses: int):
    """Categories and warehouses of the big company, through the services."""
    from banyan.inventory import services as inventory
    from banyan.products import services as products

    categories = [products.category_create(user=boss, name=f"类别{c}") for c in range(10)]
    stores = [inventory.warehouse_create(user=boss, name=f"{c}仓库") for c in CITIES[:warehouses]]
    return [c.pk for c in categories], [w.pk for w in stores]


# --- the bulk load ---------------------------------------------------------------------------


def _sql_array(values) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def _text_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def lit(value) -> str:
    """A value written into the SQL as a literal (the bulk statements take no parameters,
    so `%` is the modulo operator in them)."""
    from django.db import connection
    from psycopg import sql

    return sql.Literal(value).as_string(connection.connection)


# The name a row hung on a customer copies, in a seeding INSERT … SELECT with `customer_id`.
CUSTOMER_NAME = "(SELECT c.name FROM customers_customer c WHERE c.id = customer_id)"


def insert_select(cursor, model, columns: dict[str, str], source: str) -> int:
    """INSERT INTO model's table (columns…) SELECT expressions… <source>; every other column
    gets the model field's default, as `Model.objects.create` would give it."""
    from django.db import models

    names, expressions = [], []
    for f in model._meta.concrete_fields:
        if f.column in columns:
            names.append(f.column)
            expressions.append(columns[f.column])
            continue
        if f.primary_key:
            continue
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            names.append(f.column)
            expressions.append("now()")
            continue
        if f.null:
            continue
        if not f.has_default() and not f.empty_strings_allowed:
            raise ValueError(f"{model.__name__}.{f.name}: no value and no default")
        names.append(f.column)
        expressions.append(lit(f.get_db_prep_save(f.get_default(), cursor.db)))
    unknown = set(columns) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__}: unknown columns {unknown}")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "
        f"SELECT {', '.join(expressions)} {source}"
    )
    cursor.execute(sql)
    return cursor.rowcount


FUNCTIONS = """
CREATE OR REPLACE FUNCTION bench_h(x bigint, salt int) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8(x * 131 + salt)::bigint & 2147483647) $$;
CREATE OR REPLACE FUNCTION bench_at(t0 timestamptz, k bigint, n bigint, days int)
    RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT t0 + ((k * days::bigint * 86400) / greatest(n, 1)) * interval '1 second' $$;
CREATE OR REPLACE FUNCTION bench_mobile(x bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (ARRAY['138','139','137','136','135','150','151','186','187','188','189'])
        [1 + bench_h(x, 7) % 11] || lpad((bench_h(x, 8) % 100000000)::text, 8, '0') $$;
"""


def _copy(cursor, table: str, rows) -> None:
    with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _vocabulary(cursor) -> tuple[int, int]:
    """Tables of name parts with their pinyin and initials, computed by the services' own
    functions (a customer's name is a prefix from here, a number and 号有限公司)."""
    from banyan.customers.text import name_key, pinyin_forms

    cursor.execute(
        "CREATE TABLE bench_prefix (idx int PRIMARY KEY, name text, key text, full_ text, "
        "init text)"
    )
    rows = []
    for idx, (city, w1, w2, trade) in enumerate(itertools.product(CITIES, WORDS, WORDS, TRADES)):
        name = city + w1 + w2 + trade
        full, init = pinyin_forms(name)
        rows.append((idx, name, name_key(name), full, init))
    _copy(cursor, "bench_prefix", rows)
    prefixes = len(rows)
    cursor.execute(
        "CREATE TABLE bench_person (idx int PRIMARY KEY, name text, full_ text, init text)"
    )
    rows = []
    for idx, (surname, given) in enumerate(itertools.product(SURNAMES, GIVEN)):
        name = surname + given
        full, init = pinyin_forms(name)
        rows.append((idx, name, full, init))
    _copy(cursor, "bench_person", rows)
    return prefixes, len(rows)


def _options(company_id: int, kind: str, codes=None) -> list[int]:
    from banyan.accounts.models import DictionaryOption

    options = DictionaryOption.objects.filter(company_id=company_id, kind=kind).order_by(
        "position", "id"
    )
    if codes:
        options = options.filter(code__in=codes)
    return list(options.values_list("pk", flat=True))


def _plan(cursor, sizes: Sizes, company, boss, reps, small, categories) -> None:
    """bench_plan: one row per company with its counts, the offsets of its rows among all
    companies' rows (global row numbers, from which the keys are computed), and the keys of
    its people and dictionary options."""
    from banyan.accounts.models import DictionaryOption

    cursor.execute(
        """CREATE TABLE bench_plan (
            company_id bigint PRIMARY KEY, boss_id bigint, reps bigint[], nrep int,
            nc bigint, c_off bigint, na bigint, a_off bigint, nt bigint, t_off bigint,
            no bigint, o_off bigint, nag bigint, g_off bigint, np bigint, p_off bigint,
            nws bigint, w_off bigint, types bigint[], sources bigint[], industries bigint[],
            ccats bigint[], atypes bigint[], stages bigint[], sprobs int[], methods bigint[],
            itypes bigint[], cats bigint[], contract_prefix text, order_prefix text,
            regular bigint)"""
    )
    offsets = dict.fromkeys(("c", "a", "t", "o", "g", "p", "w"), 0)
    companies = [(company, boss, reps, None), *((c, b, r, sizes.small) for c, b, r in small)]
    for co, co_boss, co_reps, counts in companies:
        big = counts is None
        n = {
            "c": sizes.customers if big else counts["customers"],
            "a": sizes.activities if big else counts["activities"],
            "t": sizes.tasks if big else counts["tasks"],
            "o": sizes.opportunities if big else counts["opportunities"],
            "g": sizes.agreements if big else counts["agreements"],
            "p": sizes.products if big else counts["products"],
            "w": sizes.work_summaries if big else counts["work_summaries"],
        }
        stages = list(
            DictionaryOption.objects.filter(company_id=co.pk, kind="opportunity_stage")
            .order_by("position", "id")
            .values_list("pk", "probability")
        )
        cursor.execute(
            f"""INSERT INTO bench_plan VALUES (
                %s, %s, {_sql_array(r.pk for r in co_reps)}, %s,
                %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                {_sql_array(_options(co.pk, "customer_type"))},
                {_sql_array(_options(co.pk, "customer_source"))},
                {_sql_array(_options(co.pk, "industry"))},
                {_sql_array(_options(co.pk, "contact_category"))},
                {_sql_array(_options(co.pk, "activity_type"))},
                {_sql_array(pk for pk, _p in stages)},
                ARRAY[{",".join(str(p or 0) for _pk, p in stages)}]::int[],
                {_sql_array(_options(co.pk, "payment_method"))},
                {_sql_array(_options(co.pk, "invoice_type"))},
                {_sql_array(categories if big else [])}, %s, %s, %s)""",
            [
                co.pk, co_boss.pk, len(co_reps),
                n["c"], offsets["c"], n["a"], offsets["a"], n["t"], offsets["t"],
                n["o"], offsets["o"], n["g"], offsets["g"], n["p"], offsets["p"],
                n["w"], offsets["w"], co.contract_number_prefix, co.order_number_prefix,
                next(iter(_options(co.pk, "customer_type", ["regular"])), None),
            ],
        )  # fmt: skip
        for key in offsets:
            offsets[key] += n[key]


def _bases(cursor) -> dict[str, int]:
    bases = {}
    for key, table in (
        ("customer", "customers_customer"),
        ("contact", "customers_contact"),
        ("product", "products_product"),
        ("agreement", "agreements_agreement"),
        ("plan", "finance_paymentplan"),
        ("payment", "finance_payment"),
        ("opportunity", "opportunities_opportunity"),
    ):
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        bases[key] = cursor.fetchone()[0]
    return bases


def _drop_indexes(cursor) -> list[str]:
    """Drop the secondary (non-constraint) indexes of the bulk tables; return their DDL."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conname = i.indexname)""",
        [BULK_TABLES],
    )
    found = cursor.fetchall()
    for name, _ddl in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [ddl for _name, ddl in found]


def rebuild_indexes(ddls: list[str]) -> int:
    """Build the dropped indexes again, two at a time (GIN indexes build in one process, and
    the machine has two cores), the largest tables first."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    dsn = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    order = {table: position for position, table in enumerate(BULK_TABLES)}

    def cost(ddl: str):
        table = ddl.split(" ON ")[1].split()[0].removeprefix("public.")
        return ("USING gin" not in ddl, order.get(table, 99))

    def build(ddl: str) -> None:
        started = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as own:
            own.execute("SET maintenance_work_mem = '1GB'")
            own.execute(ddl)
        seconds = time.perf_counter() - started
        if seconds > 10:
            log(f"  {seconds:5.0f} s  {ddl[:110]}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(build, sorted(ddls, key=cost)))
    return len(ddls)


def bulk_load(sizes: Sizes, company, boss, reps, small, categories, warehouses) -> dict:
    from django.db import connection, transaction

    from banyan.activities.models import Activity, Task, WorkSummary
    from banyan.agreements.models import Agreement, AgreementLine
    from banyan.core.models import NumberSequence
    from banyan.customers.models import Contact, Customer
    from banyan.finance.models import Invoice, Payment, PaymentPlan
    from banyan.inventory.models import (
        StockLevel,
        StockMovement,
        StockSlip,
        StockSlipLine,
    )
    from banyan.opportunities.models import Opportunity, StageChange
    from banyan.products.models import Product

    t0 = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    now = lit(t0)
    days_ago = {d: lit(t0 - datetime.timedelta(days=d)) for d in (60, 366, 400, 730, 1096)}
    timings = {}

    def step(label, run):
        started = time.perf_counter()
        count = run()
        timings[label] = round(time.perf_counter() - started, 1)
        log(f"{label}: {count:,} rows in {timings[label]:.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(FUNCTIONS)
        nprefix, nperson = _vocabulary(cursor)
        _plan(cursor, sizes, company, boss, reps, small, categories)
        b = _bases(cursor)
        dropped = _drop_indexes(cursor)
        log(f"dropped {len(dropped)} indexes for the load")

        owner = "p.reps[1 + bench_h(g, 1) % p.nrep]"  # the owner of customer number g
        # One row per customer of every company: g is its number among all companies' rows.
        customers_of = (
            "FROM bench_plan p, generate_series(1, p.nc) i, LATERAL (SELECT p.c_off + i AS g) gg"
        )

        def customers():
            na_i = "(p.na - i)"
            created = f"bench_at({days_ago[1096]}, i, p.nc, 1095)"
            customer_type = "p.types[1 + bench_h(g, 2) % cardinality(p.types)]"
            last = f"i + p.nc * ({na_i} / p.nc)"  # the customer's last activity
            mobile1, mobile2 = "bench_mobile(2 * g - 1)", "bench_mobile(2 * g)"
            phone = "bench_mobile(-g)"
            return insert_select(
                cursor,
                Customer,
                {
                    "id": f"{b['customer']} + g",
                    "company_id": "p.company_id",
                    "name": "pre.name || i || '号有限公司'",
                    "kind": "'enterprise'",
                    "type_id": customer_type,
                    "source_id": "p.sources[1 + bench_h(g, 3) % cardinality(p.sources)]",
                    "industry_id": "p.industries[1 + bench_h(g, 4) % cardinality(p.industries)]",
                    "phone": phone,
                    "owner_id": owner,
                    "created_by_id": owner,
                    "is_hot": "i % 199 = 0",
                    "last_contacted_at": f"CASE WHEN i <= p.na THEN "
                    f"bench_at({days_ago[730]}, {last}, p.na, 729) END",
                    "name_key": "pre.key || i || '号有限公司'",
                    # refresh_search_text: name, its pinyin and initials; each contact's name,
                    # pinyin, initials (primary first, then by name); the phones, each also
                    # without dashes: the customer's, the contacts' mobiles, their phones.
                    "search_text": "concat_ws(' ', pre.name || i || '号有限公司', "
                    "pre.full_ || i || 'haoyouxiangongsi', "
                    "pre.init || left(i::text, 1) || 'hyxgs', "
                    "c1.name, c1.full_, c1.init, c2.name, c2.full_, c2.init, "
                    f"{phone}, {phone}, {mobile1}, {mobile1}, {mobile2}, {mobile2})",
                    "created_at": created,
                    "updated_at": created,
                    # A regular customer was potential first: converted 0–89 days after
                    # it came (never after now), as `customer_signed` would have set it.
                    "converted_at": f"CASE WHEN {customer_type} = p.regular THEN LEAST("
                    f"{created} + (bench_h(g, 41) % 90) * interval '1 day', {now}) END",
                },
                f"""{customers_of}
                JOIN bench_prefix pre ON pre.idx = bench_h(g, 5) % {nprefix}
                JOIN bench_person c1 ON c1.idx = bench_h(2 * g - 1, 6) % {nperson}
                JOIN bench_person c2 ON c2.idx = bench_h(2 * g, 6) % {nperson}""",
            )

        step("customers", customers)

        def contacts():
            return insert_select(
                cursor,
                Contact,
                {
                    "id": f"{b['contact']} + 2 * (g - 1) + k",
                    "company_id": "p.company_id",
                    "customer_id": f"{b['customer']} + g",
                    "customer_owner_id": owner,
                    "name": "c.name",
                    "category_id": "p.ccats[1 + bench_h(2 * (g - 1) + k, 9) "
                    "% cardinality(p.ccats)]",
                    "mobile": "bench_mobile(2 * (g - 1) + k)",
                    "is_primary": "k = 1",
                    "created_by_id": owner,
                    "search_text": "c.name || ' ' || bench_mobile(2 * (g - 1) + k)",
                    "created_at": f"bench_at({days_ago[1096]}, i, p.nc, 1095)",
                    "updated_at": f"bench_at({days_ago[1096]}, i, p.nc, 1095)",
                },
                f"""{customers_of}, generate_series(1, 2) k, bench_person c
                WHERE c.idx = bench_h(2 * (g - 1) + k, 6) % {nperson}""",
            )

        step("contacts", contacts)

        # Rows on a random customer i of the company (g its number among all customers).
        def on_customer(count: str, offset: str, salt: int, var: str) -> str:
            return (
                f"FROM bench_plan p, generate_series(1, p.{count}) {var}, "
                f"LATERAL (SELECT p.{offset} + {var} AS n, "
                f"1 + bench_h(p.{offset} + {var}, {salt}) % p.nc AS i) r, "
                "LATERAL (SELECT p.c_off + r.i AS g) gg"
            )

        def activities():
            # Activity a of a company is on its customer 1 + (a - 1) % nc: the customers'
            # last_contacted_at above is the time of each one's last activity.
            return insert_select(
                cursor,
                Activity,
                {
                    "company_id": "p.company_id",
                    "customer_id": f"{b['customer']} + g",
                    "customer_owner_id": owner,
                    "contact_id": f"CASE bench_h(p.a_off + a, 10) % 3 WHEN 2 THEN NULL "
                    f"ELSE {b['contact']} + 2 * (g - 1) + 1 + bench_h(p.a_off + a, 10) % 3 END",
                    "type_id": "p.atypes[1 + bench_h(p.a_off + a, 11) % cardinality(p.atypes)]",
                    "subject": f"({_text_array(SUBJECTS)})"
                    f"[1 + bench_h(p.a_off + a, 12) % {len(SUBJECTS)}]",
                    "occurred_at": f"bench_at({days_ago[730]}, a, p.na, 729)",
                    "owner_id": owner,
                    "created_at": f"bench_at({days_ago[730]}, a, p.na, 729)",
                    "updated_at": f"bench_at({days_ago[730]}, a, p.na, 729)",
                },
                "FROM bench_plan p, generate_series(1, p.na) a, "
                "LATERAL (SELECT p.c_off + 1 + (a - 1) % p.nc AS g) gg",
            )

        step("activities", activities)

        def tasks():
            has = "bench_h(n, 13) % 10 <> 0"
            due = f"bench_at({days_ago[60]}, t, p.nt, 120)"
            return insert_select(
                cursor,
                Task,
                {
                    "company_id": "p.company_id",
                    "customer_id": f"CASE WHEN {has} THEN {b['customer']} + g END",
                    "customer_owner_id": f"CASE WHEN {has} THEN {owner} END",
                    "subject": f"({_text_array(TASK_SUBJECTS)})"
                    f"[1 + bench_h(n, 14) % {len(TASK_SUBJECTS)}]",
                    "due_at": due,
                    "assignee_id": f"CASE WHEN {has} THEN {owner} "
                    "ELSE p.reps[1 + bench_h(n, 15) % p.nrep] END",
                    "created_by_id": f"CASE WHEN {has} THEN {owner} "
                    "ELSE p.reps[1 + bench_h(n, 15) % p.nrep] END",
                    "done_at": f"CASE WHEN {due} < {now} AND bench_h(n, 16) % 10 < 7 "
                    f"THEN {due} + interval '1 hour' END",
                    "created_at": f"{due} - interval '3 days'",
                    "updated_at": f"{due} - interval '3 days'",
                },
                on_customer("nt", "t_off", 17, "t"),
            )

        step("tasks", tasks)

        def opportunities():
            created = f"bench_at({days_ago[730]}, o, p.no, 729)"
            return insert_select(
                cursor,
                Opportunity,
                {
                    "id": f"{b['opportunity']} + n",
                    "company_id": "company_id",
                    "customer_id": "customer_id",
                    "customer_owner_id": "owner_id",
                    "customer_name": CUSTOMER_NAME,
                    "name": "name",
                    "stage_id": "stage_id",
                    "probability": "CASE status WHEN 'won' THEN 100 WHEN 'lost' THEN 0 "
                    "ELSE probability END",
                    "expected_amount": "expected_amount",
                    "expected_close_date": "(created_at + interval '60 days')::date",
                    "status": "status",
                    "closed_at": "CASE WHEN status <> 'open' "
                    "THEN created_at + interval '30 days' END",
                    "owner_id": "owner_id",
                    "created_by_id": "owner_id",
                    "position": "CASE WHEN status = 'open' THEN row_number() OVER "
                    "(PARTITION BY company_id, stage_id, status = 'open' ORDER BY n) - 1 "
                    "ELSE 0 END",
                    "created_at": "created_at",
                    "updated_at": "created_at",
                },
                f"""FROM (SELECT p.company_id, n, {b["customer"]} + g AS customer_id,
                        {owner} AS owner_id, pre.name || '项目' || o AS name,
                        p.stages[1 + bench_h(n, 18) % cardinality(p.stages)] AS stage_id,
                        p.sprobs[1 + bench_h(n, 18) % cardinality(p.stages)] AS probability,
                        CASE WHEN bench_h(n, 19) % 20 < 14 THEN 'open'
                             WHEN bench_h(n, 19) % 20 < 17 THEN 'won' ELSE 'lost' END AS status,
                        (1000 + bench_h(n, 20) % 200000)::numeric(14, 2) AS expected_amount,
                        {created} AS created_at
                    {on_customer("no", "o_off", 21, "o")}, bench_prefix pre
                    WHERE pre.idx = bench_h(g, 5) % {nprefix}) x""",
            )

        step("opportunities", opportunities)

        def stage_changes():
            created = insert_select(
                cursor,
                StageChange,
                {
                    "company_id": "o.company_id",
                    "opportunity_id": "o.id",
                    "to_stage_id": "o.stage_id",
                    "to_probability": "coalesce(s.probability, 0)",
                    "from_status": "''",
                    "to_status": "'open'",
                    "changed_by_id": "o.owner_id",
                    "changed_at": "o.created_at",
                    "created_at": "o.created_at",
                    "updated_at": "o.created_at",
                },
                "FROM opportunities_opportunity o JOIN accounts_dictionaryoption s "
                f"ON s.id = o.stage_id WHERE o.id > {b['opportunity']}",
            )
            closed = insert_select(
                cursor,
                StageChange,
                {
                    "company_id": "o.company_id",
                    "opportunity_id": "o.id",
                    "from_stage_id": "o.stage_id",
                    "to_stage_id": "o.stage_id",
                    "from_probability": "coalesce(s.probability, 0)",
                    "to_probability": "o.probability",
                    "from_status": "'open'",
                    "to_status": "o.status",
                    "changed_by_id": "o.owner_id",
                    "changed_at": "o.closed_at",
                    "created_at": "o.closed_at",
                    "updated_at": "o.closed_at",
                },
                "FROM opportunities_opportunity o JOIN accounts_dictionaryoption s "
                f"ON s.id = o.stage_id WHERE o.id > {b['opportunity']} AND o.status <> 'open'",
            )
            return created + closed

        step("stage changes", stage_changes)

        price = "(100 + bench_h(p.p_off + k, 30) % 20000)::numeric(14, 2)"
        pname = f"({_text_array(PRODUCT_NAMES)})[1 + k % {len(PRODUCT_NAMES)}] || '-' || k"

        def products():
            return insert_select(
                cursor,
                Product,
                {
                    "id": f"{b['product']} + p.p_off + k",
                    "company_id": "p.company_id",
                    "code": "'P' || lpad(k::text, 5, '0')",
                    "name": pname,
                    "unit": "CASE WHEN k % 4 = 0 THEN '项' ELSE '件' END",
                    "category_id": "p.cats[1 + k % greatest(cardinality(p.cats), 1)]",
                    "kind": "CASE WHEN k % 4 = 0 THEN 'service' ELSE 'physical' END",
                    "list_price": price,
                    "cost": f"round({price} * 0.6, 2)",
                    "tracks_stock": "k % 4 <> 0",
                    "low_stock_threshold": "CASE WHEN k % 4 <> 0 THEN 10 ELSE 0 END",
                    "created_by_id": "p.boss_id",
                },
                "FROM bench_plan p, generate_series(1, p.np) k",
            )

        step("products", products)

        # Agreement n (number among all companies' agreements) is on customer g; its kind,
        # lines and status are hashes of n.
        kind = "CASE WHEN bench_h(n, 22) % 3 = 0 THEN 'contract' ELSE 'order' END"

        def lines():
            product = (
                f"CASE WHEN {kind} = 'contract' "
                "THEN 4 * (1 + bench_h(n * 4 + l, 24) % (p.np / 4)) "
                "ELSE 1 + bench_h(n * 4 + l, 24) % p.np END"
            )
            return insert_select(
                cursor,
                AgreementLine,
                {
                    "company_id": "p.company_id",
                    "agreement_id": f"{b['agreement']} + n",
                    "product_id": f"{b['product']} + p.p_off + k",
                    "description": pname,
                    "unit": "CASE WHEN k % 4 = 0 THEN '项' ELSE '件' END",
                    "unit_price": price,
                    "quantity": "q",
                    "amount": f"{price} * q",
                    "unit_cost": f"round({price} * 0.6, 2)",
                    "position": "l - 1",
                },
                f"""FROM bench_plan p, generate_series(1, p.nag) a,
                    LATERAL (SELECT p.g_off + a AS n) nn,
                    LATERAL generate_series(1, 1 + bench_h(n, 23) % 3) l,
                    LATERAL (SELECT {product} AS k, 1 + bench_h(n * 4 + l, 25) % 5 AS q) x""",
            )

        step("agreement lines", lines)

        def agreements():
            status = (
                "CASE WHEN bench_h(n, 26) % 20 < 2 THEN 'draft' "
                "WHEN bench_h(n, 26) % 20 < 8 THEN 'signed' "
                "WHEN bench_h(n, 26) % 20 < 14 THEN 'executing' "
                "WHEN bench_h(n, 26) % 20 < 19 THEN 'completed' ELSE 'cancelled' END"
            )
            half = "round(amount / 2, 2)"
            pays = "status IN ('signed', 'executing', 'completed')"
            second = "(status = 'completed' OR bench_h(n, 27) % 5 = 0)"
            return insert_select(
                cursor,
                Agreement,
                {
                    "id": f"{b['agreement']} + n",
                    "company_id": "company_id",
                    "customer_id": "customer_id",
                    "customer_owner_id": "owner_id",
                    "customer_name": CUSTOMER_NAME,
                    "kind": "kind",
                    "number": "CASE kind WHEN 'contract' THEN contract_prefix ELSE order_prefix "
                    "END || lpad((row_number() OVER (PARTITION BY company_id, kind ORDER BY n))"
                    "::text, 6, '0')",
                    "title": "title",
                    "owner_id": "owner_id",
                    "status": "status",
                    "signed_on": "CASE WHEN status <> 'draft' "
                    "THEN (created_at + interval '3 days')::date END",
                    "lines_total": "amount",
                    "amount": "amount",
                    "planned_amount": f"CASE WHEN {pays} THEN amount ELSE 0 END",
                    "paid_amount": f"CASE WHEN {pays} THEN {half} + CASE WHEN {second} "
                    f"THEN amount - {half} ELSE 0 END ELSE 0 END",
                    "invoiced_amount": f"CASE WHEN {pays} AND bench_h(n, 28) % 4 <> 0 "
                    f"THEN {half} ELSE 0 END",
                    "cancel_reason": "CASE WHEN status = 'cancelled' THEN '客户取消' ELSE '' END",
                    "cancelled_at": "CASE WHEN status = 'cancelled' "
                    "THEN created_at + interval '20 days' END",
                    "created_by_id": "owner_id",
                    "created_at": "created_at",
                    "updated_at": "created_at",
                },
                f"""FROM (SELECT p.company_id, n, {b["customer"]} + g AS customer_id,
                        {owner} AS owner_id, {kind} AS kind, {status} AS status,
                        p.contract_prefix, p.order_prefix,
                        pre.name || CASE WHEN {kind} = 'contract'
                            THEN '服务合同' ELSE '采购订单' END
                            AS title,
                        lt.total AS amount, bench_at({days_ago[730]}, a, p.nag, 729) AS created_at
                    {on_customer("nag", "g_off", 29, "a")}, bench_prefix pre,
                    (SELECT agreement_id, sum(amount) AS total
                     FROM agreements_agreementline
                     WHERE agreement_id > {b["agreement"]} GROUP BY agreement_id) lt
                    WHERE pre.idx = bench_h(g, 5) % {nprefix}
                      AND lt.agreement_id = {b["agreement"]} + n) x""",
            )

        step("agreements", agreements)

        # Money on the agreements that take payments: two plans (half, the rest); the first
        # paid in two payments, the second paid in one when completed or for one in five;
        # an invoice of the first half for three in four. The agreement's planned, paid and
        # invoiced amounts above are these sums.
        money = (
            f"FROM agreements_agreement ag, LATERAL (SELECT ag.id - {b['agreement']} AS n, "
            "round(ag.amount / 2, 2) AS half) h "
            f"WHERE ag.id > {b['agreement']} AND ag.status IN ('signed', 'executing', 'completed')"
        )
        second = "(ag.status = 'completed' OR bench_h(n, 27) % 5 = 0)"

        def plans():
            return insert_select(
                cursor,
                PaymentPlan,
                {
                    "id": f"{b['plan']} + 2 * (n - 1) + k",
                    "company_id": "ag.company_id",
                    "agreement_id": "ag.id",
                    "customer_id": "ag.customer_id",
                    "customer_owner_id": "ag.customer_owner_id",
                    "customer_name": "ag.customer_name",
                    "due_on": "ag.signed_on + CASE k WHEN 1 THEN 30 ELSE 90 END",
                    "amount": "CASE k WHEN 1 THEN half ELSE ag.amount - half END",
                    "paid_amount": f"CASE WHEN k = 1 THEN half WHEN {second} "
                    "THEN ag.amount - half ELSE 0 END",
                    "created_by_id": "ag.created_by_id",
                    "created_at": "ag.created_at",
                    "updated_at": "ag.created_at",
                },
                money.replace(" WHERE ", ", generate_series(1, 2) k WHERE "),
            )

        step("payment plans", plans)

        def payments():
            return insert_select(
                cursor,
                Payment,
                {
                    "id": f"{b['payment']} + 3 * (n - 1) + k",
                    "company_id": "ag.company_id",
                    "agreement_id": "ag.id",
                    "customer_id": "ag.customer_id",
                    "customer_owner_id": "ag.customer_owner_id",
                    "customer_name": "ag.customer_name",
                    "plan_id": f"{b['plan']} + 2 * (n - 1) + CASE k WHEN 3 THEN 2 ELSE 1 END",
                    "paid_on": "ag.signed_on + 10 * k",
                    "amount": "CASE k WHEN 1 THEN round(half / 2, 2) "
                    "WHEN 2 THEN half - round(half / 2, 2) ELSE ag.amount - half END",
                    "method_id": "p.methods[1 + bench_h(n, 31) % cardinality(p.methods)]",
                    "owner_id": "ag.owner_id",
                    "recorded_by_id": "p.boss_id",
                    "created_at": "ag.created_at + k * interval '10 days'",
                    "updated_at": "ag.created_at + k * interval '10 days'",
                },
                money.replace(
                    " WHERE ",
                    ", generate_series(1, 3) k, bench_plan p WHERE p.company_id = ag.company_id "
                    f"AND (k < 3 OR {second}) AND ",
                ),
            )

        step("payments", payments)

        def invoices():
            return insert_select(
                cursor,
                Invoice,
                {
                    "company_id": "ag.company_id",
                    "agreement_id": "ag.id",
                    "customer_id": "ag.customer_id",
                    "customer_owner_id": "ag.customer_owner_id",
                    "customer_name": "ag.customer_name",
                    "number": "'FP' || lpad(n::text, 8, '0')",
                    "type_id": "p.itypes[1 + bench_h(n, 32) % cardinality(p.itypes)]",
                    "title": "c.name",
                    "amount": "half",
                    "issued_on": "ag.signed_on + 15",
                    "recorded_by_id": "p.boss_id",
                    "created_at": "ag.created_at + interval '15 days'",
                    "updated_at": "ag.created_at + interval '15 days'",
                },
                money.replace(
                    " WHERE ",
                    ", customers_customer c, bench_plan p WHERE c.id = ag.customer_id "
                    "AND p.company_id = ag.company_id AND bench_h(n, 28) % 4 <> 0 AND ",
                ),
            )

        step("invoices", invoices)

        def summaries():
            return insert_select(
                cursor,
                WorkSummary,
                {
                    "company_id": "p.company_id",
                    "customer_id": f"{b['customer']} + g",
                    "customer_owner_id": owner,
                    "kind": "CASE WHEN bench_h(n, 33) % 10 = 0 THEN 'help_request' "
                    "ELSE 'evaluation' END",
                    "content": f"({_text_array(SUMMARIES)})[1 + bench_h(n, 34) % {len(SUMMARIES)}]",
                    "author_id": owner,
                    "created_at": f"bench_at({days_ago[730]}, w, p.nws, 729)",
                    "updated_at": f"bench_at({days_ago[730]}, w, p.nws, 729)",
                },
                on_customer("nws", "w_off", 35, "w"),
            )

        step("work summaries", summaries)

        def shares():
            # Each rep of the big company sees a few customers of other reps, shared.
            cursor.execute(
                f"""INSERT INTO customers_customershare
                    (company_id, customer_id, user_id, level, shared_by_id, created_at, updated_at)
                SELECT DISTINCT ON (c.id, u.id) p.company_id, c.id, u.id,
                    CASE WHEN bench_h(u.id * 10 + k, 36) % 2 = 0 THEN 'view' ELSE 'edit' END,
                    p.boss_id, now(), now()
                FROM bench_plan p, unnest(p.reps) u(id),
                     generate_series(1, {FULL["shares_per_rep"]}) k,
                     customers_customer c
                WHERE p.company_id = {company.pk}
                  AND c.id = {b["customer"]} + p.c_off + 1 + bench_h(u.id * 10 + k, 37) % p.nc
                  AND c.owner_id <> u.id"""
            )
            return cursor.rowcount

        step("shares", shares)

        def stock():
            # Initial stock of every tracked product in every warehouse, inbound slips
            # (nine in ten confirmed, their lines moved in), levels = the sum of movements.
            cursor.execute(
                f"SELECT {b['product']} + p_off, np FROM bench_plan WHERE company_id = %s",
                [company.pk],
            )
            first_product, nproducts = cursor.fetchone()
            whs = _sql_array(warehouses)
            rows = insert_select(
                cursor,
                StockMovement,
                {
                    "company_id": str(company.pk),
                    "product_id": f"{first_product} + k",
                    "warehouse_id": "w",
                    "quantity": "100 + bench_h(w * 100000 + k, 38) % 900",
                    "reason": "'initial'",
                    "moved_by_id": str(boss.pk),
                    "moved_at": days_ago[400],
                    "created_at": days_ago[400],
                    "updated_at": days_ago[400],
                },
                f"FROM unnest({whs}) w, generate_series(1, {nproducts}) k WHERE k % 4 <> 0",
            )
            rows += insert_select(
                cursor,
                StockSlip,
                {
                    "company_id": str(company.pk),
                    "kind": "'inbound'",
                    "number": "'RK' || lpad(s::text, 6, '0')",
                    "warehouse_id": f"({whs})[1 + s % {len(warehouses)}]",
                    "status": "CASE WHEN s % 10 = 0 THEN 'draft' ELSE 'confirmed' END",
                    "created_by_id": str(boss.pk),
                    "decided_by_id": f"CASE WHEN s % 10 = 0 THEN NULL ELSE {boss.pk} END",
                    "decided_at": "CASE WHEN s % 10 = 0 THEN NULL ELSE "
                    f"bench_at({days_ago[366]}, s, {sizes.slips}, 365) END",
                    "created_at": f"bench_at({days_ago[366]}, s, {sizes.slips}, 365)",
                    "updated_at": f"bench_at({days_ago[366]}, s, {sizes.slips}, 365)",
                },
                f"FROM generate_series(1, {sizes.slips}) s",
            )
            cursor.execute(
                "SELECT min(id) FROM inventory_stockslip WHERE company_id = %s", [company.pk]
            )
            first_slip = cursor.fetchone()[0]
            tracked = f"(1 + bench_h(s * 3 + l, 39) % {nproducts})"
            rows += insert_select(
                cursor,
                StockSlipLine,
                {
                    "company_id": "sl.company_id",
                    "slip_id": "sl.id",
                    "product_id": f"{first_product} + {tracked} - CASE WHEN {tracked} % 4 = 0 "
                    "THEN 1 ELSE 0 END",
                    "quantity": "10 + bench_h(s * 3 + l, 40) % 90",
                },
                f"FROM inventory_stockslip sl, LATERAL (SELECT sl.id - {first_slip} + 1 AS s) ss, "
                f"generate_series(1, 3) l WHERE sl.company_id = {company.pk}",
            )
            rows += insert_select(
                cursor,
                StockMovement,
                {
                    "company_id": "sl.company_id",
                    "product_id": "li.product_id",
                    "warehouse_id": "sl.warehouse_id",
                    "quantity": "li.quantity",
                    "reason": "'inbound'",
                    "slip_id": "sl.id",
                    "moved_by_id": "sl.decided_by_id",
                    "moved_at": "sl.decided_at",
                    "created_at": "sl.decided_at",
                    "updated_at": "sl.decided_at",
                },
                "FROM inventory_stockslipline li JOIN inventory_stockslip sl ON sl.id = li.slip_id "
                f"WHERE sl.company_id = {company.pk} AND sl.status = 'confirmed'",
            )
            rows += insert_select(
                cursor,
                StockLevel,
                {
                    "company_id": "company_id",
                    "product_id": "product_id",
                    "warehouse_id": "warehouse_id",
                    "quantity": "sum(quantity)",
                },
                f"FROM inventory_stockmovement WHERE company_id = {company.pk} "
                "GROUP BY company_id, product_id, warehouse_id",
            )
            NumberSequence.objects.update_or_create(
                company_id=company.pk, key="slip_inbound", defaults={"last": sizes.slips}
            )
            return rows

        step("stock", stock)

        def sequences():
            cursor.execute(
                """INSERT INTO core_numbersequence (company_id, key, last, created_at, updated_at)
                SELECT company_id, kind, count(*), now(), now() FROM agreements_agreement
                GROUP BY company_id, kind
                ON CONFLICT (company_id, key) DO UPDATE SET last = EXCLUDED.last"""
            )
            count = cursor.rowcount
            for table in (
                "customers_customer",
                "customers_contact",
                "products_product",
                "agreements_agreement",
                "finance_paymentplan",
                "finance_payment",
                "opportunities_opportunity",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            return count

        step("number sequences", sequences)

        cursor.execute("DROP TABLE bench_prefix, bench_person, bench_plan")
        cursor.execute(
            "DROP FUNCTION bench_h(bigint, int), bench_at(timestamptz, bigint, bigint, int), "
            "bench_mobile(bigint)"
        )
    step("indexes rebuilt", lambda: rebuild_indexes(dropped))
    # The bulk load skips triggers (replica role): the dashboard's tallies are counted after.
    from banyan.workbench import tallies

    step("monthly tallies", tallies.rebuild)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    timings["vacuum analyze"] = round(time.perf_counter() - started, 1)
    log(f"vacuum analyze: {timings['vacuum analyze']:.1f} s")
    return timings


# --- checks ----------------------------------------------------------------------------------


def verify(company) -> None:
    """Prove the bulk rows are what the services would have written."""
    from django.core.management import call_command
    from django.db import connection

    from banyan.core.phones import normalize_phone
    from banyan.customers.models import Customer
    from banyan.customers.text import build_search_text, name_key

    started = time.perf_counter()
    call_command("check_visibility_copies")
    call_command("check_stock")
    call_command("check_tallies")
    problems = []
    checks = {
        "customers without their owner's company": """SELECT count(*) FROM customers_customer c
            JOIN accounts_user u ON u.id = c.owner_id WHERE u.company_id <> c.company_id""",
        "rows on a customer of another company": """SELECT
            (SELECT count(*) FROM activities_activity a JOIN customers_customer c
               ON c.id = a.customer_id WHERE c.company_id <> a.company_id)
          + (SELECT count(*) FROM customers_contact a LEFT JOIN customers_customer c
               ON c.id = a.customer_id WHERE c.id IS NULL OR c.company_id <> a.company_id)""",
        "agreements whose lines total differs": """SELECT count(*) FROM agreements_agreement ag
            LEFT JOIN (SELECT agreement_id, sum(amount) s FROM agreements_agreementline
                       GROUP BY agreement_id) l ON l.agreement_id = ag.id
            WHERE ag.lines_total <> coalesce(l.s, 0) OR ag.amount <> ag.lines_total""",
        "agreements whose planned amount differs": """SELECT count(*)
            FROM agreements_agreement ag
            LEFT JOIN (SELECT agreement_id, sum(amount) s FROM finance_paymentplan
                       GROUP BY agreement_id) l ON l.agreement_id = ag.id
            WHERE ag.planned_amount <> coalesce(l.s, 0)""",
        "agreements whose paid amount differs": """SELECT count(*) FROM agreements_agreement ag
            LEFT JOIN (SELECT agreement_id, sum(amount) s FROM finance_payment
                       GROUP BY agreement_id) l ON l.agreement_id = ag.id
            WHERE ag.paid_amount <> coalesce(l.s, 0)""",
        "agreements whose invoiced amount differs": """SELECT count(*)
            FROM agreements_agreement ag
            LEFT JOIN (SELECT agreement_id, sum(amount) s FROM finance_invoice
                       GROUP BY agreement_id) l ON l.agreement_id = ag.id
            WHERE ag.invoiced_amount <> coalesce(l.s, 0)""",
        "plans whose paid amount differs": """SELECT count(*) FROM finance_paymentplan pl
            LEFT JOIN (SELECT plan_id, sum(amount) s FROM finance_payment GROUP BY plan_id) l
              ON l.plan_id = pl.id WHERE pl.paid_amount <> coalesce(l.s, 0)""",
        "customers whose last contact differs": """SELECT count(*) FROM customers_customer c
            LEFT JOIN (SELECT customer_id, max(occurred_at) m FROM activities_activity
                       GROUP BY customer_id) a ON a.customer_id = c.id
            WHERE c.last_contacted_at IS DISTINCT FROM a.m""",
        "open cards whose board position is not their rank": """SELECT count(*) FROM (
            SELECT position, row_number() OVER (PARTITION BY company_id, stage_id
                                                ORDER BY position, id) - 1 AS rank
            FROM opportunities_opportunity WHERE status = 'open') x WHERE position <> rank""",
    }
    with connection.cursor() as cursor:
        for label, sql in checks.items():
            cursor.execute(sql)
            count = cursor.fetchone()[0]
            if count:
                problems.append(f"{label}: {count}")
    sample = Customer.objects.filter(company=company).order_by("?")[:200]
    for customer in sample:
        contacts = list(customer.contacts.values_list("name", "mobile", "phone"))
        expected = build_search_text(
            name=customer.name,
            phones=[customer.phone] + [c[1] for c in contacts] + [c[2] for c in contacts],
            contact_names=[c[0] for c in contacts],
            email=customer.email,
        )
        if customer.search_text != expected or customer.name_key != name_key(customer.name):
            problems.append(f"customer {customer.pk}: {customer.search_text!r} != {expected!r}")
            break
        if normalize_phone(customer.phone) != customer.phone:
            problems.append(f"customer {customer.pk}: phone {customer.phone!r} not normalised")
            break
    if problems:
        raise SystemExit(
            "The seeded data is not what the services would write:\n  " + "\n  ".join(problems)
        )
    log(f"verified in {time.perf_counter() - started:.1f} s")


# --- the marker: one seed per database --------------------------------------------------------

MARKER = "bench_seed"


def seeded(scale: float) -> dict | None:
    """The marker of a finished seed at this scale, or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT scale, seconds, counts, finished_at FROM {MARKER}")
        row = cursor.fetchone()
    if row is None or float(row[0]) != float(scale):
        return None
    import json

    found = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    return {"scale": float(row[0]), "seconds": row[1], "counts": found, "finished_at": row[3]}


def counts(company) -> dict:
    from django.apps import apps
    from django.db import connection

    found = {"companies": apps.get_model("accounts", "Company").objects.count()}
    with connection.cursor() as cursor:
        for label, table in (
            ("users", "accounts_user"),
            ("customers", "customers_customer"),
            ("contacts", "customers_contact"),
            ("activities", "activities_activity"),
            ("tasks", "activities_task"),
            ("opportunities", "opportunities_opportunity"),
            ("agreements", "agreements_agreement"),
            ("agreement lines", "agreements_agreementline"),
            ("payment plans", "finance_paymentplan"),
            ("payments", "finance_payment"),
            ("invoices", "finance_invoice"),
            ("products", "products_product"),
            ("stock slips", "inventory_stockslip"),
            ("stock levels", "inventory_stocklevel"),
            ("work summaries", "activities_worksummary"),
            ("shares", "customers_customershare"),
        ):
            cursor.execute(
                f"SELECT count(*) FILTER (WHERE company_id = %s), count(*) FROM {table}",
                [company.pk],
            )
            mine, total = cursor.fetchone()
            found[label] = {"big company": mine, "all companies": total}
    return found


def seed(scale: float) -> dict:
    """Seed the (empty, migrated) database at `scale` and leave the marker; return it."""
    from django.db import connection

    from banyan.accounts.models import Company

    sizes = Sizes.at(scale)
    started = time.perf_counter()
    log(f"seeding SCALE={scale}: {sizes.customers:,} customers in the big company, "
        f"{sizes.small_companies} small companies")  # fmt: skip
    company, boss, reps, small = build_people(sizes)
    categories, warehouses = build_catalogue(company, boss, FULL["warehouses"])
    people_seconds = time.perf_counter() - started
    timings = {"people and companies (services)": round(people_seconds, 1)}
    timings.update(bulk_load(sizes, company, boss, reps, small, categories, warehouses))
    verify(Company.objects.get(pk=company.pk))
    seconds = round(time.perf_counter() - started, 1)
    found = counts(company)
    import json

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER} (scale numeric, seconds numeric, counts jsonb, "
            "timings jsonb, finished_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} (scale, seconds, counts, timings) VALUES (%s, %s, %s, %s)",
            [scale, seconds, json.dumps(found, ensure_ascii=False), json.dumps(timings)],
        )
    log(f"seeded in {seconds:.0f} s")
    return seeded(scale)
