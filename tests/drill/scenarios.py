"""Scenarios written for the tests: small, with fixed delays, so a run's times can be said in advance."""

from __future__ import annotations

from flows.drill.scenario import Scenario


def scenario(**overrides: object) -> Scenario:
    """A one-review scenario at the hotel, with fixed delays unless told otherwise."""
    document: dict[str, object] = {
        "scenario": {"name": "test", "title": {"en": "A test drill"}, "duration": "72h"},
        "signals": [
            {"at": "0m", "platform": "google", "rating": 1, "text": "Chambre sale, personnel odieux."}
        ],
        "people": [
            {"who": "everyone", "acknowledge": "10m", "approve": "20m", "write": "10m", "publish": "10m"}
        ],
        "exit": {"branch": "already_handled", "decide": "1h", "resolve": "2h"},
    }
    document.update(overrides)
    return Scenario.model_validate(document)
