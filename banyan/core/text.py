"""Normalising what people type: full-width characters, stray spaces."""

import unicodedata


def to_half_width(value: str) -> str:
    """Full-width digits, letters and punctuation (１３８, ＡＢＣ, ＠) become half-width."""
    return unicodedata.normalize("NFKC", value or "")


def clean_text(value: str | None) -> str:
    return " ".join(to_half_width(value or "").split())


def squash_spaces(value: str | None) -> str:
    """Trim and collapse whitespace, keeping the characters as typed (names keep （）)."""
    return " ".join((value or "").split())
