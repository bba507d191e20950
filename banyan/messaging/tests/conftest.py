import pytest

from banyan.messaging.tests import fake_gateway


@pytest.fixture
def gateway():
    server = fake_gateway.FakeGateway().start()
    yield server
    server.stop()


@pytest.fixture
def aliyun(gateway, settings):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = fake_gateway.ALIYUN_KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = fake_gateway.ALIYUN_SECRET
    settings.SMS_ALIYUN_SIGN_NAME = "榕树CRM"
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_0001"
    settings.SMS_ALIYUN_ENDPOINT = gateway.url
    return gateway


@pytest.fixture
def tencent(gateway, settings):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_TENCENT_SECRET_ID = fake_gateway.TENCENT_SECRET_ID
    settings.SMS_TENCENT_SECRET_KEY = fake_gateway.TENCENT_SECRET_KEY
    settings.SMS_TENCENT_SDK_APP_ID = "1400000000"
    settings.SMS_TENCENT_SIGN_NAME = "榕树CRM"
    settings.SMS_TENCENT_TEMPLATE_ID = "100001"
    settings.SMS_TENCENT_ENDPOINT = gateway.url
    return gateway


@pytest.fixture(params=["aliyun", "tencent"])
def real_gateway(request):
    """Each test using it runs against both gateways (faked on 127.0.0.1)."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def demo_org(db, settings, make_customer, password):
    """A small public demo company (plan "demo", the demo code): its boss, whom "Try the
    demo" signs in as, and one customer with a contact reachable by SMS and e-mail."""
    from types import SimpleNamespace

    from banyan.accounts import services as account_services
    from banyan.accounts.models import User
    from banyan.customers import services as customer_services

    company, boss = account_services.company_create(
        code=settings.BANYAN_DEMO_COMPANY_CODE,
        name="演示公司",
        plan="demo",
        boss_username="boss",
        boss_password=password,
        boss_real_name="林国栋",
        boss_mobile="13800210001",
        boss_email="boss@demo.example",
    )
    boss = User.objects.get(pk=boss.pk)
    customer = make_customer(boss, name="演示客户")
    contact = customer_services.contact_create(
        user=boss, customer=customer, name="张三", mobile="13912345678", email="zhang@example.com"
    )
    return SimpleNamespace(company=company, boss=boss, customer=customer, contact=contact)
