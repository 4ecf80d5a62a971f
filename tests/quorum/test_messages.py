"""What approvers and authors read: the whole text, in their language, harmless in Slack, with buttons."""

from __future__ import annotations

from typing import Any

import pytest

from notifications import Delivery, render_message
from notifications.slack import build_blocks

HOSTILE = "Merci <!channel> <@U999> & <https://evil.example|cliquez ici>"
KEY = "incident:1/draft:1/v2/approve/person:4"


def request_context(**changes: Any) -> dict[str, Any]:
    """The context `approval_request` receives, as the quorum builds it, with `changes` applied."""
    context: dict[str, Any] = {
        "ref": "CRI-2026-0001",
        "title": "Faux avis une étoile sur Google",
        "draft": "D1",
        "kind": "holding_statement",
        "text": "Bonjour,\n\nNous vérifions les faits.",
        "author_name": "Claire Morel",
        "editor_name": None,
        "version": 2,
        "policy": {
            "approvers": 2,
            "from_roles": ["comms_lead", "legal", "executive"],
            "distinct_roles": True,
        },
        "person_name": "Me Anne Roux",
        "person_key": "anne.roux",
        "role": "legal",
        "is_drill": False,
    }
    return {**context, **changes}


def decision_context(**changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "ref": "CRI-2026-0001",
        "title": "Faux avis une étoile sur Google",
        "draft": "D1",
        "kind": "review_reply",
        "version": 1,
        "decision": "rejected",
        "person_name": "Claire Morel",
        "person_key": "claire.morel",
        "decided_by": "Me Anne Roux",
        "role": "legal",
        "comment": "Ne dites pas « faux avis ».\nC'est à prouver.",
        "approvers": [],
        "is_drill": False,
    }
    return {**context, **changes}


def test_an_approval_request_reads_in_french() -> None:
    message = render_message("approval_request", "fr", request_context())

    assert message.subject == "CRI-2026-0001 · D1 à valider : Message d'attente, version 2"
    assert "le vôtre est demandé en tant que conseil juridique." in message.text
    assert "le vôtre est demandé en tant que *conseil juridique*." in message.slack_text
    for body in (message.text, message.slack_text):
        assert "Claire Morel propose un texte public" in body
        assert "2 accords de rôles différents" in body
        assert "Nous vérifions les faits." in body
    assert "cellule approve CRI-2026-0001 D1 --version 2 --as anne.roux" in message.text


def test_an_approval_request_reads_in_english() -> None:
    message = render_message("approval_request", "en", request_context(editor_name="Sophie Marchand"))

    assert message.subject == "CRI-2026-0001 · D1 to approve: Holding statement, version 2"
    assert "version 2, edited by Sophie Marchand" in message.text
    assert (
        "2 approvals from different roles, among communications lead, legal counsel, executive"
        in message.text
    )


def test_the_approver_reads_the_whole_text_even_at_the_size_limit() -> None:
    text = "Mot " * 1249 + "fin."  # 5,000 characters on one line: beyond the renderer's per-value cap

    message = render_message("approval_request", "en", request_context(text=text))

    assert text in message.text
    assert text in message.slack_text


def test_text_from_outside_stays_inert_in_slack() -> None:
    message = render_message("approval_request", "fr", request_context(text=HOSTILE, title=HOSTILE))

    assert "<!channel>" not in message.slack_text and "<@U999>" not in message.slack_text
    assert "&lt;!channel&gt; &lt;@U999&gt; &amp;" in message.slack_text


@pytest.mark.parametrize("template", ["approval_request", "draft_decision"])
@pytest.mark.parametrize("locale, marker", [("fr", "EXERCICE —"), ("en", "DRILL —")])
def test_drill_messages_say_so(template: str, locale: str, marker: str) -> None:
    context = request_context() if template == "approval_request" else decision_context()

    message = render_message(template, locale, {**context, "is_drill": True})

    for part in (message.subject, message.text, message.slack_text):
        assert part.startswith(marker)


def test_a_rejection_tells_the_author_who_sent_it_back_and_why() -> None:
    message = render_message("draft_decision", "fr", decision_context())

    assert message.subject == "CRI-2026-0001 · D1 renvoyé par Me Anne Roux (version 1)"
    assert "  | Ne dites pas « faux avis ».\n  | C'est à prouver." in message.text
    assert ">Ne dites pas « faux avis ».\n>C'est à prouver." in message.slack_text


def test_an_approval_tells_the_author_who_approved() -> None:
    approvers = [{"name": "Sophie Marchand", "role": "comms_lead"}, {"name": "Me Anne Roux", "role": "legal"}]
    context = decision_context(
        decision="approved", decided_by=None, role=None, comment=None, approvers=approvers
    )

    message = render_message("draft_decision", "en", context)

    assert message.subject == "CRI-2026-0001 · D1 approved by the cell (version 1)"
    assert "  - Sophie Marchand, communications lead\n  - Me Anne Roux, legal counsel" in message.text
    assert "This exact version may now be published." in message.text


@pytest.mark.parametrize("locale, labels", [("fr", ["Approuver", "Refuser"]), ("en", ["Approve", "Reject"])])
def test_on_slack_an_approval_request_carries_approve_and_reject_buttons(
    locale: str, labels: list[str]
) -> None:
    delivery = Delivery(
        key=KEY,
        template="approval_request",
        locale=locale,
        address="U04ROUXAV01",
        is_drill=False,
        message=render_message("approval_request", locale, request_context()),
        incident_ref="CRI-2026-0001",
    )

    [actions] = [b.to_dict() for b in build_blocks(delivery) if b.type == "actions"]

    assert actions["block_id"] == "cellule_approval"
    buttons = [(b["action_id"], b["text"]["text"], b["value"]) for b in actions["elements"]]
    assert buttons == [("approve", labels[0], KEY), ("reject", labels[1], KEY)]


def test_a_decision_notice_has_no_buttons() -> None:
    delivery = Delivery(
        key="incident:1/draft:1/v1/rejected/person:2",
        template="draft_decision",
        locale="fr",
        address="U04LILAS0CM",
        is_drill=False,
        message=render_message("draft_decision", "fr", decision_context()),
    )

    assert not [b for b in build_blocks(delivery) if b.type == "actions"]
