"""Export then import gives the same records: the customer and product exports write the
import's headers and values, in either language and either format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from banyan.accounts import selectors as account_selectors
from banyan.customers.models import Customer
from banyan.imports import services
from banyan.products import services as product_services
from banyan.products.models import Product

pytestmark = pytest.mark.django_db

CUSTOMER_FIELDS = (
    "name",
    "kind",
    "type_id",
    "source_id",
    "industry_id",
    "region",
    "address",
    "phone",
    "email",
    "website",
    "owner_id",
    "notes",
)
PRODUCT_FIELDS = (
    "code",
    "name",
    "category_id",
    "spec",
    "unit",
    "kind",
    "list_price",
    "cost",
    "tracks_stock",
    "low_stock_threshold",
)


def _export(client, kind: str, file_format: str, language: str) -> bytes:
    answer = client.post(
        "/api/v1/exports/",
        {"kind": kind, "format": file_format, "filters": {}},
        format="json",
        headers={"accept-language": language},
    ).json()
    assert answer["status"] == "done", answer
    response = client.get(answer["download"])
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _import(user, kind: str, data: bytes, file_format: str):
    upload = SimpleUploadedFile(f"export.{file_format}", data)
    job = services.import_job_create(user=user, kind=kind, upload=upload)
    assert job.status == "previewed", job.error
    assert (job.errors, job.duplicates) == ([], [])
    job = services.import_job_confirm(user=user, job=job)
    assert job.status == "done", job.error
    return job


def _records(queryset, fields) -> dict:
    return {row[fields[0]]: row for row in queryset.order_by(fields[0]).values(*fields)}


@pytest.mark.parametrize(("file_format", "language"), [("csv", "zh-hans"), ("xlsx", "en")])
def test_customers_exported_then_imported_are_the_same_customers(
    org, grant, make_customer, api_as, file_format, language
):
    boss = grant(org.boss, "export_data")
    options = {
        kind: account_selectors.dictionary_options(boss, kind).first()
        for kind in ("customer_type", "customer_source", "industry")
    }
    make_customer(
        org.sales1,
        name="北京沃力森信息技术有限公司",
        type=options["customer_type"],
        source=options["customer_source"],
        industry=options["industry"],
        region="北京",
        address="海淀区中关村大街 1 号",
        phone="010-62669000",
        email="info@wolisen.example",
        website="https://wolisen.example",
        notes="老客户，年底续约",
    )
    make_customer(org.sales2, name="王小明", kind="individual", phone="13812345678")
    make_customer(boss, name="上海榕树贸易有限公司")
    before = _records(Customer.objects.filter(company=org.company), CUSTOMER_FIELDS)

    data = _export(api_as(boss), "customers", file_format, language)
    Customer.objects.filter(company=org.company).delete()
    with translation.override(language):
        job = _import(boss, "customers", data, file_format)

    assert job.rows_written == 3
    assert _records(Customer.objects.filter(company=org.company), CUSTOMER_FIELDS) == before


@pytest.mark.parametrize(("file_format", "language"), [("xlsx", "zh-hans"), ("csv", "en")])
def test_products_exported_then_imported_are_the_same_products(
    org, grant, make_product, api_as, file_format, language
):
    boss = grant(org.boss, "export_data", "manage_products", "see_costs")
    phones = product_services.category_create(
        user=boss, name="手机", parent=product_services.category_create(user=boss, name="电子")
    )
    make_product(
        boss,
        code="P-100",
        name="旗舰手机",
        category=phones.pk,
        spec="256G 黑色",
        unit="台",
        list_price="4999.00",
        cost="3210.55",
        tracks_stock=True,
        low_stock_threshold="5",
    )
    make_product(boss, code="S-200", name="上门安装", kind="service", list_price="80.00")
    before = _records(Product.objects.filter(company=org.company), PRODUCT_FIELDS)

    data = _export(api_as(boss), "products", file_format, language)
    Product.objects.filter(company=org.company).delete()
    with translation.override(language):
        job = _import(boss, "products", data, file_format)

    assert job.rows_written == 2
    assert _records(Product.objects.filter(company=org.company), PRODUCT_FIELDS) == before
