"""Scripted people for simulated runs: a channel wrapper that answers for them on the simulated clock.

When an alert reaches a scripted person, their answer (acknowledge, decline, or silence) is scheduled on
the simulated clock after their delay, and lands through the same `flows.surround.answers` functions a
real click would use. Nothing else in the protocol knows it is being simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import require_kit
from flows.runtime import SimulatedClock
from flows.surround.answers import AnswerError, acknowledge, decline
from models import Incident, Person, transaction
from notifications import Channel, Delivery, SendResult


@dataclass(frozen=True)
class Behaviour:
    """How one scripted person answers an alert."""

    answer: Literal["acknowledge", "decline", "silent"] = "acknowledge"
    after: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class Received:
    at: datetime
    key: str
    template: str
    address: str


@dataclass
class ScriptedPeople:
    """Wraps a real channel: delivers through it, then schedules the recipient's scripted answer."""

    inner: Channel
    clock: SimulatedClock
    sessions: sessionmaker[Session]
    behaviours: dict[str, Behaviour] = field(default_factory=dict)  # by person key
    default: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    def send(self, delivery: Delivery) -> SendResult:
        result = self.inner.send(delivery)
        person_key = self._person_key(delivery.address)
        self.received.append(
            Received(self.clock.now(), delivery.key, delivery.template, person_key or delivery.address)
        )
        if person_key and delivery.incident_ref:
            self.react(delivery, person_key)
        return result

    def react(self, delivery: Delivery, person_key: str) -> None:
        """Schedule what the person does about this message (here: answer an alert)."""
        if delivery.template != "alert":
            return
        answer = self.answer_to_alert(person_key)
        if answer is not None:
            ref, (what, after) = delivery.incident_ref, answer
            self.clock.schedule(self.clock.now() + after, lambda: self.answer(ref, person_key, what))

    def answer_to_alert(self, person_key: str) -> tuple[str, timedelta] | None:
        """What the person answers to an alert, and after how long; None: they stay silent."""
        behaviour = self.behaviours.get(person_key, self.default)
        return None if behaviour.answer == "silent" else (behaviour.answer, behaviour.after)

    def _person_key(self, address: str) -> str | None:
        """Console addresses are person keys; Slack ones are user ids; email ones are addresses."""
        with transaction(self.sessions) as session:
            return session.scalar(
                select(Person.key).where(
                    (Person.key == address) | (Person.slack_user_id == address) | (Person.email == address)
                )
            )

    def answer(self, ref: str, person_key: str, answer: str) -> None:
        """The person's answer lands, through the same functions as a real click."""
        with transaction(self.sessions) as session:
            incident = session.scalars(select(Incident).where(Incident.ref == ref)).one()
            person = session.scalars(select(Person).where(Person.key == person_key)).one()
            kit = require_kit(session)
            try:
                if answer == "acknowledge":
                    acknowledge(session, incident=incident, person=person, kit=kit, at=self.clock.now())
                else:
                    decline(session, incident=incident, person=person, kit=kit, at=self.clock.now())
            except AnswerError:
                pass  # a scripted answer to a role already settled changes nothing, like a late real one
