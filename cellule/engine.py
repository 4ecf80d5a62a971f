"""Builds the runtime from settings and runs the crisis protocol: what every front door shares."""

from __future__ import annotations

import sys
from typing import TextIO

from cellule.settings import Settings
from cellule.store import open_store
from flows.runtime import Runtime
from notifications import Channel, ConsoleChannel, EmailChannel, SlackChannel, make_slack_client


def build_channels(settings: Settings, *, console: TextIO) -> dict[str, Channel]:
    """Console always; Slack with a bot token; email with an SMTP host (DESIGN.md principle 9)."""
    channels: dict[str, Channel] = {"console": ConsoleChannel(console)}
    if settings.slack_bot_token is not None:
        client = make_slack_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
        channels["slack"] = SlackChannel(client)
    if settings.smtp_host:
        channels["email"] = EmailChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            sender=settings.smtp_sender,
        )
    return channels


def build_runtime(settings: Settings, *, console: TextIO | None = None) -> Runtime:
    """The live runtime: wall clock, the configured store and channels, reports under the data folder."""
    return Runtime(
        sessions=open_store(settings.resolved_database_url),
        channels=build_channels(settings, console=console or sys.stdout),
        reports_dir=settings.data_dir / "reports",
    )


def run_protocol(runtime: Runtime, incident_id: int) -> None:
    """Run `crisis_response` for one incident in this process, under the given runtime."""
    from cellule.prefect_env import quiet_flow_runs
    from flows.crisis import crisis_response
    from flows.runtime import use_runtime

    with use_runtime(runtime), quiet_flow_runs():
        crisis_response(incident_id)


def tick_open_incidents(runtime: Runtime) -> int:
    """Run the protocol once for every open incident (what is due is done, nothing repeated), and for
    every resolved one still without its post-mortem (the run after its resolution did not finish).
    Live drills get their scenario's signals that fell due first."""
    from sqlalchemy import or_, select

    from flows.drill.live import advance_live_drills
    from models import Incident, IncidentStatus, PostMortem, transaction

    reported = select(PostMortem.incident_id).where(PostMortem.rendered_at.is_not(None))
    with transaction(runtime.sessions) as session:
        advance_live_drills(session, now=runtime.now())
    with transaction(runtime.sessions) as session:
        ids = session.scalars(
            select(Incident.id)
            .where(
                or_(
                    Incident.status.in_(IncidentStatus.open_statuses()),
                    # Candidates only: the protocol's own post_mortem_due check decides.
                    Incident.status.in_((IncidentStatus.RESOLVED, IncidentStatus.CLOSED))
                    & Incident.id.not_in(reported),
                )
            )
            .order_by(Incident.id)
        ).all()
    for incident_id in ids:
        run_protocol(runtime, incident_id)
    return len(ids)
