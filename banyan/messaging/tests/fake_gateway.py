"""A fake SMS gateway on 127.0.0.1 that speaks like Aliyun dysmsapi and Tencent Cloud SMS.

It checks each request's signature (recomputed here from the shared secret, independently
of the backends' code), records every call, and answers like the real gateway: success, or
the error queued with `fail_next(...)`. Never a real gateway.
"""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALIYUN_KEY_ID = "test-key-id"
ALIYUN_SECRET = "test-secret"
TENCENT_SECRET_ID = "AKIDtest"
TENCENT_SECRET_KEY = "tencent-test-key"


def _aliyun_expected_signature(params: dict) -> str:
    def enc(value):
        return urllib.parse.quote(value, safe="~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    text = "GET&%2F&" + enc(query)
    return base64.b64encode(
        hmac.new((ALIYUN_SECRET + "&").encode(), text.encode(), hashlib.sha1).digest()
    ).decode()


def _tencent_expected_signature(headers, body: bytes, signed_headers: str, date: str) -> str:
    values = {name: headers[name].strip() for name in signed_headers.split(";")}
    if "x-tc-action" in values:
        values["x-tc-action"] = values["x-tc-action"].lower()
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in values.items())
    canonical = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(body).hexdigest()]
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            headers["X-TC-Timestamp"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("TC3" + TENCENT_SECRET_KEY).encode()
    for part in (date, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeGateway:
    def __init__(self):
        self.calls: list[dict] = []
        self.failures: list[tuple[str, str]] = []  # (code, message) answered next, in order
        self.accepted: list[dict] = []  # messages accepted: {"phone", "out_id"}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, code: str, message: str = "failed") -> None:
        self.failures.append((code, message))

    def sends(self) -> list[dict]:
        return [call for call in self.calls if call["action"] == "SendSms"]

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, data: dict, status: int = 200):
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # Aliyun RPC
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                signature = query.pop("Signature", None)
                call = {"gateway": "aliyun", "action": query.get("Action"), "params": query}
                gateway.calls.append(call)
                required = {
                    "AccessKeyId",
                    "SignatureMethod",
                    "SignatureNonce",
                    "SignatureVersion",
                    "Timestamp",
                    "Version",
                }
                if not signature or not required <= set(query):
                    return self._answer({"Code": "MissingParameter", "Message": "signature"}, 400)
                call["signature_ok"] = signature == _aliyun_expected_signature(query)
                if not call["signature_ok"] or query["AccessKeyId"] != ALIYUN_KEY_ID:
                    return self._answer(
                        {"Code": "SignatureDoesNotMatch", "Message": "Specified signature"}, 400
                    )
                request_id = str(uuid.uuid4())
                if query["Action"] == "QuerySendDetails":
                    details = [
                        {"PhoneNum": a["phone"], "OutId": a["out_id"], "SendStatus": 3}
                        for a in gateway.accepted
                        if a["phone"] == query["PhoneNumber"]
                    ]
                    return self._answer(
                        {
                            "Code": "OK",
                            "Message": "OK",
                            "RequestId": request_id,
                            "TotalCount": len(details),
                            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
                        }
                    )
                if gateway.failures:
                    code, message = gateway.failures.pop(0)
                    return self._answer({"Code": code, "Message": message, "RequestId": request_id})
                gateway.accepted.append({"phone": query["PhoneNumbers"], "out_id": query["OutId"]})
                return self._answer(
                    {
                        "Code": "OK",
                        "Message": "OK",
                        "BizId": "biz-" + request_id[:8],
                        "RequestId": request_id,
                    }
                )

            def do_POST(self):  # Tencent Cloud API 3.0
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = self.headers.get("X-TC-Action")
                payload = json.loads(body or b"{}")
                call = {"gateway": "tencent", "action": action, "params": payload}
                gateway.calls.append(call)
                request_id = str(uuid.uuid4())
                authorization = self.headers.get("Authorization", "")
                fields = {}
                if authorization.startswith("TC3-HMAC-SHA256 "):
                    for part in authorization[len("TC3-HMAC-SHA256 ") :].split(", "):
                        name, _, value = part.partition("=")
                        fields[name] = value
                headers = {
                    "content-type": self.headers.get("Content-Type", ""),
                    "host": self.headers.get("Host", ""),
                    "x-tc-action": action or "",
                    "X-TC-Timestamp": self.headers.get("X-TC-Timestamp", ""),
                }
                ok = False
                if {"Credential", "SignedHeaders", "Signature"} <= set(fields) and headers[
                    "X-TC-Timestamp"
                ]:
                    secret_id, date, service, terminator = fields["Credential"].split("/")
                    expected_date = datetime.fromtimestamp(
                        int(headers["X-TC-Timestamp"]), UTC
                    ).strftime("%Y-%m-%d")
                    ok = (
                        secret_id == TENCENT_SECRET_ID
                        and date == expected_date
                        and (service, terminator) == ("sms", "tc3_request")
                        and self.headers.get("X-TC-Version") == "2021-01-11"
                        and fields["Signature"]
                        == _tencent_expected_signature(headers, body, fields["SignedHeaders"], date)
                    )
                call["signature_ok"] = ok
                if not ok:
                    return self._answer(
                        {
                            "Response": {
                                "Error": {
                                    "Code": "AuthFailure.SignatureFailure",
                                    "Message": "The provided credentials could not be validated.",
                                },
                                "RequestId": request_id,
                            }
                        }
                    )
                if action == "PullSmsSendStatusByPhoneNumber":
                    statuses = [
                        {
                            "PhoneNumber": a["phone"],
                            "SessionContext": a["out_id"],
                            "ReportStatus": "SUCCESS",
                        }
                        for a in gateway.accepted
                        if a["phone"] == payload["PhoneNumber"]
                    ]
                    return self._answer(
                        {"Response": {"PullSmsSendStatusSet": statuses, "RequestId": request_id}}
                    )
                phone = payload["PhoneNumberSet"][0]
                if gateway.failures:
                    code, message = gateway.failures.pop(0)
                    status = {
                        "SerialNo": "",
                        "PhoneNumber": phone,
                        "Code": code,
                        "Message": message,
                    }
                else:
                    gateway.accepted.append({"phone": phone, "out_id": payload["SessionContext"]})
                    status = {
                        "SerialNo": "serial-" + request_id[:8],
                        "PhoneNumber": phone,
                        "Fee": 1,
                        "SessionContext": payload["SessionContext"],
                        "Code": "Ok",
                        "Message": "send success",
                        "IsoCode": "CN",
                    }
                return self._answer(
                    {"Response": {"SendStatusSet": [status], "RequestId": request_id}}
                )

        return Handler
