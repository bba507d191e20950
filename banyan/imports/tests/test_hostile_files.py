"""Hostile and broken files: each gets a clear message, and nothing is written."""

import pytest
from django.test import override_settings

from banyan.core.errors import ValidationFailed
from banyan.customers.models import Customer
from banyan.imports import services
from banyan.imports.models import ImportJob
from banyan.imports.tests import files


def upload(user, upload, **options):
    return services.import_job_create(user=user, kind="customers", upload=upload, **options)


def assert_refused(user, upload_file, fragment, field="file", **options):
    with pytest.raises(ValidationFailed) as refusal:
        upload(user, upload_file, **options)
    message = " ".join(refusal.value.errors[field])
    assert fragment in message, message
    assert not ImportJob.objects.filter(company=user.company).exists()
    assert not Customer.objects.filter(company=user.company).exists()


@pytest.mark.parametrize(
    "upload_file, fragment",
    [
        (files.raw(b"MZ\x90\x00\x03\x00\x00\x00PE\x00\x00", "customers.xlsx"), "not an Excel"),
        (files.raw(b"%PDF-1.7\n1 0 obj<<>>endobj", "customers.xlsx"), "not an Excel"),
        (files.raw(b"PK\x03\x04 not really a zip", "customers.xlsx"), "not an Excel"),
        (files.raw(b"", "customers.csv"), "empty"),
        (files.raw(b"", "customers.xlsx"), "empty"),
        (files.raw(b"MZ\x90\x00binary", "customers.csv"), "not a CSV"),
        (files.raw(b"x", "customers.xls"), "save the file as .xlsx"),
        (files.raw(b"x", "customers.exe"), "Only .xlsx and .csv"),
    ],
    ids=["exe", "pdf", "broken-zip", "empty-csv", "empty-xlsx", "exe-as-csv", "xls", "exe-name"],
)
def test_files_that_are_not_spreadsheets_are_refused(org, upload_file, fragment):
    assert_refused(org.sales1, upload_file, fragment)


def test_a_zip_bomb_is_refused_before_it_is_inflated(org):
    assert_refused(org.sales1, files.zip_bomb(), "compression bomb")


def test_macros_and_external_links_are_refused(org):
    assert_refused(org.sales1, files.xlsx_with_part("xl/vbaProject.bin"), "macros")
    assert_refused(
        org.sales1, files.xlsx_with_part("xl/externalLinks/externalLink1.xml"), "external links"
    )


@override_settings(IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(org):
    rows = [["客户名称"]] + [[f"公司{n:05d}"] for n in range(200)]
    assert_refused(org.sales1, files.csv(rows), "larger than")


def test_an_undecodable_csv_is_refused(org):
    data = bytes(range(128, 256)) * 40
    assert_refused(org.sales1, files.raw(data, "customers.csv"), "encoding")


def test_a_csv_that_is_not_in_the_encoding_given_is_refused(org):
    data = files.csv_bytes([["客户名称"], ["北京沃力森信息技术有限公司"]], "gbk")
    assert_refused(
        org.sales1, files.raw(data, "customers.csv"), "cannot be read", "encoding", encoding="utf-8"
    )
    assert_refused(
        org.sales1, files.raw(data, "customers.csv"), "not an encoding", "encoding", encoding="xx"
    )


def test_the_encoding_given_is_used(org):
    data = files.csv_bytes([["客户名称"], ["北京沃力森信息技术有限公司"]], "gbk")
    job = upload(org.sales1, files.raw(data, "customers.csv"), encoding="GBK")

    assert (job.status, job.encoding, job.rows_valid) == ("previewed", "gb18030", 1)


@pytest.mark.parametrize(
    "upload_file, fragment",
    [
        (files.csv([["客户名称", "电话"]]), "headers but no rows"),
        (files.xlsx([["客户名称", "电话"]]), "headers but no rows"),
        (files.csv([["电话"], ["010-62669000"]]), "Required columns are missing"),
        (files.csv([["what", "ever"], ["1", "2"]]), "No column of the file"),
        (files.raw(b"\r\n\r\n,,\r\n", "customers.csv"), "empty"),
    ],
    ids=["csv-headers-only", "xlsx-headers-only", "no-name", "unknown-headers", "blank-lines"],
)
def test_files_without_rows_to_read_fail_and_write_nothing(org, upload_file, fragment):
    job = upload(org.sales1, upload_file)

    assert job.status == ImportJob.Status.FAILED
    assert fragment in job.error
    with pytest.raises(services.DomainError):
        services.import_job_confirm(user=org.sales1, job=job)
    assert not Customer.objects.filter(company=org.company).exists()


@override_settings(IMPORT_MAX_ROWS=3)
def test_a_file_over_the_row_limit_fails(org):
    job = upload(org.sales1, files.csv([["客户名称"]] + [[f"公司{n}"] for n in range(4)]))

    assert job.status == ImportJob.Status.FAILED
    assert "more than 3 rows" in job.error


def test_formulas_are_imported_as_their_text_never_evaluated(org):
    rows = [["客户名称", "备注"], ["=1+1", '=HYPERLINK("http://evil","x")']]
    job = services.import_job_confirm(user=org.sales1, job=upload(org.sales1, files.xlsx(rows)))

    assert job.status == "done", job.error
    customer = Customer.objects.get(company=org.company)
    assert (customer.name, customer.notes) == ("=1+1", '=HYPERLINK("http://evil","x")')


def test_a_large_gbk_csv_is_recognised_whatever_the_detector_reads_of_it():
    from banyan.imports.files import SAMPLE_BYTES, detect_encoding

    line = "北京沃力森信息技术有限公司,张三,13812345678\r\n".encode("gbk")
    # The detector's sample would end in the middle of a character without the line cut.
    for pad in range(len(line)):
        header = ("客户名称,联系人,手机" + " " * pad + "\r\n").encode("gbk")
        data = header + line * (SAMPLE_BYTES // len(line) + 50)
        if data[:SAMPLE_BYTES].count(b"\x80") == 0 and data[SAMPLE_BYTES - 1] >= 0x81:
            try:
                data[:SAMPLE_BYTES].decode("gb18030")
            except UnicodeDecodeError:
                break
    else:
        raise AssertionError("no padding cuts a character")

    assert detect_encoding(data) == "gb18030"
