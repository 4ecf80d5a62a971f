"""inventory: social accounts and access grants (where credentials live, never the password)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:07:34.264926
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "social_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("credentials_in", sa.String(length=200), nullable=True),
        sa.Column("credentials_shared", sa.Boolean(), nullable=False),
        sa.Column("two_factor", sa.Boolean(), nullable=False),
        sa.Column("two_factor_holder_id", sa.Integer(), nullable=True),
        sa.Column("recovery_owner_id", sa.Integer(), nullable=True),
        sa.Column("recovery_contact", sa.String(length=320), nullable=True),
        sa.Column("credentials_rotated_on", sa.Date(), nullable=True),
        sa.Column("linked_apps", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_social_accounts_owner_id_people")),
        sa.ForeignKeyConstraint(
            ["recovery_owner_id"], ["people.id"], name=op.f("fk_social_accounts_recovery_owner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["two_factor_holder_id"],
            ["people.id"],
            name=op.f("fk_social_accounts_two_factor_holder_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_accounts")),
        sa.UniqueConstraint("key", name=op.f("uq_social_accounts_key")),
    )
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "admin", "editor", "moderator", "analyst", name="accesslevel", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("via", sa.String(length=200), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("unlisted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["social_accounts.id"], name=op.f("fk_access_grants_account_id_social_accounts")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_access_grants_person_id_people")),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["people.id"], name=op.f("fk_access_grants_revoked_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grants")),
    )
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_grants_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_grants_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grants_person_id"))
        batch_op.drop_index(batch_op.f("ix_access_grants_account_id"))

    op.drop_table("access_grants")
    op.drop_table("social_accounts")
