"""Time the customer import: N rows of customers with one contact each, on PostgreSQL.

    .venv/bin/python -m bench.imports --rows 100000
    BENCH_IMPORT_DATABASE=postgres://postgres@127.0.0.1:5432/banyan_imports (the default)

The database is migrated and a company made in it on the first run; every run imports into a
fresh company of its own. The tasks run in-process (the immediate backend), so the two
timings are the check (the preview) and the write (the confirmed import, one transaction).
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banyan.settings")
    os.environ.setdefault("SECRET_KEY", "banyan-bench-key-not-secret")
    os.environ.setdefault("DEBUG", "false")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    os.environ.setdefault("IMPORT_MAX_BYTES", str(200 * 1024 * 1024))
    sys.path.insert(0, str(ROOT))


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
PLACES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州"]
TRADES = ["信息技术", "贸易", "机械", "电子", "物流", "食品", "建材", "医药", "教育", "咨询"]
# The middle of a company's name, as real names have one: no two rows share the run of
# Chinese characters the search text's pinyin is made from.
WORDS = "华泰宏远恒信达安康盛鑫源海德新力森瑞丰嘉禾联合创汇通明光天宇博晨锦辉金银星"
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"]


def csv_file(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("客户名称,客户类型,电话,联系人,手机,职务,邮箱\r\n")
    names: set[str] = set()
    # Every row's phones are its own (random ones of 10^9 mobiles and 3·10^7 landlines repeat
    # by chance: the birthday problem, 150 rows in 100,000 skipped as duplicates) and real
    # numbers (mobiles 154 and 194 and Beijing 800 are no prefixes of numbers in use, so 5% of
    # the rows were refused).
    landlines = rng.sample(range(6 * 10**7, 8 * 10**7), rows)
    mobiles = rng.sample(range(10**8), rows)
    prefixes = [
        f"1{a}{b}" for a in "3589" for b in "0123456789" if f"1{a}{b}" not in ("154", "194")
    ]
    for n in range(rows):
        name = ""
        while not name or name in names:
            word = "".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 5)))
            name = f"{rng.choice(PLACES)}{word}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
        names.add(name)
        mobile = f"{rng.choice(prefixes)}{mobiles[n]:08d}"
        contact = rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋")
        out.write(
            f"{name},普通客户,010-{landlines[n]},{contact},{mobile},经理,c{n}@example.com\r\n"
        )
    return out.getvalue().encode("gb18030")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "BENCH_IMPORT_DATABASE", "postgres://postgres@127.0.0.1:5432/banyan_imports"
        ),
    )
    args = parser.parse_args()
    configure(args.database)
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from banyan.accounts import services as account_services
    from banyan.imports import services

    code = f"imp{int(time.time())}"
    _company, boss = account_services.company_create(
        code=code,
        name=f"导入测试{code}",
        plan="formal",
        boss_username="boss",
        boss_password="Bench-pass-2026",
        boss_real_name="王总",
    )
    data = csv_file(args.rows, seed=int(time.time()) % 1000)
    print(f"{args.rows} rows, {len(data) / 1e6:.1f} MB of GB18030 CSV")
    started = time.perf_counter()
    job = services.import_job_create(
        user=boss, kind="customers", upload=SimpleUploadedFile("customers.csv", data)
    )
    checked = time.perf_counter()
    print(
        f"check: {checked - started:.1f} s ({args.rows / (checked - started):,.0f} rows/s), "
        f"status {job.status}, {job.rows_valid} valid, {len(job.errors)} errors, "
        f"{len(job.duplicates)} duplicates {job.error}"
    )
    job = services.import_job_confirm(user=boss, job=job)
    written = time.perf_counter()
    print(
        f"write (plan re-verified, then written): {written - checked:.1f} s "
        f"({job.rows_written / (written - checked):,.0f} rows/s), status {job.status} {job.error}"
    )
    print(
        f"upload to done: {written - started:.1f} s ({args.rows / (written - started):,.0f} rows/s)"
    )


if __name__ == "__main__":
    main()
