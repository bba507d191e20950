"""Phone normalisation as properties: however a valid number is typed, it is stored the same way.

Numbers come from phonenumbers' own idea of validity (region CN), then get written the way
people type them: spaces and dashes anywhere, a +86 or 0086 prefix, brackets around the area
code, digits full-width from a Chinese input method. Real-world cases: test_phones.py.
"""

import string

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from banyan.core.phones import normalize_phone

# The first call loads phonenumbers' metadata: no deadline, so that is never a failure.
PROPERTY = settings(deadline=None, max_examples=50)

SEPARATORS = st.sampled_from(["", "", "", " ", "-", "  ", " - ", "\u3000"])
MOBILE_PREFIXES = ["", "+86", "+86 ", "+86-", "0086", "0086 ", "(+86) ", "＋86 ", "+86\u3000"]
# Area codes of Beijing, Shanghai, Shenzhen, Hangzhou, Qinhuangdao, Lincang: 3 and 4 digits,
# local numbers of 8 and 7 digits.
AREA_CODES = ["010", "021", "0755", "0571", "0335", "0883"]
LANDLINE_TYPES = {phonenumbers.PhoneNumberType.FIXED_LINE}
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def full_width(character: str) -> str:
    """１ for 1: what a Chinese input method in full-width mode types."""
    return chr(ord(character) + 0xFEE0)


def has_type(number: str, types: set) -> bool:
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in types


def digit_strings(first: str, length: int) -> st.SearchStrategy[str]:
    return st.text(string.digits, min_size=length, max_size=length).map(lambda rest: first + rest)


mobiles = (
    st.sampled_from("3456789")
    .flatmap(lambda second: digit_strings("1" + second, 9))
    .filter(lambda number: has_type(number, MOBILE_TYPES))
)

landlines = st.tuples(
    st.sampled_from(AREA_CODES),
    st.sampled_from("23456789").flatmap(
        lambda first: st.sampled_from([6, 7]).flatmap(lambda rest: digit_strings(first, rest))
    ),
).filter(lambda parts: has_type(parts[0] + parts[1], LANDLINE_TYPES))


@st.composite
def typed(draw, digits: str, prefix: str = "") -> str:
    """`digits` as a person might type them: separators between any two, some full-width."""
    characters = list(prefix)
    for index, digit in enumerate(digits):
        if index:
            characters.append(draw(SEPARATORS))
        characters.append(digit)
    text = "".join(characters)
    text = "".join(
        full_width(character) if character.isdigit() and draw(st.booleans()) else character
        for character in text
    )
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))


@st.composite
def typed_mobiles(draw) -> tuple[str, str]:
    number = draw(mobiles)
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    return draw(typed(number, prefix)), number


@st.composite
def typed_landlines(draw) -> tuple[str, str]:
    area, local = draw(landlines)
    style = draw(st.sampled_from(["plain", "brackets", "full-width brackets", "+86"]))
    if style == "+86":
        # Dialled from abroad the trunk 0 of the area code is dropped: +86 10 12345678.
        text = draw(typed(area[1:] + local, draw(st.sampled_from(["+86", "+86 ", "0086 "]))))
    else:
        opening, closing = {
            "plain": ("", draw(SEPARATORS)),
            "brackets": ("(", ")"),
            "full-width brackets": ("（", "）"),
        }[style]
        text = opening + draw(typed(area)) + closing + draw(typed(local))
    return text, f"{area}-{local}"


@PROPERTY
@given(typed_mobiles())
@example(("＋８６ １３８-００１３-８０００", "13800138000"))
@example(("0086 139 0000 1111", "13900001111"))
def test_a_mobile_however_typed_becomes_its_eleven_digits(case):
    text, number = case

    assert normalize_phone(text) == number
    assert normalize_phone(text, mobile_only=True) == number


@PROPERTY
@given(typed_landlines())
@example(("（０２１）６２３４ ５６７８", "021-62345678"))
@example(("+86 755 8888 6666", "0755-88886666"))
@example(("+86 10 2000 0000", "010-20000000"))  # Beijing's area code starts with 1, too
def test_a_landline_however_typed_becomes_area_code_dash_number(case):
    text, expected = case

    assert normalize_phone(text) == expected


@PROPERTY
@given(typed_landlines())
def test_a_landline_is_not_a_mobile(case):
    text, _expected = case

    with pytest.raises(ValidationError):
        normalize_phone(text, mobile_only=True)


@PROPERTY
@given(st.one_of(typed_mobiles(), typed_landlines()))
def test_normalising_twice_changes_nothing(case):
    text, _expected = case
    once = normalize_phone(text)

    assert normalize_phone(once) == once


@PROPERTY
@given(st.text(), st.sampled_from(string.ascii_letters + "ＡＢｘｙ"), st.text())
@example("138 0013 8000 ", "x", "12")
@example("+86 ", "O", "10-12345678")  # the letter O for a zero
def test_text_with_a_letter_is_refused(before, letter, after):
    with pytest.raises(ValidationError):
        normalize_phone(before + letter + after)


@PROPERTY
@given(st.text())
@example("+")
@example("++86")
@example("0086")
@example("٠١٣٨٠٠١٣٨٠٠٠")  # Arabic-Indic digits
@example("1" * 300)
def test_any_text_is_normalised_or_refused_never_crashes(text):
    try:
        normalized = normalize_phone(text)
    except ValidationError as refused:
        assert refused.messages  # a reason a person can act on
    else:
        assert normalize_phone(normalized) == normalized
