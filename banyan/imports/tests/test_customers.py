"""Importing customers with their contacts: the preview, the write, the revert."""

import pytest

from banyan.customers import services as customer_services
from banyan.customers.models import Contact, Customer
from banyan.imports import services
from banyan.imports.models import ImportJob
from banyan.imports.tests import files

HEADERS_ZH = ["客户名称", "客户类型", "电话", "联系人", "手机", "职务", "负责人"]


def upload(user, upload, **options):
    return services.import_job_create(user=user, kind="customers", upload=upload, **options)


def test_a_gbk_csv_as_chinese_excel_writes_it_is_previewed_and_imported(org):
    rows = [
        HEADERS_ZH,
        [
            "北京沃力森信息技术有限公司",
            "潜在客户",
            "010-62669000",
            "张三",
            "１３８１２３４５６７８",
            "经理",
            "",
        ],
        ["北京沃力森信息技术有限公司", "潜在客户", "", "李四", "13912345678", "采购", ""],
        ["上海榕树贸易有限公司", "普通客户", "", "王五", "13698765432", "", "sales1"],
    ]
    job = upload(org.manager1, files.csv(rows, encoding="gbk"))

    assert job.status == ImportJob.Status.PREVIEWED
    assert job.encoding == "gb18030"
    assert (job.rows_total, job.rows_valid, job.errors, job.duplicates) == (3, 3, [], [])
    assert not Customer.objects.filter(company=org.company).exists()

    job = services.import_job_confirm(user=org.manager1, job=job)

    assert job.status == ImportJob.Status.DONE
    assert (job.rows_written, job.progress) == (3, 100)
    wl = Customer.objects.get(company=org.company, name="北京沃力森信息技术有限公司")
    assert wl.owner == org.manager1
    assert wl.type.code == "potential"
    assert wl.phone == "010-62669000"
    assert sorted(wl.contacts.values_list("name", "mobile", "title")) == [
        ("张三", "13812345678", "经理"),
        ("李四", "13912345678", "采购"),
    ]
    assert "bjwls" in wl.search_text and "13812345678" in wl.search_text
    assert wl.history.count() == 1
    shanghai = Customer.objects.get(company=org.company, name="上海榕树贸易有限公司")
    assert shanghai.owner == org.sales1
    contact = shanghai.contacts.get()
    assert contact.customer_owner_id == org.sales1.pk
    assert contact.search_text == "王五 13698765432"


def test_an_xlsx_with_english_headers_in_any_order_and_case(org):
    rows = [
        ["MOBILE", " contact name ", "Customer Name*", "Unknown column", "customer type"],
        [13812345678, "Zhang", "Acme Ltd", "x", "regular"],
    ]
    job = upload(org.sales1, files.xlsx(rows))

    assert job.status == "previewed", job.error
    assert job.unknown_columns == ["Unknown column"]
    services.import_job_confirm(user=org.sales1, job=job)
    acme = Customer.objects.get(company=org.company, name="Acme Ltd")
    assert acme.type.code == "regular"
    assert acme.contacts.get().mobile == "13812345678"


def test_a_utf8_bom_csv(org):
    data = "\ufeff客户名称,电话\r\n深圳甲公司,0755-88888888\r\n".encode()
    job = upload(org.sales1, files.raw(data, "客户.csv"))

    assert (job.status, job.encoding, job.rows_valid) == ("previewed", "utf_8_sig", 1)


@pytest.fixture
def hidden_customer(org, make_customer):
    """A customer of sales3 (manager2's line), whom sales1 cannot see."""
    return make_customer(org.sales3, name="杭州隐藏客户有限公司", phone="0571-88888888")


def test_the_preview_lists_exactly_the_bad_rows(org, hidden_customer):
    rows = [
        HEADERS_ZH,
        ["好公司一", "", "", "张三", "13812345678", "", ""],  # 2: good
        ["坏手机公司", "", "", "李四", "1381234", "", ""],  # 3: bad mobile
        ["", "", "", "王五", "13912345678", "", ""],  # 4: missing name
        ["类型公司", "不存在的类型", "", "", "", "", ""],  # 5: unknown type
        ["好公司一", "", "", "张三", "13812345678", "", ""],  # 6: repeats row 2
        ["杭州隐藏客户有限公司", "", "", "", "", "", ""],  # 7: hidden duplicate
        ["好公司二", "", "", "", "", "", ""],  # 8: good
    ]
    job = upload(org.sales1, files.csv(rows, encoding="gbk"))

    assert job.rows_total == 7
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "手机"),
        (4, "客户名称"),
        (5, "客户类型"),
    ]
    assert "11 digits" in job.errors[0]["message"]
    assert [d["row"] for d in job.duplicates] == [6, 7]
    assert "Repeats row 2" in job.duplicates[0]["message"]
    hidden = job.duplicates[1]["message"]
    assert "sales3" in hidden and "杭州隐藏客户有限公司" not in hidden
    assert job.rows_valid == 2

    services.import_job_confirm(user=org.sales1, job=job)

    names = set(Customer.objects.filter(company=org.company).values_list("name", flat=True))
    assert names == {"好公司一", "好公司二", "杭州隐藏客户有限公司"}
    assert Contact.objects.filter(company=org.company, customer__name="好公司一").count() == 1


def test_a_failure_halfway_leaves_no_row(org, monkeypatch):
    from banyan.customers import services as customer_services
    from banyan.imports.importers import customers as importer

    real = customer_services.insert_with_history
    calls = {"n": 0}

    def failing(rows, model, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the second batch of customers
            raise RuntimeError("disk full")
        return real(rows, model, **kwargs)

    monkeypatch.setattr(importer, "BATCH", 2)
    monkeypatch.setattr(customer_services, "insert_with_history", failing)
    rows = [["客户名称", "联系人"]] + [[f"公司{n}", f"人{n}"] for n in range(5)]
    job = upload(org.sales1, files.csv(rows))
    job = services.import_job_confirm(user=org.sales1, job=job)

    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was imported" in job.error and "RuntimeError" in job.error
    assert not Customer.objects.filter(company=org.company).exists()
    assert not Contact.objects.filter(company=org.company).exists()


def test_revert_removes_what_was_created_and_keeps_a_customer_changed_since(org):
    rows = [["客户名称", "联系人"], ["甲公司", "甲"], ["乙公司", "乙"], ["丙公司", ""]]
    job = services.import_job_confirm(user=org.sales1, job=upload(org.sales1, files.csv(rows)))
    changed = Customer.objects.get(company=org.company, name="乙公司")
    customer_services.customer_update(user=org.sales1, customer=changed, notes="改过")
    used = Customer.objects.get(company=org.company, name="丙公司")
    customer_services.contact_create(user=org.sales1, customer=used, name="后来的人")

    job = services.import_job_revert(user=org.sales1, job=job)

    assert job.status == ImportJob.Status.REVERTED
    assert set(Customer.objects.filter(company=org.company).values_list("name", flat=True)) == {
        "乙公司",
        "丙公司",
    }
    assert {k["name"] for k in job.revert_kept} == {"乙公司", "丙公司"}
    assert Contact.objects.filter(company=org.company, name="乙").exists()


def test_update_duplicates_and_revert_gives_back_the_old_values(org, make_customer):
    existing = make_customer(org.sales1, name="老客户有限公司", address="旧地址")
    rows = [["客户名称", "地址", "联系人"], ["老客户有限公司", "新地址", "新人"]]
    job = upload(org.sales1, files.csv(rows), on_duplicate="update")

    assert job.rows_valid == 1
    assert "will be updated" in job.duplicates[0]["message"]
    job = services.import_job_confirm(user=org.sales1, job=job)
    existing.refresh_from_db()
    assert existing.address == "新地址"
    assert existing.contacts.get().name == "新人"

    services.import_job_revert(user=org.sales1, job=job)

    existing.refresh_from_db()
    assert existing.address == "旧地址"
    assert not existing.contacts.exists()


def test_update_is_refused_where_the_user_may_not_edit(org, hidden_customer):
    rows = [["客户名称", "地址"], ["杭州隐藏客户有限公司", "新地址"]]
    job = upload(org.sales1, files.csv(rows), on_duplicate="update")

    assert job.rows_valid == 0
    assert "may not change it" in job.duplicates[0]["message"]


def test_an_owner_the_importer_may_not_assign_to_is_an_error(org):
    rows = [["客户名称", "负责人"], ["甲公司", "sales3"], ["乙公司", "nobody"]]
    job = upload(org.sales1, files.csv(rows))

    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "负责人"), (3, "负责人")]
    assert job.rows_valid == 0
    with pytest.raises(services.DomainError):
        services.import_job_confirm(user=org.sales1, job=job)


def test_a_duplicate_made_between_the_preview_and_the_confirmation_is_skipped(org, make_customer):
    rows = [["客户名称", "联系人"], ["甲公司", "甲"], ["乙公司", "乙"]]
    job = upload(org.sales1, files.csv(rows))
    assert job.rows_valid == 2
    make_customer(org.sales2, name="乙公司")

    job = services.import_job_confirm(user=org.sales1, job=job)

    assert (job.status, job.rows_written, job.rows_valid) == ("done", 1, 1)
    assert [d["row"] for d in job.duplicates] == [3]
    assert Customer.objects.filter(company=org.company, name="乙公司").count() == 1


def test_a_checked_plan_is_trusted_only_while_no_customer_was_written_since(
    org, make_customer, django_assert_max_num_queries
):
    import datetime

    from django.utils import timezone

    from banyan.imports.importers import customers as importer

    job = upload(
        org.sales1, files.csv([["客户名称", "联系人"], ["甲公司", "甲"], ["乙公司", "乙"]])
    )
    plan = services._kept_plan(job, org.sales1)
    assert plan is not None
    # A quiet company: nothing written since the check began; no duplicate lookup needed.
    plan.extra["checked_from"] = (timezone.now() + datetime.timedelta(seconds=1)).isoformat()
    with django_assert_max_num_queries(4):
        assert importer.still_valid(user=org.sales1, plan=plan, on_duplicate="skip")

    plan.extra["checked_from"] = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    make_customer(org.sales2, name="丙公司")  # not a duplicate: the full check still passes
    assert importer.still_valid(user=org.sales1, plan=plan, on_duplicate="skip")
    make_customer(org.sales2, name="乙公司")  # a duplicate since: the plan is stale
    assert not importer.still_valid(user=org.sales1, plan=plan, on_duplicate="skip")


def test_a_user_made_inactive_meanwhile_is_not_given_customers(org, make_customer):
    from banyan.accounts.models import User

    rows = [["客户名称", "负责人"], ["甲公司", "sales2"]]
    job = upload(org.manager1, files.csv(rows))
    assert job.rows_valid == 1
    User.objects.filter(pk=org.sales2.pk).update(is_active=False)

    job = services.import_job_confirm(user=org.manager1, job=job)

    assert job.rows_written == 0 and job.errors[0]["column"] == "负责人"
    assert not Customer.objects.filter(company=org.company).exists()


def test_an_import_whose_worker_stopped_is_marked_failed(org):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    job = upload(org.sales1, files.csv([["客户名称"], ["甲公司"]]))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    fresh = upload(org.sales1, files.csv([["客户名称"], ["乙公司"]]))
    ImportJob.objects.filter(pk=fresh.pk).update(status="running")

    call_command("fail_interrupted_imports")

    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, fresh.status) == ("failed", "running")
    assert "interrupted" in job.error
    assert not Customer.objects.filter(company=org.company).exists()


def test_the_sweep_removes_uploaded_files_past_their_keeping_time(org):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    done = services.import_job_confirm(
        user=org.sales1, job=upload(org.sales1, files.csv([["客户名称"], ["甲公司"]]))
    )
    waiting = upload(org.sales1, files.csv([["客户名称"], ["乙公司"]]))
    fresh = upload(org.sales1, files.csv([["客户名称"], ["丙公司"]]))
    old = timezone.now() - datetime.timedelta(days=8)
    ImportJob.objects.filter(pk__in=[done.pk, waiting.pk]).update(created_at=old)
    storage = done.file.storage
    paths = [done.file.name, waiting.file.name, f"{waiting.file.name}.plan.json.gz"]
    assert all(storage.exists(path) for path in paths)

    call_command("sweep_imports")

    assert not any(storage.exists(path) for path in paths)
    assert storage.exists(fresh.file.name)
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.status, done.file.name, len(done.created_ids["customers"])) == ("done", "", 1)
    assert waiting.status == "failed" and "Upload it again" in waiting.error
    assert Customer.objects.filter(company=org.company, name="甲公司").exists()


def test_every_row_of_a_skipped_duplicate_is_listed(org, make_customer):
    make_customer(org.sales1, name="老客户有限公司")
    rows = [
        ["客户名称", "联系人"],
        ["老客户有限公司", "甲"],
        ["老客户有限公司", "乙"],
        ["新公司", "丙"],
    ]
    job = upload(org.sales1, files.csv(rows))

    assert [d["row"] for d in job.duplicates] == [2, 3]
    assert "on row 2" in job.duplicates[1]["message"]
    assert job.rows_valid == 1
