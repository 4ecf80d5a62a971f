"""drills: the journal

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:20:05.490618
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "mode",
            sa.Enum("simulated", "live", name="drillmode", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("series", sa.String(length=32), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("kit_sha256", sa.String(length=64), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("incident_ref", sa.String(length=20), nullable=True),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.String(length=48), nullable=True),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=True),
        sa.Column("absent", sa.JSON(), nullable=True),
        sa.Column("hot_wash", sa.JSON(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("report_markdown", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_drills_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drills")),
    )
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drills_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drills_scenario"), ["scenario"], unique=False)
        batch_op.create_index(batch_op.f("ix_drills_series"), ["series"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drills_series"))
        batch_op.drop_index(batch_op.f("ix_drills_scenario"))
        batch_op.drop_index(batch_op.f("ix_drills_incident_id"))

    op.drop_table("drills")
