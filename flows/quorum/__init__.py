"""The quorum: no public text leaves without the agreement of others (never decide alone).

A draft (holding statement, review reply, apology…) is put up for approval; the cell members holding one of
the playbook's approving roles are asked; when the approvals of the current version satisfy the policy, the
draft is approved. An edit is a new version and voids earlier approvals: they agreed to other words.

Services take the session and never commit (the caller owns the transaction); each writes the timeline
with who, when, and the old and new values. A draft waiting past the playbook's target has its
approvers reminded, at a cadence and capped (`remind_waiting_drafts`). See docs/quorum.md.
"""

from flows.quorum.ballots import (
    approval_policy,
    drafts_waiting_past_target,
    eligible_approvers,
    quorum_state,
    standing_decisions,
)
from flows.quorum.decisions import approve_draft, reject_draft
from flows.quorum.drafts import edit_draft, propose_draft
from flows.quorum.reminders import remind_waiting_drafts
from flows.quorum.requests import queue_approval_requests
from flows.quorum.rules import (
    MAX_COMMENT_CHARS,
    MAX_DRAFT_CHARS,
    Ballot,
    QuorumError,
    QuorumState,
    clean_draft_text,
    evaluate_quorum,
)

__all__ = [
    "MAX_COMMENT_CHARS",
    "MAX_DRAFT_CHARS",
    "Ballot",
    "QuorumError",
    "QuorumState",
    "approval_policy",
    "approve_draft",
    "clean_draft_text",
    "drafts_waiting_past_target",
    "edit_draft",
    "eligible_approvers",
    "evaluate_quorum",
    "propose_draft",
    "queue_approval_requests",
    "quorum_state",
    "reject_draft",
    "remind_waiting_drafts",
    "standing_decisions",
]
