"""Fixtures of the opportunity tests: the company's stages, and opportunities made through
the services."""

from decimal import Decimal

import pytest

from banyan.accounts.models import DictionaryOption
from banyan.opportunities import services


@pytest.fixture
def stages(org):
    """The built-in stages of company A by code: initial 10%, needs 30%, proposal 50%,
    negotiation 70%, commitment 90%."""
    return {
        option.code: option
        for option in DictionaryOption.objects.filter(company=org.company, kind="opportunity_stage")
    }


@pytest.fixture
def make_opportunity(db):
    """`make_opportunity(user, customer, name=..., **fields)` → an opportunity created by
    `user` through the services."""
    counter = {"n": 0}

    def make(user, customer, name=None, **fields):
        counter["n"] += 1
        fields.setdefault("expected_amount", Decimal("10000.00"))
        return services.opportunity_create(
            user=user, customer=customer, name=name or f"机会{counter['n']}", **fields
        )

    return make
