"""The imports API: the fields are the contract; other companies' and colleagues' jobs are 404."""

import io

import openpyxl
import pytest

from banyan.customers.models import Customer
from banyan.imports.tests import files

FIELDS = {
    "id",
    "kind",
    "status",
    "encoding",
    "rows_total",
    "rows_valid",
    "errors",
    "duplicates",
    "progress",
    "rows_written",
    "error",
}


def post_file(client, upload, **data):
    return client.post("/api/v1/imports/", {"kind": "customers", "file": upload, **data})


def test_upload_answers_the_previewed_job_and_confirm_the_done_job(org, api_as):
    client = api_as(org.sales1)
    rows = [["客户名称", "手机", "联系人"], ["甲公司", "13812345678", "甲"], ["", "", "乙"]]

    response = post_file(client, files.csv(rows, encoding="gbk"))

    assert response.status_code == 201, response.json()
    job = response.json()
    assert set(job) >= FIELDS
    assert job["status"] == "previewed"
    assert (job["rows_total"], job["rows_valid"]) == (2, 1)
    assert job["errors"] == [
        {"row": 3, "column": "客户名称", "message": "Enter the customer's name."}
    ]
    assert job["duplicates"] == []

    done = client.post(f"/api/v1/imports/{job['id']}/confirm/").json()

    assert (done["status"], done["rows_written"], done["progress"]) == ("done", 1, 100)
    assert client.get(f"/api/v1/imports/{job['id']}/").json()["status"] == "done"
    assert Customer.objects.filter(company=org.company, name="甲公司").exists()

    reverted = client.post(f"/api/v1/imports/{job['id']}/revert/").json()
    assert reverted["status"] == "reverted"
    assert not Customer.objects.filter(company=org.company, name="甲公司").exists()


def test_a_refused_file_is_a_400_naming_the_file(org, api_as):
    response = post_file(api_as(org.sales1), files.raw(b"MZ\x90\x00binary", "customers.xlsx"))

    assert response.status_code == 400
    assert "not an Excel workbook" in response.json()["file"][0]


def test_bad_kind_and_duplicate_choice_are_400(org, api_as):
    client = api_as(org.sales1)
    upload = files.csv([["客户名称"], ["甲"]])

    assert client.post("/api/v1/imports/", {"kind": "x", "file": upload}).status_code == 400
    response = post_file(client, files.csv([["客户名称"], ["甲"]]), on_duplicate="merge")
    assert response.status_code == 400 and "on_duplicate" in response.json()


def test_jobs_are_seen_by_their_importer_and_admin_bosses_only(org, other_org, api_as):
    job = post_file(api_as(org.sales1), files.csv([["客户名称"], ["甲"]])).json()
    url = f"/api/v1/imports/{job['id']}/"

    assert api_as(org.boss).get(url).status_code == 200
    assert [j["id"] for j in api_as(org.boss).get("/api/v1/imports/").json()["results"]] == [
        job["id"]
    ]
    for outsider in (org.sales2, org.manager1, other_org.boss):
        client = api_as(outsider)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}confirm/").status_code == 404
        assert client.post(f"{url}revert/").status_code == 404
        assert client.get("/api/v1/imports/").json()["results"] == []
    assert api_as(org.sales1).get(url).json()["status"] == "previewed"


def test_only_the_importer_confirms(org, api_as):
    job = post_file(api_as(org.sales1), files.csv([["客户名称"], ["甲"]])).json()

    response = api_as(org.boss).post(f"/api/v1/imports/{job['id']}/confirm/")

    assert response.status_code == 403
    assert not Customer.objects.filter(company=org.company).exists()


@pytest.mark.parametrize("language, header", [("en", "Customer name*"), ("zh-hans", "客户名称*")])
def test_the_templates_have_headers_in_the_users_language(org, api_as, language, header):
    client = api_as(org.sales1)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"],
        HTTP_ACCEPT_LANGUAGE=language,
    )

    xlsx = client.get("/api/v1/imports/templates/customers/?format=xlsx")
    csv = client.get("/api/v1/imports/templates/customers/?format=csv")

    assert xlsx.status_code == 200 and csv.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    headers = next(sheet.iter_rows(values_only=True))
    if language == "en":
        assert headers[0] == header
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.content.decode("utf-8-sig").split(",")[0] == str(headers[0])
    assert client.get("/api/v1/imports/templates/nothing/?format=csv").status_code == 400
