import pytest

from banyan.customers.models import Contact
from banyan.messaging import services
from banyan.messaging.models import OutboxMessage, SmsLog


def send_and_deliver(user, recipients, body="您好"):
    report = services.sms_send(user=user, body=body, recipients=recipients)
    for message in report.queued:
        services.send_pending(message.pk)
    return report


def test_post_sends_to_numbers_and_contacts_refusing_each_bad_one(
    org, other_org, api_as, make_customer
):
    customer = make_customer(org.sales1, name="沃力科技")
    good = Contact.objects.create(
        company=org.company, customer=customer, name="张三", mobile="13912345678"
    )
    foreign_customer = make_customer(other_org.sales1)
    foreign = Contact.objects.create(
        company=other_org.company, customer=foreign_customer, name="X", mobile="13712345678"
    )

    response = api_as(org.sales1).post(
        "/api/v1/sms/",
        {
            "recipients": ["+86 138 0013 8000", "010-62881234", "12345"],
            "contacts": [good.pk, foreign.pk],
            "body": "{contact_name}您好",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert [q["recipient"] for q in data["queued"]] == [
        "13912345678",
        "13800138000",
        "01062881234",
    ]
    assert data["queued"][0]["contact"] == good.pk
    refused = {r["recipient"]: r["reason"] for r in data["refused"]}
    assert set(refused) == {str(foreign.pk), "12345"}
    assert OutboxMessage.objects.get(recipient="13912345678").body == "张三您好"
    assert OutboxMessage.objects.filter(company=other_org.company).count() == 0


def test_post_with_bad_input_names_the_field(org, api_as):
    client = api_as(org.sales1)

    no_body = client.post("/api/v1/sms/", {"recipients": ["13800138000"]}, format="json")
    blank = client.post("/api/v1/sms/", {"recipients": ["13800138000"], "body": ""}, format="json")
    nobody = client.post("/api/v1/sms/", {"body": "hi"}, format="json")
    bad_ids = client.post("/api/v1/sms/", {"contacts": ["x"], "body": "hi"}, format="json")

    assert no_body.status_code == 400 and "body" in no_body.json()
    assert blank.status_code == 400 and "body" in blank.json()
    assert nobody.status_code == 400 and "recipients" in nobody.json()
    assert bad_ids.status_code == 400 and "contacts" in bad_ids.json()
    assert not OutboxMessage.objects.exists()


def test_the_log_is_read_only_through_the_api(org, api_as):
    send_and_deliver(org.sales1, ["13800138000"])
    log = SmsLog.objects.get()
    client = api_as(org.boss)

    assert client.get(f"/api/v1/sms/{log.pk}/").json()["recipient"] == "13800138000"
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/sms/{log.pk}/", {"body": "x"}).status_code == 405
    assert client.delete("/api/v1/sms/").status_code == 405
    log.refresh_from_db()
    assert log.body == "您好"
    assert SmsLog.objects.count() == 1


def test_the_log_through_the_api_follows_the_reporting_line(org, other_org, api_as):
    send_and_deliver(org.sales1, ["13800138000"])
    send_and_deliver(org.sales3, ["13800138001"])
    send_and_deliver(other_org.boss, ["13800138002"])
    foreign = SmsLog.objects.get(company=other_org.company)

    def recipients(user):
        return {row["recipient"] for row in api_as(user).get("/api/v1/sms/").json()["results"]}

    assert recipients(org.sales1) == {"13800138000"}
    assert recipients(org.manager1) == {"13800138000"}
    assert recipients(org.boss) == {"13800138000", "13800138001"}
    assert api_as(org.boss).get(f"/api/v1/sms/{foreign.pk}/").status_code == 404


def test_emails_are_sent_and_listed(org, api_as):
    client = api_as(org.sales1)

    response = client.post(
        "/api/v1/emails/",
        {"recipients": ["li@example.com", "not-an-address"], "subject": "报价", "body": "请查收"},
        format="json",
    )

    assert response.status_code == 201
    assert [r["recipient"] for r in response.json()["refused"]] == ["not-an-address"]
    services.send_pending(response.json()["queued"][0]["id"])
    listed = client.get("/api/v1/emails/").json()["results"]
    assert [(e["recipient"], e["status"]) for e in listed] == [("li@example.com", "sent")]
    assert client.delete(f"/api/v1/emails/{listed[0]['id']}/").status_code == 405
    assert api_as(org.sales2).get(f"/api/v1/emails/{listed[0]['id']}/").status_code == 404


@pytest.mark.parametrize("endpoint", ["/api/v1/sms/", "/api/v1/emails/"])
def test_the_api_lists_run_a_fixed_number_of_queries(
    org, api_as, django_assert_max_num_queries, endpoint
):
    client = api_as(org.boss)
    send_and_deliver(org.sales1, ["13800138000"])
    services.email_send(user=org.sales1, subject="s", body="b", recipients=["a@example.com"])
    client.get(endpoint)

    with django_assert_max_num_queries(10) as small:
        client.get(endpoint)
    send_and_deliver(org.sales2, [f"139001380{n:02d}" for n in range(10)])
    services.email_send(
        user=org.sales2, subject="s", body="b", recipients=[f"x{n}@example.com" for n in range(10)]
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(endpoint).status_code == 200
