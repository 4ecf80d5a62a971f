"""Durations in a kit are written the way people say them: 90s, 15m, 2h, 3d."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from flows.kit.schema import Targets

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@given(
    amount=st.integers(min_value=0, max_value=10_000),
    unit=st.sampled_from(sorted(UNITS)),
    space=st.sampled_from(["", " "]),
)
def test_a_number_and_a_unit_is_that_long(amount, unit, space):
    targets = Targets.model_validate({"acknowledge": f"{amount}{space}{unit}"})
    assert targets.acknowledge == timedelta(**{UNITS[unit]: amount})


def test_a_stored_duration_reads_back_unchanged():
    targets = Targets.model_validate({"acknowledge": "15m", "assemble": "2h", "first_statement": "3d"})
    assert Targets.model_validate(targets.model_dump(mode="json")) == targets
