import pytest
from django.core.exceptions import ValidationError

from banyan.core.phones import normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("１３８ １２３４ ５６７８", "13812345678"),  # full-width digits and spaces
        ("+86 138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("010-12345678", "010-12345678"),  # Beijing landline
        ("0755 8888 6666", "0755-88886666"),  # Shenzhen landline
        ("(021)62345678", "021-62345678"),
        ("（０２１）６２３４５６７８", "021-62345678"),  # full-width brackets
        ("+1 650 253 0000", "+16502530000"),
        ("", ""),
    ],
)
def test_numbers_are_normalised(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1381234567", "a mobile number has 11 digits"),
        ("138123456789", "a mobile number has 11 digits"),
        ("phone: 138", "contains characters that are not part of a phone number"),
        ("12345", "a mobile number has 11 digits"),
        ("0000-1234", "is not a valid phone number"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(typed, reason):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(typed)
    assert reason in refused.value.messages[0]


def test_mobile_only_refuses_a_landline():
    with pytest.raises(ValidationError) as refused:
        normalize_phone("010-12345678", mobile_only=True)
    assert refused.value.messages == ["010-12345678 is not a mobile number."]
