"""drills: the playbook rehearsed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 11:06:10.844587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attack_type", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_drills_attack_type"), ["attack_type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drills_attack_type"))
        batch_op.drop_column("attack_type")
