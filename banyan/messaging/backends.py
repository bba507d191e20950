"""SMS backends, chosen by settings.SMS_BACKEND: "log" (default), "aliyun" or "tencent".

Every backend has `send(message) -> SendResult` (raising `SendFailed` with the gateway's
answer) and `was_sent(out_id, *, recipient, since) -> bool`, which the sending task asks
before sending again a message whose previous worker died after calling the gateway.

- log: sends nothing; the message is marked sent with gateway "log". It never sent
  anything, so `was_sent` is always False.
- aliyun: dysmsapi `SendSms` (RPC style, HMAC-SHA1 signature), with `OutId` = out_id.
  `was_sent` asks `QuerySendDetails` for the recipient's messages since the first attempt
  and looks for our OutId (Aliyun does not refuse a reused OutId, so only a lookup tells).
- tencent: SMS API 2021-01-11 `SendSms` (TC3-HMAC-SHA256 signature), with
  `SessionContext` = out_id. `was_sent` asks `PullSmsSendStatusByPhoneNumber` for the
  recipient's delivery reports since the first attempt and looks for our SessionContext.

Only the standard library speaks HTTP here (urllib): no extra dependency for two calls.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TIMEOUT_SECONDS = 10


@dataclass
class SendResult:
    provider_id: str = ""
    answer: str = ""


class SendFailed(Exception):
    """The gateway refused or could not be reached. `answer` is what it said; `retryable`
    is False when trying again cannot help (a bad number, a bad signature name…)."""

    def __init__(self, answer: str, *, retryable: bool = True):
        self.answer = answer
        self.retryable = retryable
        super().__init__(answer)


class LogBackend:
    name = "log"

    def send(self, message) -> SendResult:
        return SendResult(provider_id="", answer="logged, not sent")

    def was_sent(self, out_id: str, *, recipient: str, since: datetime) -> bool:
        return False


def _setting(name: str) -> str:
    value = getattr(settings, name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set for this SMS backend.")
    return str(value)


def _open(request: urllib.request.Request) -> tuple[int, str]:
    """(HTTP status, body) of a request; a network failure is a retryable SendFailed."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SendFailed(f"gateway unreachable: {exc}") from exc


def _json(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        raise SendFailed(f"unreadable gateway answer: {text[:500]}") from None
    if not isinstance(data, dict):
        raise SendFailed(f"unreadable gateway answer: {text[:500]}")
    return data


# Aliyun ---------------------------------------------------------------------------------------


def aliyun_percent_encode(value: str) -> str:
    return urllib.parse.quote(str(value), safe="~")


def aliyun_signature(params: dict, secret: str, method: str = "GET") -> str:
    """The RPC signature: HMAC-SHA1 over the sorted, percent-encoded query, base64."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items())
    )
    string_to_sign = f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Answers that no retry can change (a wrong number, template or signature name, a blacklist).
ALIYUN_PERMANENT = (
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
)


class AliyunBackend:
    name = "aliyun"
    version = "2017-05-25"

    def __init__(self):
        self.access_key_id = _setting("SMS_ALIYUN_ACCESS_KEY_ID")
        self.secret = _setting("SMS_ALIYUN_ACCESS_KEY_SECRET")
        self.sign_name = _setting("SMS_ALIYUN_SIGN_NAME")
        self.template_code = _setting("SMS_ALIYUN_TEMPLATE_CODE")
        self.endpoint = getattr(settings, "SMS_ALIYUN_ENDPOINT", "") or (
            "https://dysmsapi.aliyuncs.com/"
        )

    def _call(self, action: str, **params) -> dict:
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.version,
            **params,
        }
        query["Signature"] = aliyun_signature(query, self.secret)
        url = self.endpoint + "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        _status, text = _open(urllib.request.Request(url, method="GET"))
        return _json(text)

    def send(self, message) -> SendResult:
        answer = self._call(
            "SendSms",
            PhoneNumbers=message.recipient,
            SignName=self.sign_name,
            TemplateCode=self.template_code,
            TemplateParam=json.dumps({"content": message.body}, ensure_ascii=False),
            OutId=message.out_id,
        )
        text = json.dumps(answer, ensure_ascii=False)
        code = str(answer.get("Code", ""))
        if code != "OK":
            raise SendFailed(text, retryable=code not in ALIYUN_PERMANENT)
        return SendResult(provider_id=str(answer.get("BizId", "")), answer=text)

    def was_sent(self, out_id: str, *, recipient: str, since: datetime) -> bool:
        answer = self._call(
            "QuerySendDetails",
            PhoneNumber=recipient,
            SendDate=since.astimezone(_china()).strftime("%Y%m%d"),
            PageSize="50",
            CurrentPage="1",
        )
        if answer.get("Code") != "OK":
            raise SendFailed(json.dumps(answer, ensure_ascii=False))
        details = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        return any(detail.get("OutId") == out_id for detail in details)


def _china():
    import zoneinfo

    return zoneinfo.ZoneInfo("Asia/Shanghai")


# Tencent Cloud --------------------------------------------------------------------------------


def _hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    action: str,
    payload: str,
    timestamp: int,
    service: str = "sms",
) -> str:
    """The TC3-HMAC-SHA256 Authorization header of a JSON POST to `host`."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host;x-tc-action"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n"
            f"x-tc-action:{action.lower()}\n",
            signed_headers,
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac_sha256(f"TC3{secret_key}".encode(), date)
    key = _hmac_sha256(key, service)
    key = _hmac_sha256(key, "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


TENCENT_PERMANENT_PREFIXES = (
    "InvalidParameterValue",
    "AuthFailure",
    "UnauthorizedOperation",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.MissingSignature",
    "FailedOperation.MissingTemplate",
)


class TencentBackend:
    name = "tencent"
    version = "2021-01-11"

    def __init__(self):
        self.secret_id = _setting("SMS_TENCENT_SECRET_ID")
        self.secret_key = _setting("SMS_TENCENT_SECRET_KEY")
        self.sdk_app_id = _setting("SMS_TENCENT_SDK_APP_ID")
        self.sign_name = _setting("SMS_TENCENT_SIGN_NAME")
        self.template_id = _setting("SMS_TENCENT_TEMPLATE_ID")
        self.endpoint = getattr(settings, "SMS_TENCENT_ENDPOINT", "") or (
            "https://sms.tencentcloudapi.com/"
        )
        self.region = getattr(settings, "SMS_TENCENT_REGION", "") or "ap-guangzhou"

    def _call(self, action: str, body: dict) -> dict:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        host = urllib.parse.urlsplit(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tencent_authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                host=host,
                action=action,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": self.version,
            "X-TC-Region": self.region,
        }
        request = urllib.request.Request(
            self.endpoint, data=payload.encode(), headers=headers, method="POST"
        )
        _status, text = _open(request)
        answer = _json(text).get("Response")
        if not isinstance(answer, dict):
            raise SendFailed(f"unreadable gateway answer: {text[:500]}")
        return answer

    def send(self, message) -> SendResult:
        answer = self._call(
            "SendSms",
            {
                "PhoneNumberSet": [f"+86{message.recipient}"],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": self.template_id,
                "TemplateParamSet": [message.body],
                "SessionContext": message.out_id,
            },
        )
        text = json.dumps(answer, ensure_ascii=False)
        error = answer.get("Error")
        if error:
            code = str(error.get("Code", ""))
            raise SendFailed(text, retryable=not code.startswith(TENCENT_PERMANENT_PREFIXES))
        statuses = answer.get("SendStatusSet") or []
        if not statuses:
            raise SendFailed(text)
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code.lower() != "ok":
            raise SendFailed(text, retryable=not code.startswith(TENCENT_PERMANENT_PREFIXES))
        return SendResult(provider_id=str(status.get("SerialNo", "")), answer=text)

    def was_sent(self, out_id: str, *, recipient: str, since: datetime) -> bool:
        answer = self._call(
            "PullSmsSendStatusByPhoneNumber",
            {
                "BeginTime": int(since.timestamp()) - 60,
                "Offset": 0,
                "Limit": 100,
                "PhoneNumber": f"+86{recipient}",
                "SmsSdkAppId": self.sdk_app_id,
            },
        )
        if answer.get("Error"):
            raise SendFailed(json.dumps(answer, ensure_ascii=False))
        statuses = answer.get("PullSmsSendStatusSet") or []
        return any(status.get("SessionContext") == out_id for status in statuses)


BACKENDS = {"log": LogBackend, "aliyun": AliyunBackend, "tencent": TencentBackend}


def get_sms_backend(name: str | None = None):
    """The backend named by settings.SMS_BACKEND (read when called, never at import)."""
    name = (name or getattr(settings, "SMS_BACKEND", "") or "log").lower()
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={name!r}: choose one of {', '.join(BACKENDS)}."
        ) from None
