"""Exit on top (sortir par le haut): every attack should leave the organisation better off.

Crises often end well (DOMAIN.md). Once the cell is assembled, a holding statement tells the public we
heard while the facts are checked; then a person of the cell chooses the branch: *already handled* — show
it: the internal guidelines, how they are applied, the plans already decided; *not handled* — set up an
action plan very fast, apologise for not having moved sooner, publish commitments, and thank the public
for helping the organisation improve. Every public word goes through the quorum; commitments are tracked
until kept; the incident resolves when the playbook's exit criteria hold, saying what was gained.

`branches` (the two ways out, and who may act), `statements` (drafted, approved, published by a person),
`commitments` (the public promises), `resolution` (the exit criteria). The phase's Prefect flow is
`flow.py`, the commitments' scheduled chase `commitment_reminders.py` (imported only where they run).
"""

from flows.exit_on_top.branches import ExitBranch, ExitError, branch_chooser, choose_branch, live_commitments
from flows.exit_on_top.commitments import (
    commitments_of,
    drop_commitment,
    find_commitment,
    keep_commitment,
    parse_due,
    record_commitment,
    remind_commitment_owners,
)
from flows.exit_on_top.resolution import ResolutionRefused, resolve_incident, what_is_missing
from flows.exit_on_top.statements import (
    Publication,
    propose_statement,
    publications,
    publish_statement,
    render_statement,
)

__all__ = [
    "ExitBranch",
    "ExitError",
    "Publication",
    "ResolutionRefused",
    "branch_chooser",
    "choose_branch",
    "commitments_of",
    "drop_commitment",
    "find_commitment",
    "keep_commitment",
    "live_commitments",
    "parse_due",
    "propose_statement",
    "publications",
    "publish_statement",
    "record_commitment",
    "remind_commitment_owners",
    "render_statement",
    "resolve_incident",
    "what_is_missing",
]
