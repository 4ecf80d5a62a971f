"""Intake: an attack appears on social media, and becomes a signal, then part of an incident.

A crisis is an event, or a run of events, that spreads fast: a false review, a burst of them on one place,
a rumour, a hijacked post, an accusation, a hacked account, a leak, a wave of hateful comments (DOMAIN.md).
Whatever door reports it, the signal is stored first — nothing a person reported is ever lost — then
triaged: joined to the open incident about the same target or opening one, classified by the kit's
rules, its severity rated, a burst noticed.

`reports` stores and triages (one transaction each); `rules` holds the triage rules as pure functions.
"""

from flows.intake.reports import (
    MAX_TEXT_CHARS,
    IntakeError,
    SignalReport,
    Triage,
    busiest_window,
    describe_errors,
    parse_report,
    record_signal,
    triage_signal,
    triage_with_kit_in_force,
)
from flows.intake.rules import SignalFacts, classify, dedup_key, fold, rate_severity, target_key

__all__ = [
    "MAX_TEXT_CHARS",
    "IntakeError",
    "SignalFacts",
    "SignalReport",
    "Triage",
    "busiest_window",
    "classify",
    "dedup_key",
    "describe_errors",
    "fold",
    "parse_report",
    "rate_severity",
    "record_signal",
    "target_key",
    "triage_signal",
    "triage_with_kit_in_force",
]
