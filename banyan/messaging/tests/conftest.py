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
