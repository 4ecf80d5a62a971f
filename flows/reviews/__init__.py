"""Defamatory reviews, tracked through their three avenues to an outcome (DOMAIN.md).

A `ReviewCase` opens at intake for each rated review, its evidence frozen. Then, each with its own row
(made when a person first acts on it), status, dates and outcome: the report to the platform (its own
reasons, Trustpilot's 3-day wait, a reminder when the decision is late), the legal avenue (counsel or
insurer), and the public reply (drafted from templates, approved by the quorum, published once through a
connector). Services take the session and never commit; a refusal is a `ReviewError` whose message is
meant for the person. See docs/fake-review.md.
"""

from flows.reviews.avenues import AVENUES, Avenues, ensure_avenues
from flows.reviews.cases import (
    case_label,
    cases_of,
    evidence_intact,
    find_case,
    open_review_case,
    open_review_cases,
    text_sha256,
    update_review_text,
)
from flows.reviews.customers import (
    CustomerFileError,
    CustomerLookup,
    ImportReport,
    import_customers,
    look_up_customer,
    read_customer_csv,
)
from flows.reviews.errors import ReviewError
from flows.reviews.legal import record_legal
from flows.reviews.outcomes import (
    AvenueFacts,
    CaseOutcome,
    abandon_avenue,
    case_outcome,
    incident_outcomes,
    record_outcome,
)
from flows.reviews.platform_report import (
    CONTACT_WAIT,
    DEFAULT_DECISION_WITHIN,
    PLATFORM_REASONS,
    Reason,
    reasons_for,
    record_decision,
    record_reviewer_contacted,
    report_review,
)
from flows.reviews.public_reply import PublishOutcome, approved_text, draft_reply, publish_reply
from flows.reviews.reminders import remind_overdue_platform_decisions
from flows.reviews.reply_text import TONES

__all__ = [
    "AVENUES",
    "CONTACT_WAIT",
    "DEFAULT_DECISION_WITHIN",
    "PLATFORM_REASONS",
    "TONES",
    "AvenueFacts",
    "Avenues",
    "CaseOutcome",
    "CustomerFileError",
    "CustomerLookup",
    "ImportReport",
    "PublishOutcome",
    "Reason",
    "ReviewError",
    "abandon_avenue",
    "approved_text",
    "case_label",
    "case_outcome",
    "cases_of",
    "draft_reply",
    "ensure_avenues",
    "evidence_intact",
    "find_case",
    "import_customers",
    "incident_outcomes",
    "look_up_customer",
    "open_review_case",
    "open_review_cases",
    "publish_reply",
    "read_customer_csv",
    "reasons_for",
    "record_decision",
    "record_legal",
    "record_outcome",
    "record_reviewer_contacted",
    "remind_overdue_platform_decisions",
    "report_review",
    "text_sha256",
    "update_review_text",
]
