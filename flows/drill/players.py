"""The players of a simulated drill: the kit's people, scripted by the scenario, acting on what they receive.

Each person is cast once per run (absent or not, declining or not, drawn from the seed), then acts like a
person would: answers an alert, decides on a draft they are asked to approve, posts (simulated) a text
of theirs once approved, rewrites one sent back. The incident's lead also decides the way out once the
cell is assembled, and resolves once the branch statement is out. Every act lands on the simulated clock
through the same functions a command or a Slack click uses; an act the protocol refuses is written down
as a stumble (the drill is there to find them) and changes nothing.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.drill.scenario import Delay, Scenario, behaviour_of
from flows.drill.scripted import ScriptedPeople
from flows.exit_on_top.branches import ExitBranch, ExitError, choose_branch
from flows.exit_on_top.commitments import record_commitment
from flows.exit_on_top.resolution import resolve_incident
from flows.exit_on_top.statements import publish_statement
from flows.kit.schema import Kit
from flows.quorum import approve_draft, edit_draft, reject_draft
from flows.quorum.rules import QuorumError
from flows.reviews.avenues import AVENUES
from flows.reviews.errors import ReviewError
from flows.reviews.outcomes import abandon_avenue
from flows.surround.answers import AnswerError
from models import (
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Notification,
    Participant,
    Person,
    ReviewCase,
    transaction,
)
from notifications import Delivery, SendResult

ACKNOWLEDGE = Delay(median=timedelta(minutes=10), p90=timedelta(minutes=30))
APPROVE = Delay(median=timedelta(minutes=20), p90=timedelta(hours=1))
WRITE = Delay(median=timedelta(minutes=15), p90=timedelta(minutes=45))
PUBLISH = Delay(median=timedelta(minutes=10), p90=timedelta(minutes=30))
REJECTION = {"fr": "Trop défensif : reformulez.", "en": "Too defensive: rephrase it."}
REWRITE = {"fr": "Nous revenons vers vous très vite.", "en": "We will come back to you very soon."}
WRITTEN = {
    "fr": "(EXERCICE : ici, le texte écrit par la cellule)",
    "en": "(DRILL: here, the cell's own words)",
}
BLANK = re.compile(r"\[\[.*?\]\]", re.DOTALL)
NOT_REHEARSED = "EXERCICE / DRILL — this avenue is not rehearsed in a drill"
POSTED_ON = "EXERCICE / DRILL"

PersonAct = Callable[[Session, Incident, Person, datetime], None]


@dataclass(frozen=True)
class Player:
    """One person as cast for this run."""

    key: str
    absent: bool
    declines: bool
    acknowledge: Delay
    approve: Delay
    write: Delay
    publish: Delay
    rejects: frozenset[DraftKind]


def cast(scenario: Scenario, kit: Kit, rng: random.Random) -> dict[str, Player]:
    """Draw who is absent and who declines, person by person in the kit's order (so a seed replays)."""
    players = {}
    for spec in kit.people:
        rules = behaviour_of(scenario, kit, spec.key)
        players[spec.key] = Player(
            key=spec.key,
            absent=_happens(rules.get("absent"), rng),
            declines=_happens(rules.get("declines"), rng),
            acknowledge=rules.get("acknowledge", ACKNOWLEDGE),  # type: ignore[arg-type]
            approve=rules.get("approve", APPROVE),  # type: ignore[arg-type]
            write=rules.get("write", WRITE),  # type: ignore[arg-type]
            publish=rules.get("publish", PUBLISH),  # type: ignore[arg-type]
            rejects=frozenset(rules.get("rejects", ())),  # type: ignore[arg-type]
        )
    return players


def _happens(chance: object, rng: random.Random) -> bool:
    """`True`, `False`/unset, or a probability drawn for this run."""
    draw = rng.random()  # drawn whatever the chance, so one person's rule never shifts another's draws
    if isinstance(chance, bool) or chance is None:
        return bool(chance)
    return draw < float(chance)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Stumble:
    at: datetime
    who: str
    act: str
    reason: str


@dataclass
class Players(ScriptedPeople):
    """The scripted cast: a channel wrapper that delivers, then schedules what the recipient does."""

    scenario: Scenario | None = None
    players: dict[str, Player] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    stumbles: list[Stumble] = field(default_factory=list)
    # Whether the protocol must run again: an answer to an alert (surround's business) always asks for
    # it; any other act only when it landed while no protocol run was going — one that lands during a
    # run is seen by exit on top, which waits for exactly these acts.
    acted: bool = False
    in_protocol: bool = False
    _planned: set[str] = field(default_factory=set)

    # ─── what people receive ────────────────────────────────────────────────────────────────────────
    def answer_to_alert(self, person_key: str) -> tuple[str, timedelta] | None:
        player = self.players[person_key]
        if player.absent:
            return None
        return ("decline" if player.declines else "acknowledge", player.acknowledge.draw(self.rng))

    def send(self, delivery: Delivery) -> SendResult:
        result = super().send(delivery)
        self.look_around()  # a draft with blanks was just proposed, perhaps
        return result

    def react(self, delivery: Delivery, person_key: str) -> None:
        player = self.players.get(person_key)
        if player is None or player.absent:
            return
        if delivery.template == "alert":
            super().react(delivery, person_key)
            return
        context = self._context(delivery.key)
        if delivery.template == "approval_request":
            if BLANK.search(str(context["text"])):
                return  # nobody approves blanks: they wait for the author's words (see look_around)
            kind, label, version = DraftKind(context["kind"]), str(context["draft"]), int(context["version"])
            sends_back = kind in player.rejects and version == 1
            name, act = ("reject", self._reject) if sends_back else ("approve", self._approve)
            self._later(player.approve.draw(self.rng), person_key, name, act(label, version))
        elif delivery.template == "library_statement":  # approved in peacetime: post it as it stands
            label, version = str(context["draft"]), int(context["version"])
            self._later(player.publish.draw(self.rng), person_key, "publish", self._publish(label, version))
        elif delivery.template == "draft_decision":
            label, version = str(context["draft"]), int(context["version"])
            if context["decision"] == "approved":
                self._later(
                    player.publish.draw(self.rng), person_key, "publish", self._publish(label, version)
                )
            else:
                self._later(player.write.draw(self.rng), person_key, "rewrite", self._rewrite(label, version))

    def _context(self, key: str) -> dict[str, object]:
        with transaction(self.sessions) as session:
            return session.scalars(select(Notification.context).where(Notification.key == key)).one()

    # ─── the acts ───────────────────────────────────────────────────────────────────────────────────
    def _approve(self, label: str, version: int) -> PersonAct:
        def act(session: Session, incident: Incident, person: Person, now: datetime) -> None:
            draft = _draft(session, incident, label)
            approve_draft(
                session, draft=draft, person=person, at=now, available=self.available, version=version
            )

        return act

    def _reject(self, label: str, version: int) -> PersonAct:
        def act(session: Session, incident: Incident, person: Person, now: datetime) -> None:
            draft = _draft(session, incident, label)
            comment = REJECTION.get(draft.locale, REJECTION["en"])
            reject_draft(
                session,
                draft=draft,
                person=person,
                comment=comment,
                at=now,
                available=self.available,
                version=version,
            )

        return act

    def _publish(self, label: str, version: int) -> PersonAct:
        def act(session: Session, incident: Incident, person: Person, now: datetime) -> None:
            draft = _draft(session, incident, label)
            if draft.version == version and draft.status == DraftStatus.APPROVED:
                publish_statement(session, draft=draft, person=person, where=POSTED_ON, at=now)

        return act

    def _rewrite(self, label: str, version: int) -> PersonAct:
        def act(session: Session, incident: Incident, person: Person, now: datetime) -> None:
            draft = _draft(session, incident, label)
            if draft.version == version:
                written = BLANK.sub(WRITTEN.get(draft.locale, WRITTEN["en"]), draft.text)
                text = (
                    written
                    if written != draft.text
                    else f"{draft.text}\n\n{REWRITE.get(draft.locale, REWRITE['en'])}"
                )
                edit_draft(session, draft=draft, editor=person, text=text, at=now, available=self.available)

        return act

    @property
    def available(self) -> set[str]:
        return {self.name}

    def _later(self, after: timedelta, person_key: str, name: str, act: PersonAct) -> None:
        """Schedule `person_key`'s act on the drill's incident, in its own transaction, then look around."""

        def land() -> None:
            now = self.clock.now()
            try:
                with transaction(self.sessions) as session:
                    incident = self._incident(session)
                    assert incident is not None  # acts follow messages about it
                    person = session.scalars(select(Person).where(Person.key == person_key)).one()
                    act(session, incident, person, now)
            except (AnswerError, ExitError, QuorumError, ReviewError) as refused:
                self.stumbles.append(Stumble(now, person_key, name, str(refused)))
            self.acted = self.acted or not self.in_protocol
            self.look_around()

        self.clock.schedule(self.clock.now() + after, land)

    def answer(self, ref: str, person_key: str, answer: str) -> None:
        super().answer(ref, person_key, answer)
        self.acted = True
        self.look_around()

    # ─── the lead's decisions ───────────────────────────────────────────────────────────────────────
    def look_around(self) -> None:
        """Plan what the incident is ready for, each once: a draft's blanks written by its author, the
        lead's choice of the way out, and the resolution."""
        with transaction(self.sessions) as session:
            incident = self._incident(session)
            if incident is None or incident.status not in IncidentStatus.open_statuses():
                return
            self._write_blanks(session, incident)
            if self.scenario is None or self.scenario.exit is None or incident.lead_id is None:
                return
            exit_ = self.scenario.exit
            lead = session.get_one(Person, incident.lead_id).key
            if incident.cell_assembled_at is not None and "branch" not in self._planned:
                self._planned.add("branch")
                self._later(exit_.decide.draw(self.rng), lead, "choose the branch", self._choose)
            follow_up = ExitBranch(exit_.branch).follow_up
            published = session.scalar(
                select(Draft.id).where(
                    Draft.incident_id == incident.id,
                    Draft.kind == follow_up,
                    Draft.status == DraftStatus.PUBLISHED,
                )
            )
            if published is not None and "resolve" not in self._planned:
                self._planned.add("resolve")
                self._later(exit_.resolve.draw(self.rng), lead, "resolve", self._resolve)

    def _write_blanks(self, session: Session, incident: Incident) -> None:
        drafts = session.scalars(
            select(Draft).where(
                Draft.incident_id == incident.id,
                Draft.status == DraftStatus.AWAITING_APPROVAL,
                Draft.text.contains("[["),
            )
        )
        for draft in drafts:
            plan = f"write D{draft.number} v{draft.version}"
            author = self.players.get(session.get_one(Person, draft.author_id).key)
            if plan in self._planned or author is None or author.absent:
                continue
            self._planned.add(plan)
            self._later(
                author.write.draw(self.rng), author.key, "write", self._rewrite(draft.label, draft.version)
            )

    def _choose(self, session: Session, incident: Incident, lead: Person, now: datetime) -> None:
        assert self.scenario is not None and self.scenario.exit is not None
        for commitment in self.scenario.exit.commitments:
            owner = self._member(session, incident, commitment.owner) or lead
            record_commitment(
                session,
                incident=incident,
                by=lead,
                owner=owner,
                text=commitment.text,
                due_at=now + commitment.due_in,
                at=now,
            )
        choose_branch(
            session, incident=incident, person=lead, branch=ExitBranch(self.scenario.exit.branch), at=now
        )

    def _resolve(self, session: Session, incident: Incident, lead: Person, now: datetime) -> None:
        assert self.scenario is not None and self.scenario.exit is not None
        for case in session.scalars(select(ReviewCase).where(ReviewCase.incident_id == incident.id)):
            for avenue in AVENUES:
                try:
                    with session.begin_nested():
                        abandon_avenue(
                            session, case=case, avenue=avenue, reason=NOT_REHEARSED, at=now, actor=lead.key
                        )
                except ReviewError:
                    pass  # already concluded
        resolve_incident(session, incident=incident, person=lead, benefit=self.scenario.exit.benefit, at=now)

    def _member(self, session: Session, incident: Incident, who: str) -> Person | None:
        """The person `who` names in the cell: a person's key, or the role's member who answered."""
        query = (
            select(Person)
            .join(Participant, Participant.person_id == Person.id)
            .where(Participant.incident_id == incident.id, Participant.acknowledged_at.is_not(None))
        )
        named = session.scalars(query.where(Person.key == who)).first()
        return named or session.scalars(query.where(Participant.role == who).order_by(Participant.id)).first()

    def _incident(self, session: Session) -> Incident | None:
        """The drill's incident: the first one its signals opened."""
        return session.scalars(select(Incident).order_by(Incident.id).limit(1)).first()


def _draft(session: Session, incident: Incident, label: str) -> Draft:
    number = int(label.lstrip("D"))
    return session.scalars(
        select(Draft).where(Draft.incident_id == incident.id, Draft.number == number)
    ).one()
