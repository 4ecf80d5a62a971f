"""Intake: an attack appears on social media, and becomes a signal, then part of an incident.

A crisis is an event, or a run of events, that spreads fast: a false review, a burst of them on one place,
a rumour, a hijacked post, an accusation, a hacked account, a leak, a wave of hateful comments (DOMAIN.md).
Whatever door reports it, a request — one signal or a batch — is one transaction: its signals are stored
and triaged together (joined to the open incident about the same target or opening one, classified by the
kit's rules, severity rated, a burst noticed), so a stored signal always has its incident and a refused
request stores nothing.

`reports` is what a report is and `take_in`, the request stored and triaged; `storing` and `correlation`
are its two halves, in bulk; `rules` holds the triage rules as pure functions.
"""

from flows.intake.reports import (
    MAX_TEXT_CHARS,
    IntakeError,
    SignalReport,
    Taken,
    Triage,
    describe_errors,
    parse_report,
    record_signal,
    take_in,
    triage_with_kit_in_force,
)
from flows.intake.rules import SignalFacts, classify, dedup_key, fold, rate_severity, target_key

__all__ = [
    "MAX_TEXT_CHARS",
    "IntakeError",
    "SignalFacts",
    "SignalReport",
    "Taken",
    "Triage",
    "classify",
    "dedup_key",
    "describe_errors",
    "fold",
    "parse_report",
    "rate_severity",
    "record_signal",
    "take_in",
    "target_key",
    "triage_with_kit_in_force",
]
