"""The response targets an incident is held to: its playbook's, as the kit stood when it was opened."""

from __future__ import annotations

from sqlalchemy.orm import Session

from flows.kit.loading import version_opened_under
from flows.kit.schema import ApprovalPolicy, Kit, Targets
from flows.postmortem.facts import ResponseTargets
from models import AttackType, Incident


def response_targets(
    session: Session, *, incident: Incident, kits: dict[int | None, Kit | None] | None = None
) -> ResponseTargets:
    """The targets of the playbook the incident was opened under (the kit may have changed since).

    Without a recorded kit version, the kit in force; without any kit, the schema's defaults. `kits`
    caches parsed kit versions across incidents (the period report reads many).
    """
    kits = {} if kits is None else kits
    if incident.kit_version_id not in kits:
        version = version_opened_under(session, incident)
        kits[incident.kit_version_id] = Kit.model_validate(version.document) if version else None
    kit = kits[incident.kit_version_id]
    if kit is None:
        return _targets(Targets(), ApprovalPolicy(), "default")
    attack = AttackType(incident.attack_type)
    playbook = kit.playbook_for(attack)
    return _targets(
        playbook.targets, playbook.approval, attack.value if attack in kit.playbooks else "default"
    )


def _targets(targets: Targets, approval: ApprovalPolicy, name: str) -> ResponseTargets:
    return ResponseTargets(
        acknowledge=targets.acknowledge,
        assemble=targets.assemble,
        first_statement=targets.first_statement,
        approval=approval.target,
        playbook=name,
    )
