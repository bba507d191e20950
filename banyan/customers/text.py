"""Keys for finding customers: the duplicate key of a name, and the search text."""

import functools
import re
import unicodedata

from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.core import Pinyin

from banyan.core.text import to_half_width


def name_key(name: str) -> str:
    """The form two names share when people would call them the same name.

    Full-width becomes half-width, case and spaces and punctuation are ignored:
    "北京 沃力（集团）" and "北京沃力(集团)" share a key.
    """
    text = to_half_width(name or "").lower()
    return "".join(
        ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "S", "C"))
    )


# pypinyin reads a text run by run of Chinese characters, as its own pattern of them tells,
# cuts each run into the words it knows and converts word by word (a word's pinyin does not
# depend on its neighbours). Converting each word once serves every name that holds it: the
# 有限公司, 科技 and 北京 of a thousand companies, the surnames of their contacts. Converting is
# most of the time an import of customers spends checking them.
_HANS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
_RUNS = re.compile(f"(?:{_HANS})+|(?:(?!{_HANS}).)+", re.DOTALL)
_SEGMENT = Pinyin().seg


@functools.lru_cache(maxsize=100_000)
def _word_pinyin(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin([word], errors="default"))


def _run_pinyin(run: str) -> list[str]:
    return [syllable for word in _SEGMENT(run) for syllable in _word_pinyin(word)]


def pinyin_forms(text: str) -> tuple[str, str]:
    """("beijingwoli", "bjwl") for "北京沃力"; non-Chinese characters pass through."""
    text = to_half_width(text or "").lower()
    # One conversion gives both: a syllable's first letter is its FIRST_LETTER style (checked
    # over 20,000 random names), and converting is the slow part of an import of customers.
    syllables = [s for run in _RUNS.findall(text) for s in _run_pinyin(run)]
    full = "".join(syllables).replace(" ", "")
    initials = "".join(part[:1] for part in syllables)
    return full, initials.replace(" ", "")


def build_search_text(
    *, name: str, phones: list[str], contact_names: list[str], email: str = ""
) -> str:
    parts = [to_half_width(name).lower(), *pinyin_forms(name)]
    for contact in contact_names:
        parts.append(to_half_width(contact).lower())
        parts.extend(pinyin_forms(contact))
    for phone in phones:
        if phone:
            parts.append(phone)
            parts.append(phone.replace("-", ""))
    if email:
        parts.append(email.lower())
    return " ".join(p for p in parts if p)


def search_terms(query: str) -> list[str]:
    """The words of a search box, each of which must be found."""
    return [term for term in to_half_width(query or "").lower().split() if term]


def build_contact_search_text(*, name: str, title: str, mobile: str, phone: str, email: str) -> str:
    """What the contacts' search box looks in: the name, title, phones and e-mail, lower case."""
    return " ".join(part.lower() for part in (name, title, mobile, phone, email) if part)
