"""An incident as the post-mortem reads it: plain, frozen values, detached from the store.

Everything here was read once, in one transaction (`flows.postmortem.reading`), so metrics, charts and
templates are pure functions of it and never run a query. Text that came from outside (reviews, posts,
statements, names) is kept as data: the renderer escapes it for each output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class ResponseTargets:
    """How fast the playbook wanted the cell to move; None where it sets no target."""

    acknowledge: timedelta | None
    assemble: timedelta | None
    first_statement: timedelta | None
    approval: timedelta | None  # a draft's wait for its quorum
    playbook: str  # the playbook they come from (an attack type, or "default")


@dataclass(frozen=True)
class SignalFact:
    at: datetime
    platform: str
    source: str
    author: str | None
    rating: int | None
    reach: int | None
    text: str
    url: str | None
    reported_by: str | None


@dataclass(frozen=True)
class EventFact:
    at: datetime
    kind: str
    actor: str | None
    summary: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class MemberFact:
    """One call of the cell: a person, for a role, and how they answered."""

    role: str
    rank: int
    person_key: str
    person_name: str
    status: str
    called_at: datetime
    acknowledged_at: datetime | None
    declined_at: datetime | None
    timed_out_at: datetime | None


@dataclass(frozen=True)
class DecisionFact:
    """One person's decision on one version of a draft, with the fingerprint of the words they read."""

    person_name: str
    role: str
    version: int
    decision: str
    comment: str | None
    decided_at: datetime
    text_sha256: str
    voided: bool


@dataclass(frozen=True)
class DraftFact:
    label: str
    kind: str
    locale: str
    version: int
    status: str
    author_name: str
    created_at: datetime
    approved_at: datetime | None
    text: str
    decisions: tuple[DecisionFact, ...]


@dataclass(frozen=True)
class StatementFact:
    """Public text as it went out: the approved words of the version that was published."""

    label: str
    kind: str
    locale: str
    version: int | None
    where: str
    url: str | None
    by: str
    at: datetime
    simulated: bool
    text: str
    text_sha256: str | None


@dataclass(frozen=True)
class AvenueFact:
    """One avenue of a review case: `name` is report, legal or reply."""

    name: str
    status: str
    started_at: datetime | None
    concluded_at: datetime | None
    details: tuple[tuple[str, str], ...]  # (field, value) pairs worth showing, in order


@dataclass(frozen=True)
class ReviewFact:
    label: str
    platform: str
    review_id: str
    url: str | None
    author: str | None
    stars: int | None
    text: str
    was_customer: str
    evidence_text: str
    evidence_sha256: str
    evidence_captured_at: datetime
    evidence_url: str | None
    rating_before: float | None
    rating_after: float | None
    outcome: str
    outcome_at: datetime | None
    opened_at: datetime
    avenues: tuple[AvenueFact, ...]


@dataclass(frozen=True)
class CommitmentFact:
    label: str
    text: str
    owner_name: str
    due_at: datetime
    status: str
    kept_at: datetime | None
    proof_url: str | None
    dropped_reason: str | None


@dataclass(frozen=True)
class ActionFact:
    label: str
    text: str
    owner_key: str
    owner_name: str
    due_at: datetime
    status: str
    done_at: datetime | None


@dataclass(frozen=True)
class Notes:
    """What people wrote in the hot wash; None in a list means "not edited: show the pre-filled facts"."""

    went_well: tuple[str, ...] | None = None
    went_wrong: tuple[str, ...] | None = None
    lucky: tuple[str, ...] | None = None
    edited_at: datetime | None = None
    edited_by: str | None = None


@dataclass(frozen=True)
class IncidentRecord:
    """Everything a post-mortem says about one incident."""

    id: int
    ref: str
    title: str
    attack_type: str
    severity: str
    status: str
    is_drill: bool
    target: str
    exit_branch: str | None
    benefit: str | None
    lead_name: str | None
    milestones: dict[str, datetime | None]
    targets: ResponseTargets
    first_draft_at: datetime | None
    signals: tuple[SignalFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    cell: tuple[MemberFact, ...] = ()
    drafts: tuple[DraftFact, ...] = ()
    statements: tuple[StatementFact, ...] = ()
    reviews: tuple[ReviewFact, ...] = ()
    commitments: tuple[CommitmentFact, ...] = ()
    actions: tuple[ActionFact, ...] = ()
    notes: Notes = field(default_factory=Notes)

    @property
    def ended_at(self) -> datetime | None:
        """When the incident ended: its resolution."""
        return self.milestones.get("resolved_at")
