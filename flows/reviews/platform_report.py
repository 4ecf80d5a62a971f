"""Avenue 1: report the review to the platform, under one of the platform's own reasons.

There is no report API (DOMAIN.md): a person flags the review in the platform's tool, then records here
what they did — the reason, the platform's reference, later the decision. Cellule keeps the dates, refuses a
report the platform would refuse (a reason it does not have; Trustpilot's "contact the reviewer first, then
wait 3 days"), and chases a decision that is late (`flows.reviews.reminders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from flows.reviews.avenues import ensure_avenues
from flows.reviews.cases import record_case_event
from flows.reviews.errors import ReviewError
from models import AvenueStatus, PlatformReport, ReviewCase, ReviewOutcome

CONTACT_WAIT = timedelta(days=3)  # Trustpilot: the reviewer has 3 days to answer the business first
DEFAULT_DECISION_WITHIN = timedelta(days=7)  # platforms take days; a week without news is worth a nudge
DECISIONS = ("removed", "kept")


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    contact_first: bool = False  # the business must contact the reviewer and wait CONTACT_WAIT


# Google: the reasons of the Business Profile's "Report review" form (the reviews management tool), which
# apply Google's Maps user-contributed content policy ("Prohibited & restricted content",
# support.google.com/contributionpolicy/answer/7400114). Google removes policy violations only; it does not
# arbitrate facts, so "this never happened" is `spam` (fake account) or `conflict_of_interest` (a rival).
GOOGLE_REASONS = (
    Reason("off_topic", "Off topic: not about an experience at or with this business"),
    Reason("spam", "Spam: from a bot or a fake account, or ads and promotions"),
    Reason("conflict_of_interest", "Conflict of interest: from someone affiliated with us or a competitor"),
    Reason("profanity", "Profanity: swear words, sexually explicit language, violence or illegal activity"),
    Reason("bullying_or_harassment", "Bullying or harassment: a personal attack on a specific person"),
    Reason("discrimination_or_hate_speech", "Discrimination or hate speech about a person or group"),
    Reason("personal_information", "Personal information such as an address or a phone number"),
)

# Trustpilot: the five reasons a business may report a review for, one per report
# (support.trustpilot.com/hc/en-us/articles/207312357); defamation is a sub-reason of harmful or illegal.
# For the reasons that turn on facts only the reviewer has, the business first contacts the reviewer, who
# has 3 days to answer (support.trustpilot.com/hc/en-us/articles/115012099647).
TRUSTPILOT_REASONS = (
    Reason("harmful_or_illegal", "Harmful or illegal (hate speech, threats, obscenity, defamation…)"),
    Reason("personal_information", "Contains personal information", contact_first=True),
    Reason("advertising_or_promotional", "Advertising or promotional"),
    Reason("not_based_on_genuine_experience", "Not based on a genuine experience", contact_first=True),
    Reason("about_a_different_business", "About a different business", contact_first=True),
)

PLATFORM_REASONS: dict[str, tuple[Reason, ...]] = {"google": GOOGLE_REASONS, "trustpilot": TRUSTPILOT_REASONS}


def reasons_for(platform: str) -> tuple[Reason, ...]:
    """The platform's own reasons; empty for a platform whose list Cellule does not know."""
    return PLATFORM_REASONS.get(platform, ())


def find_reason(platform: str, code: str) -> Reason:
    """The platform's reason `code`; a platform without a known list takes any short code as given."""
    known = reasons_for(platform)
    code = code.strip().lower()
    if not known:
        if not code or len(code) > 64:
            raise ReviewError("Give the platform's reason in a few words (at most 64 characters).")
        return Reason(code, code)
    found = next((r for r in known if r.code == code), None)
    if found is None:
        raise ReviewError(
            f"{platform.capitalize()} has no reason {code!r}. "
            f"Its reasons: {', '.join(r.code for r in known)}."
        )
    return found


def reportable_from(contacted_at: datetime) -> datetime:
    """When a review may be reported, its reviewer contacted at `contacted_at` (3 days to answer)."""
    return contacted_at + CONTACT_WAIT


def record_reviewer_contacted(
    session: Session, *, case: ReviewCase, contacted_at: datetime, at: datetime, actor: str | None = None
) -> PlatformReport:
    """The business contacted the reviewer (Trustpilot's first step): the report may follow 3 days later."""
    report = ensure_avenues(session, case=case, for_update=True).report
    _not_yet_reported(report)
    if contacted_at > at:
        raise ReviewError("The reviewer cannot have been contacted in the future: check the date.")
    old = {"precondition_met_at": _data(report.precondition_met_at), "status": report.status.value}
    report.precondition_met_at, report.status = contacted_at, AvenueStatus.WAITING
    _event(
        session,
        case,
        at,
        actor,
        "reviewer_contacted",
        f"the reviewer was contacted; reporting possible from {_when(reportable_from(contacted_at))}",
        old,
        {"precondition_met_at": contacted_at.isoformat(), "status": report.status.value},
    )
    return report


def report_review(
    session: Session,
    *,
    case: ReviewCase,
    reason: str,
    at: datetime,
    actor: str | None = None,
    platform_reference: str | None = None,
    precondition_met_at: datetime | None = None,
    decision_within: timedelta = DEFAULT_DECISION_WITHIN,
) -> PlatformReport:
    """Record that the review was reported to the platform; its decision is due `decision_within` later.

    A reason that needs the reviewer contacted first is refused until 3 days after that contact
    (`precondition_met_at`, given here or recorded before), with the moment it becomes possible.
    """
    chosen = find_reason(case.platform, reason)
    report = ensure_avenues(session, case=case, for_update=True).report
    _not_yet_reported(report)
    contacted = precondition_met_at or report.precondition_met_at
    if chosen.contact_first:
        _check_contact(case, chosen, contacted, at)
    old = {"status": report.status.value, "reason": report.reason}
    report.reason = chosen.code
    report.precondition_met_at = contacted
    report.reported_at = at
    report.platform_reference = (platform_reference or "").strip()[:200] or None
    report.decision_due_at = at + decision_within
    report.status = AvenueStatus.WAITING
    _event(
        session,
        case,
        at,
        actor,
        "platform_report",
        f"reported to {case.platform} as {chosen.code}; decision expected by {_when(report.decision_due_at)}",
        old,
        {
            "status": report.status.value,
            "reason": chosen.code,
            "platform_reference": report.platform_reference,
            "decision_due_at": _data(report.decision_due_at),
        },
    )
    return report


def record_decision(
    session: Session,
    *,
    case: ReviewCase,
    decision: str,
    decided_at: datetime,
    at: datetime,
    actor: str | None = None,
    appeal_deadline: datetime | None = None,
    platform_reference: str | None = None,
) -> PlatformReport:
    """Record the platform's decision: `removed` (the avenue succeeded) or `kept` (it failed).

    A removal is also the review's outcome, unless one was recorded already.
    """
    if decision not in DECISIONS:
        raise ReviewError(f"A platform decides {' or '.join(DECISIONS)}, not {decision!r}.")
    report = ensure_avenues(session, case=case, for_update=True).report
    if report.reported_at is None:
        raise ReviewError("The review was not reported to the platform yet: record the report first.")
    if report.decided_at is not None:
        raise ReviewError(f"The platform's decision is already recorded: {report.decision}.")
    if decided_at < report.reported_at or decided_at > at:
        raise ReviewError("The decision's date must fall between the report and now.")
    if appeal_deadline is not None and appeal_deadline < decided_at:
        raise ReviewError("An appeal deadline comes after the decision.")
    old = {"status": report.status.value, "decision": None}
    report.decision, report.decided_at, report.appeal_deadline = decision, decided_at, appeal_deadline
    report.status = AvenueStatus.SUCCEEDED if decision == "removed" else AvenueStatus.FAILED
    if platform_reference:
        report.platform_reference = platform_reference.strip()[:200]
    if decision == "removed" and case.outcome == ReviewOutcome.PENDING:
        case.outcome, case.outcome_at = ReviewOutcome.REMOVED, decided_at
    _event(
        session,
        case,
        at,
        actor,
        "platform_decision",
        f"{case.platform} decided: {decision}"
        + (f" (appeal possible until {_when(appeal_deadline)})" if appeal_deadline else ""),
        old,
        {"status": report.status.value, "decision": decision, "decided_at": decided_at.isoformat()},
    )
    return report


def _check_contact(case: ReviewCase, reason: Reason, contacted: datetime | None, at: datetime) -> None:
    platform = case.platform.capitalize()
    if contacted is None:
        raise ReviewError(
            f"{platform} asks the business to contact the reviewer before reporting as {reason.code}, "
            "then to wait 3 days for an answer. Contact them from the platform's business tool, then "
            "record when you did.",
            kind="contact_first",
        )
    if contacted > at:
        raise ReviewError("The reviewer cannot have been contacted in the future: check the date.")
    possible_from = contacted + CONTACT_WAIT
    if possible_from > at:
        raise ReviewError(
            f"{platform} gives the reviewer 3 days to answer: the reviewer was contacted on "
            f"{_when(contacted)}, so reporting as {reason.code} becomes possible on {_when(possible_from)}."
        )


def _not_yet_reported(report: PlatformReport) -> None:
    if report.reported_at is not None:
        raise ReviewError(f"The review was already reported to the platform on {_when(report.reported_at)}.")
    if report.status == AvenueStatus.ABANDONED:
        raise ReviewError("This avenue was abandoned: the report is not pursued.")


def _event(
    session: Session,
    case: ReviewCase,
    at: datetime,
    actor: str | None,
    kind: str,
    summary: str,
    old: dict[str, object],
    new: dict[str, object],
) -> None:
    record_case_event(session, case=case, at=at, actor=actor, kind=kind, summary=summary, old=old, new=new)


def _when(moment: datetime | None) -> str | None:
    """UTC, to the minute, for sentences (the CLI's tables show the reader's zone)."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None


def _data(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
