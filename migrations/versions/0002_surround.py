"""surround: answers, escalation, drafts and approvals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 04:59:05.632771
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_actions")),
        sa.UniqueConstraint("key", name=op.f("uq_inbound_actions_key")),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "holding_statement",
                "review_reply",
                "apology",
                "statement",
                name="draftkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_approval",
                "approved",
                "rejected",
                "published",
                "withdrawn",
                name="draftstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], name=op.f("fk_drafts_author_id_people")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_drafts_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("incident_id", "number", name=op.f("uq_drafts_incident_id_number")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("approve", "reject", name="decision", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=op.f("fk_approvals_draft_id_drafts")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_approvals_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint(
            "draft_id", "person_id", "version", name=op.f("uq_approvals_draft_id_person_id_version")
        ),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvals_draft_id"), ["draft_id"], unique=False)

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("lead_reminders_sent", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key(batch_op.f("fk_incidents_lead_id_people"), "people", ["lead_id"], ["id"])

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "called",
                    "acknowledged",
                    "declined",
                    "timed_out",
                    name="participantstatus",
                    native_enum=False,
                    length=32,
                ),
                nullable=False,
                server_default="called",
            )
        )
        batch_op.add_column(sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("declined_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("timed_out_at", models.base.UTCDateTime(timezone=True), nullable=True))

    # Existing cells: whoever had acknowledged keeps that status.
    op.execute("UPDATE participants SET status = 'acknowledged' WHERE acknowledged_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("timed_out_at")
        batch_op.drop_column("declined_at")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("status")

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_incidents_lead_id_people"), type_="foreignkey")
        batch_op.drop_column("lead_reminders_sent")
        batch_op.drop_column("lead_id")

    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_draft_id"))

    op.drop_table("approvals")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_incident_id"))

    op.drop_table("drafts")
    op.drop_table("inbound_actions")
