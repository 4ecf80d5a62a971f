"""`cellule review reply/publish`: the public reply, drafted for the quorum, then published exactly as
approved. Registered on the `review` sub-app by `cellule.commands.reviews`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands import review_support as support
from cellule.commands.common import fail
from cellule.commands.review_support import Case, Done, Ref, Who
from cellule.settings import get_settings
from flows.kit.loading import require_kit
from flows.reviews import draft_reply, publish_reply
from flows.reviews.connectors import (
    GoogleBusinessProfileConnector,
    ManualConnector,
    ReplyConnector,
    TrustpilotConnector,
)
from flows.runtime import Runtime


class Connector(StrEnum):
    MANUAL = "manual"
    GOOGLE = "google"
    TRUSTPILOT = "trustpilot"


class Tone(StrEnum):  # the tones the reply templates have (flows.reviews.TONES)
    FACTUAL = "factual"
    EMPATHETIC = "empathetic"


def reply(
    ref: Ref,
    case: Case,
    as_: Who,
    tone: Annotated[Tone, typer.Option(help="How the reply sounds.")] = Tone.FACTUAL,
    locale: Annotated[
        str | None, typer.Option(help="The reply's language, fr or en (default: the kit's).")
    ] = None,
) -> None:
    """Draft the public reply from the templates and ask the cell to approve it (a review_reply draft)."""

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        draft = draft_reply(
            session,
            case=found,
            author=support.person(session, as_),
            tone=tone.value,
            locale=locale or require_kit(session).kit.locale,
            at=runtime.now(),
            available=runtime.available_channels,
        )
        said = Text(
            f"✓ Reply drafted as {draft.label} (version 1), awaiting the cell's approval:\n\n", style="green"
        )
        said.append(Text(draft.text, style="default"))
        said.append(f"\n\nChange it with `cellule edit {ref.upper()} {draft.label} --file …`.", style="dim")
        return Done(found.incident_id, said)

    support.run(act)


def publish(
    ref: Ref,
    case: Case,
    as_: Who,
    connector: Annotated[
        Connector, typer.Option(help="How it goes out: posted by you (manual) or the API.")
    ] = (Connector.MANUAL),
    url: Annotated[str | None, typer.Option(help="Manual: where the reply you posted can be read.")] = None,
) -> None:
    """Publish the approved reply — exactly the approved words, once. Refused without the cell's approval."""
    chosen = _connector(connector, url)

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        outcome = publish_reply(
            session, case=found, connector=chosen, person=support.person(session, as_), at=runtime.now()
        )
        done = outcome.reply
        if outcome.published:
            where = f" at {done.published_url}" if done.published_url else ""
            return Done(
                found.incident_id, Text(f"✓ Reply published through {done.connector}{where}.", style="green")
            )
        retry = "try the same command again later" if outcome.retryable else "fix the cause, then try again"
        said = Text(f"✗ Not published (attempt {done.attempts}): {outcome.error}\n", style="red")
        said.append(f"Recorded; nothing went out. {retry.capitalize()}.", style="default")
        return Done(found.incident_id, said, code=1)

    support.run(act)


def _connector(name: Connector, url: str | None) -> ReplyConnector:
    """The connector from the settings; a missing credential is named so it can be set."""
    settings = get_settings()
    if name == Connector.MANUAL:
        if not url:
            fail(
                "With the manual connector, give the address of the reply you posted: --url https://…", code=2
            )
        return ManualConnector(url=url)
    if name == Connector.GOOGLE:
        needed = {
            "CELLULE_GOOGLE_BUSINESS_ACCESS_TOKEN": settings.google_business_access_token,
            "CELLULE_GOOGLE_BUSINESS_ACCOUNT_ID": settings.google_business_account_id,
            "CELLULE_GOOGLE_BUSINESS_LOCATION_ID": settings.google_business_location_id,
        }
    else:
        needed = {
            "CELLULE_TRUSTPILOT_ACCESS_TOKEN": settings.trustpilot_access_token,
            "CELLULE_TRUSTPILOT_BUSINESS_USER_ID": settings.trustpilot_business_user_id,
        }
    missing = [variable for variable, value in needed.items() if not value]
    if missing:
        fail(
            f"The {name} connector needs {', '.join(missing)}.",
            code=2,
            hint="Or post the approved text yourself and record it: --connector manual --url https://…",
        )
    if name == Connector.GOOGLE:
        assert settings.google_business_access_token is not None
        return GoogleBusinessProfileConnector(
            access_token=settings.google_business_access_token.get_secret_value(),
            account_id=str(settings.google_business_account_id),
            location_id=str(settings.google_business_location_id),
            base_url=settings.google_business_api_url,
        )
    assert settings.trustpilot_access_token is not None
    return TrustpilotConnector(
        access_token=settings.trustpilot_access_token.get_secret_value(),
        business_user_id=str(settings.trustpilot_business_user_id),
        base_url=settings.trustpilot_api_url,
    )
