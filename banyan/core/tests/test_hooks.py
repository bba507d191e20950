import pytest

from banyan.core.hooks import Hook


def test_functions_run_in_registration_order_with_the_arguments():
    hook = Hook("customer transferred", "customer, to_owner")
    calls = []

    @hook.register
    def first(*, customer, to_owner):
        calls.append(("first", customer, to_owner))
        return 1

    @hook.register
    def second(*, customer, to_owner):
        calls.append(("second", customer, to_owner))
        return 2

    assert hook.run(customer="c", to_owner="o") == [1, 2]
    assert calls == [("first", "c", "o"), ("second", "c", "o")]


def test_a_function_registered_twice_runs_once():
    hook = Hook("slip confirmed")
    calls = []

    def record(**arguments):
        calls.append(arguments)

    hook.register(record)
    hook.register(record)
    hook.run(slip=1)
    assert calls == [{"slip": 1}]
    assert len(hook) == 1 and record in hook


def test_a_failing_function_stops_the_rest_and_raises_to_the_caller():
    hook = Hook("handover")
    calls = []

    @hook.register
    def fails(**arguments):
        raise ValueError("refused")

    @hook.register
    def never(**arguments):
        calls.append(arguments)

    with pytest.raises(ValueError, match="refused"):
        hook.run()
    assert calls == []
