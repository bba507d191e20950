"""Phone numbers: normalised and validated with `phonenumbers`, region CN by default.

Mobiles are kept as 11 digits (13812345678); landlines as area code, dash and number
(010-12345678). Full-width digits, spaces, dashes and a +86 prefix are all accepted.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from banyan.core.text import to_half_width

DEFAULT_REGION = "CN"


def normalize_phone(raw: str, *, region: str = DEFAULT_REGION, mobile_only: bool = False) -> str:
    """The canonical form of a phone number, or ValidationError saying what is wrong."""
    text = to_half_width(raw).strip()
    if not text:
        return ""
    compact = re.sub(r"[\s\-()（）.]", "", text)
    if re.search(r"[^\d+]", compact):
        raise ValidationError(
            _("%(value)s contains characters that are not part of a phone number."),
            params={"value": raw},
            code="invalid_characters",
        )
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("%(value)s is not a phone number."), params={"value": raw}, code="invalid"
        ) from exc
    number_type = phonenumbers.number_type(number)
    is_mobile = number_type in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    # For +86 a number is valid exactly when it has a type (the library's own rule, which
    # `is_valid_number` would work out a second time): half the cost of an import's phones.
    if number.country_code == 86:
        is_valid = number_type != phonenumbers.PhoneNumberType.UNKNOWN
    else:
        is_valid = phonenumbers.is_valid_number(number)
    digits = re.sub(r"^(\+86|0086)", "", compact)
    chinese = not compact.startswith("+") or compact.startswith("+86")
    # A wrong digit count starting with 1 is a mistyped mobile, unless it is Beijing's area
    # code dialled without the trunk 0 (+86 10 12345678).
    if chinese and digits.startswith("1") and len(digits) != 11 and not is_valid:
        raise ValidationError(
            _("%(value)s: a mobile number has 11 digits."),
            params={"value": raw},
            code="mobile_length",
        )
    if not is_valid:
        raise ValidationError(
            _("%(value)s is not a valid phone number (check the digits and the area code)."),
            params={"value": raw},
            code="invalid",
        )
    if mobile_only and not is_mobile:
        raise ValidationError(
            _("%(value)s is not a mobile number."), params={"value": raw}, code="not_mobile"
        )
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if is_mobile and str(number.national_number).startswith("1"):
        return str(number.national_number)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\s+", "", national.replace(" ", "-", 1))
