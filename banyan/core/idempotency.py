"""Money and stock are booked once, however often the same submission arrives.

A double click, the back button and a resubmit, two tabs, or an API client retrying after a
timeout all send the same request again. Every form that creates money or stock carries a
one-time token (`{% form_token %}`: a signed random value made when the page is rendered, kept
when the form comes back with errors), and every API endpoint that does takes an
`Idempotency-Key` header. The first request with a token or key books the record and
remembers it (`core.models.IdempotencyKey`, per user); a later one books nothing and is given
the first one's answer: a form goes to the same result page with an info message, the API
answers the same status and JSON again with `Idempotent-Replayed: true`.

Why it holds when the two arrive at the same instant: the token is taken by an INSERT under a
unique constraint, as the first statement of the transaction that makes the business write,
and the answer is stored in that same transaction.

- On PostgreSQL the second INSERT waits on the first one's uncommitted row. When the first
  commits, it fails (IntegrityError) and the second reads the stored answer and replays it;
  when the first rolls back (the service refused), it goes on as if it had been alone.
- On SQLite writers are serialised (`transaction_mode: IMMEDIATE`): the second transaction
  starts once the first has committed, and its INSERT fails at once.
- A refusal (DomainError) rolls the token back with everything else: nothing was made, so
  the corrected form (or request) can be sent again with the same token, and an error is never
  replayed.
- A request that would wait longer than `IN_FLIGHT_WAIT_MS` for the first one gives up with
  "still being processed" (HTTP 409): PostgreSQL's `lock_timeout`, set for that INSERT only.

Without a token or key a request is handled as before. Tokens and keys are remembered for
`IDEMPOTENCY_KEY_HOURS`; an older one is taken afresh when it comes again, and
`manage.py purge_idempotency_keys` deletes the old rows.

Pages: decorate the view with `submitted_once` and make the write through `record_once`.
The API: decorate the viewset action with `idempotent`.
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, OperationalError, connection, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from banyan.core.models import IdempotencyKey

T = TypeVar("T")

FORM_TOKEN_FIELD = "form_token"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# How long a request waits for an identical one still running before answering 409.
IN_FLIGHT_WAIT_MS = 10_000
MAX_KEY_LENGTH = 255

_TOKEN_SALT = "banyan.core.idempotency.form-token"
_GUARDED = "_banyan_submitted_once"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Recommended: a new unique value (e.g. a UUID) for each record you create, sent again "
        "unchanged when you retry. A retry with the same key and the same body records "
        "nothing twice and gets the first answer again (same status and body, with the header "
        "Idempotent-Replayed: true). The same key with a different body is refused (422); "
        "while the first request with the key is still running, 409. Keys are remembered per "
        "user, for 24 hours by default. Without the header every request records."
    ),
)


class _AlreadySubmitted(Exception):
    """Raised inside a page's write when its token was taken meanwhile; `submitted_once`
    answers it with the first submission's result page."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class _StillInFlight(Exception):
    """The identical request that took the token is still running, longer than we wait."""


# --- form tokens --------------------------------------------------------------------------


def new_form_token(user) -> str:
    """A fresh one-time token for a form rendered for `user`, signed so that only tokens this
    site made for that user count."""
    return signing.Signer(salt=_TOKEN_SALT).sign(f"{user.pk}.{secrets.token_urlsafe(16)}")


def posted_form_token(request) -> str | None:
    """The form token a POST carries, when it is one this site made for the user; else None
    (the request is then handled as without a token)."""
    if request.method != "POST":
        return None
    token = request.POST.get(FORM_TOKEN_FIELD, "")
    if not token or len(token) > MAX_KEY_LENGTH:
        return None
    try:
        value = signing.Signer(salt=_TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return token if value.partition(".")[0] == str(request.user.pk) else None


def submitted_once(view):
    """For a page whose form creates money or stock through `record_once`. A POST whose token
    was already used books nothing and is sent to the first submission's result page with a
    message saying so. This is checked before the form is read, so a resubmitted form that
    would no longer validate (the stock it asked for has left) still lands there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = posted_form_token(request)
        if token is not None:
            done = _remembered(request.user, IdempotencyKey.Kind.FORM, token)
            if done is not None:
                return _to_first_result(request, done.result_url)
        setattr(request, _GUARDED, True)
        try:
            return view(request, *args, **kwargs)
        except _AlreadySubmitted as exc:
            return _to_first_result(request, exc.url)
        except _StillInFlight:
            return render(request, "core/still_processing.html", status=status.HTTP_409_CONFLICT)

    return wrapper


def record_once(request, create: Callable[[], T], *, result_url: Callable[[T], str]):
    """Run `create` (the service call of a page's form) at most once per form token, and
    return `(what it made, the page to go to)`. A second submission of the token, also at the
    same instant, makes nothing: `submitted_once` sends it to the first one's page. A
    DomainError from the service propagates and frees the token, so the corrected form may be
    sent again. A POST without a (valid) token is handled as before."""
    if not getattr(request, _GUARDED, False):
        raise ImproperlyConfigured("A view calling record_once needs @submitted_once.")
    token = posted_form_token(request)
    if token is None:
        result = create()
        return result, result_url(result)
    with transaction.atomic():
        row, first = _reserve(
            request.user, IdempotencyKey.Kind.FORM, token, fingerprint=_digest(request.path)
        )
        if not first:
            raise _AlreadySubmitted(row.result_url)
        result = create()
        url = result_url(result)
        IdempotencyKey.objects.filter(pk=row.pk).update(result_url=url)
    return result, url


def _to_first_result(request, url: str):
    messages.info(request, _("This form was already submitted; nothing was recorded twice."))
    return redirect(url)


# --- the API ------------------------------------------------------------------------------


def idempotent(action):
    """For an API action that creates money or stock: with an `Idempotency-Key` header the
    action runs at most once per user and key, and its successful answer is given again to
    every retry with the same key and body (a different body: 422; the first still running:
    409). An error answer is not kept: the retry runs again. Without the header: as before.
    Also documents the header on the action's OpenAPI operation."""

    @wraps(action)
    def wrapper(view, request, *args, **kwargs):
        header = request.headers.get(IDEMPOTENCY_HEADER)
        if header is None:
            return action(view, request, *args, **kwargs)
        key = _checked_key(header)
        fingerprint = _request_fingerprint(request)
        try:
            with transaction.atomic():
                row, first = _reserve(
                    request.user, IdempotencyKey.Kind.API, key, fingerprint=fingerprint
                )
                if first:
                    response = action(view, request, *args, **kwargs)
                    if status.is_success(response.status_code):
                        IdempotencyKey.objects.filter(pk=row.pk).update(
                            response_status=response.status_code,
                            response_body=json.dumps(response.data, cls=JSONEncoder),
                        )
                    else:
                        transaction.set_rollback(True)
                    return response
        except _StillInFlight:
            return _still_in_flight()
        return _replay(row, fingerprint)

    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def _checked_key(header: str) -> str:
    key = header.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise exceptions.ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    _("An Idempotency-Key is 1 to 255 printable ASCII characters, e.g. a UUID.")
                ]
            }
        )
    return key


def _request_fingerprint(request) -> str:
    """The same operation with the same input: method, path and body (keys in any order)."""
    data = request.data
    if hasattr(data, "lists"):  # a form-encoded or multipart body
        data = dict(data.lists())
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return _digest(f"{request.method} {request.path}\n{body}")


def _replay(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        return Response(
            {
                "detail": _(
                    "This Idempotency-Key was already used for a different request: send a "
                    "new key with a new request."
                )
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if row.response_status is None:
        return _still_in_flight()
    return Response(
        json.loads(row.response_body),
        status=row.response_status,
        headers={REPLAYED_HEADER: "true"},
    )


def _still_in_flight() -> Response:
    return Response(
        {
            "detail": _(
                "A request with this Idempotency-Key is being processed: try again in a moment."
            )
        },
        status=status.HTTP_409_CONFLICT,
    )


# --- the reservation ----------------------------------------------------------------------


def _lifetime() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _remembered(user, kind: str, key: str) -> IdempotencyKey | None:
    """The user's unexpired record of this token or key, as committed."""
    return IdempotencyKey.objects.filter(
        company_id=user.company_id,
        user=user,
        kind=kind,
        key=key,
        created_at__gte=timezone.now() - _lifetime(),
    ).first()


def _reserve(user, kind: str, key: str, *, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Take the token or key for this transaction: `(its new row, True)`, or `(the row of
    whoever took it first, False)` once they have committed. Must be the transaction's first
    write, so that a request waiting here holds nothing the first one needs."""
    expired = timezone.now() - _lifetime()
    for _attempt in range(2):
        try:
            with transaction.atomic(), _waiting_at_most(IN_FLIGHT_WAIT_MS):
                IdempotencyKey.objects.filter(
                    company_id=user.company_id,
                    user=user,
                    kind=kind,
                    key=key,
                    created_at__lt=expired,
                ).delete()
                row = IdempotencyKey.objects.create(
                    company_id=user.company_id,
                    user=user,
                    kind=kind,
                    key=key,
                    fingerprint=fingerprint,
                )
            return row, True
        except IntegrityError:
            taken = _remembered(user, kind, key)
            if taken is not None:
                return taken, False
            # It expired and was purged in between: take it afresh.
        except OperationalError as exc:
            if _gave_up_waiting(exc):
                raise _StillInFlight from None
            raise
    raise _StillInFlight


@contextmanager
def _waiting_at_most(milliseconds: int):
    """On PostgreSQL, a lock wait in the block longer than this fails (lock_timeout) instead
    of waiting on; the setting applies to the block only. An error in the block leaves the
    setting to the enclosing savepoint's rollback."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")


def _gave_up_waiting(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return "55P03" in (getattr(cause, "sqlstate", None), getattr(cause, "pgcode", None))


def purge_expired_keys() -> int:
    """Delete the tokens and keys older than IDEMPOTENCY_KEY_HOURS; returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - _lifetime()
    ).delete()
    return deleted
