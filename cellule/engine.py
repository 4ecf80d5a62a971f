"""Builds the runtime from settings and runs the crisis protocol: what every front door shares.

Nothing here imports Prefect at load time: a command that only reads imports this module too.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from cellule.runner import Runner, live_runner, nudge, take_nudges
from cellule.settings import Settings
from cellule.store import open_store
from flows.runtime import Runtime
from notifications import Channel, ConsoleChannel, EmailChannel, SlackChannel, dispatch_due, make_slack_client


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


def follow_nudges(
    data_dir: Path,
    follow: Callable[[int], None],
    *,
    until: float,
    poll: float = 1.0,
    failed: Callable[[int, Exception], None],
) -> None:
    """What a runner does between its ticks: follow up each incident an act nudged it about, within
    `poll` seconds, until the monotonic time `until`. A failure is `failed(incident_id, exc)`'s to tell;
    the next incident, and the next tick, still run."""
    while True:
        for incident_id in take_nudges(data_dir):
            try:
                follow(incident_id)
            except Exception as exc:  # noqa: BLE001 - one incident's failure must not stop the runner
                failed(incident_id, exc)
        left = until - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(poll, left))


@dataclass(frozen=True)
class FollowUps:
    """What became of an act's follow-ups: left to a live runner, run here, or not run (and why)."""

    runner: Runner | None = None  # a live runner was asked to run them
    failed: str | None = None  # they did not run here: the reason, one line
    log: Path | None = None  # where the failure's details are
    undelivered: int = 0  # messages they queued that could not be sent yet
    last_error: str | None = None  # the last delivery error among those


def follow_up(
    runtime: Runtime, incident_ids: Iterable[int], *, data_dir: Path, protocol: bool = True
) -> FollowUps:
    """After an act is committed and confirmed: its incidents' follow-ups, where they cost nobody a wait.

    A live runner (`cellule watch`, `cellule up`) is nudged and runs them within a second; otherwise they
    run here: the protocol for each incident (`protocol=True`), or only the sending of what the act
    queued. Whatever fails is reported, never raised: the act stays committed, and the next tick retries.
    """
    ids = list(dict.fromkeys(incident_ids))
    if not ids:
        return FollowUps()
    runner = live_runner(data_dir)
    if runner is not None:
        nudge(data_dir, ids)
        return FollowUps(runner=runner)
    try:
        with _terminal_logs_held():
            for incident_id in ids:
                if protocol:
                    run_protocol(runtime, incident_id)
                else:
                    dispatch_due(
                        runtime.sessions,
                        channels=runtime.channels,
                        now=runtime.now(),
                        incident_id=incident_id,
                    )
    except Exception as exc:  # noqa: BLE001 - any failure of a follow-up is told, never raised over the act
        return FollowUps(failed=_one_line(exc), log=_log_failure(data_dir, exc))
    return _deliveries(runtime, ids)


@contextmanager
def _terminal_logs_held() -> Iterator[None]:
    """Prefect logs a failed run with its traceback: the person gets one line from us instead."""
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"


def _log_failure(data_dir: Path, exc: BaseException) -> Path | None:
    log = data_dir / "logs" / "follow-ups.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as out:
            out.write(f"--- {datetime.now(UTC).isoformat()}\n")
            out.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return log


def _deliveries(runtime: Runtime, incident_ids: list[int]) -> FollowUps:
    """The incidents' messages that were tried and not sent: retrying, or out of channels."""
    from sqlalchemy import func, or_, select

    from models import Notification, NotificationStatus, transaction

    unsent = or_(
        Notification.status == NotificationStatus.DEAD,
        (Notification.status == NotificationStatus.PENDING) & (Notification.attempts > 0),
    )
    where = (Notification.incident_id.in_(incident_ids), unsent)
    with transaction(runtime.sessions) as session:
        count = session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
        last = session.scalars(
            select(Notification.last_error).where(*where).order_by(Notification.id.desc())
        ).first()
    return FollowUps(undelivered=count, last_error=last and last.splitlines()[0][:160])
