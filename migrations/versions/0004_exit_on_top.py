"""exit on top: review cases, avenues, commitments, customers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 05:24:41.525447
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signals_incident_id_observed_at", ["incident_id", "observed_at"], unique=False
        )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("booking_reference", sa.String(length=100), nullable=True),
        sa.Column("imported_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_booking_reference"), ["booking_reference"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customers_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_name"), ["name"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "kept", "dropped", name="commitmentstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("proof_url", sa.String(length=2000), nullable=True),
        sa.Column("kept_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dropped_reason", sa.Text(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_commitments_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_commitments_owner_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "review_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("review_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("author_display_name", sa.String(length=200), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("star_rating", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("posted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("edited_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("existing_reply", sa.Text(), nullable=True),
        sa.Column(
            "was_customer",
            sa.Enum("unknown", "yes", "no", name="wascustomer", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("customer_match", sa.String(length=200), nullable=True),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=False),
        sa.Column("evidence_captured_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("rating_before", sa.Double(), nullable=True),
        sa.Column("rating_after", sa.Double(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending", "removed", "kept", "edited", name="reviewoutcome", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("outcome_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_review_cases_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signals.id"], name=op.f("fk_review_cases_signal_id_signals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cases")),
        sa.UniqueConstraint("platform", "review_id", name=op.f("uq_review_cases_platform_review_id")),
    )
    with op.batch_alter_table("review_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_cases_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "legal_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "waiting",
                "in_progress",
                "succeeded",
                "failed",
                "abandoned",
                name="avenuestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("counsel", sa.String(length=200), nullable=True),
        sa.Column("insurer", sa.String(length=200), nullable=True),
        sa.Column("case_reference", sa.String(length=200), nullable=True),
        sa.Column("opened_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_date", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("concluded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("abandoned_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["review_cases.id"], name=op.f("fk_legal_actions_case_id_review_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_actions")),
        sa.UniqueConstraint("case_id", name=op.f("uq_legal_actions_case_id")),
    )
    op.create_table(
        "platform_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "waiting",
                "in_progress",
                "succeeded",
                "failed",
                "abandoned",
                name="avenuestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("precondition_met_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reported_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("platform_reference", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=True),
        sa.Column("decision_due_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appeal_deadline", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("abandoned_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["review_cases.id"], name=op.f("fk_platform_reports_case_id_review_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_reports")),
        sa.UniqueConstraint("case_id", name=op.f("uq_platform_reports_case_id")),
    )
    op.create_table(
        "public_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "waiting",
                "in_progress",
                "succeeded",
                "failed",
                "abandoned",
                name="avenuestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("connector", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("published_text_sha256", sa.String(length=64), nullable=True),
        sa.Column("published_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_url", sa.String(length=2000), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("abandoned_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["review_cases.id"], name=op.f("fk_public_replies_case_id_review_cases")
        ),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_public_replies_draft_id_drafts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_replies")),
        sa.UniqueConstraint("case_id", name=op.f("uq_public_replies_case_id")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exit_branch", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("benefit", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_incident_id_observed_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("benefit")
        batch_op.drop_column("exit_branch")

    op.drop_table("public_replies")
    op.drop_table("platform_reports")
    op.drop_table("legal_actions")
    with op.batch_alter_table("review_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_cases_incident_id"))

    op.drop_table("review_cases")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_incident_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_name"))
        batch_op.drop_index(batch_op.f("ix_customers_email"))
        batch_op.drop_index(batch_op.f("ix_customers_booking_reference"))

    op.drop_table("customers")
