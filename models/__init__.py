"""Cellule's relational store: SQLAlchemy 2.0 typed models, one module per aggregate."""

from models.base import Base, utc_now
from models.cells import Participant, ParticipantStatus
from models.commitments import Commitment, CommitmentStatus
from models.db import make_engine, make_sessionmaker, transaction
from models.drafts import Approval, Decision, Draft, DraftKind, DraftStatus
from models.drills import Drill, DrillMode
from models.inbound import InboundAction
from models.incidents import (
    MILESTONES,
    AttackType,
    Incident,
    IncidentStatus,
    InvalidTransition,
    RefCounter,
    Severity,
    TimelineEvent,
    change_status,
    find_open_incident,
    incident_by_ref,
    next_ref,
    reach_milestone,
    record_event,
    record_event_once,
)
from models.inventory import AccessGrant, AccessLevel, SocialAccount
from models.kit import KitVersion, Person, RosterEntry
from models.notifications import Notification, NotificationStatus
from models.postmortems import ActionItem, ActionStatus, PostMortem
from models.reviews import (
    AvenueStatus,
    Customer,
    LegalAction,
    PlatformReport,
    PublicReply,
    ReviewCase,
    ReviewOutcome,
    WasCustomer,
)
from models.signals import Signal, Target
from models.statements import EvidenceFile, LegalClock, LibraryApproval, LibraryText

__all__ = [
    "ActionItem",
    "ActionStatus",
    "PostMortem",
    "AvenueStatus",
    "Commitment",
    "CommitmentStatus",
    "Customer",
    "LegalAction",
    "PlatformReport",
    "PublicReply",
    "ReviewCase",
    "ReviewOutcome",
    "WasCustomer",
    "MILESTONES",
    "AccessGrant",
    "AccessLevel",
    "Approval",
    "AttackType",
    "Base",
    "Decision",
    "Drill",
    "EvidenceFile",
    "LegalClock",
    "LibraryApproval",
    "LibraryText",
    "DrillMode",
    "Draft",
    "DraftKind",
    "DraftStatus",
    "InboundAction",
    "Incident",
    "IncidentStatus",
    "InvalidTransition",
    "KitVersion",
    "Notification",
    "NotificationStatus",
    "Participant",
    "ParticipantStatus",
    "Person",
    "RefCounter",
    "RosterEntry",
    "Severity",
    "Signal",
    "SocialAccount",
    "Target",
    "TimelineEvent",
    "change_status",
    "find_open_incident",
    "incident_by_ref",
    "make_engine",
    "make_sessionmaker",
    "next_ref",
    "reach_milestone",
    "record_event",
    "record_event_once",
    "transaction",
    "utc_now",
]
