"""Surround (être entouré): never decide alone in front of an attack.

The crisis cell gathers the community manager, the communications lead, the agency (an ally), legal
counsel, an executive; internal exchanges matter as much (DOMAIN.md). The phase calls the primary of each
role the playbook needs, reminds whoever stays silent, calls their backup when they still do not answer or
cannot take it, tells the next escalation tier about a role nobody can fill, and reminds the cell while
nobody leads. The cell is assembled when every role has an acknowledged member.

`escalation` is the rulebook as a pure plan; `answers` takes "I take it" / "I can't" from every door;
`cell` reads the incident's cell; `reminders` chases the missing lead. The phase's Prefect flow is
`flow.py`, imported only where the protocol runs (answering from the command line never starts Prefect).
"""

from flows.surround.answers import Answered, AnswerError, acknowledge, decline
from flows.surround.cell import cell_members, load_calls, reachable_for, settle_assembly
from flows.surround.escalation import Call, CallNext, GiveUp, Remind, Step, is_assembled, next_deadline, plan
from flows.surround.reminders import remind_no_lead

__all__ = [
    "AnswerError",
    "Answered",
    "Call",
    "CallNext",
    "GiveUp",
    "Remind",
    "Step",
    "acknowledge",
    "cell_members",
    "decline",
    "is_assembled",
    "load_calls",
    "next_deadline",
    "plan",
    "reachable_for",
    "remind_no_lead",
    "settle_assembly",
]
