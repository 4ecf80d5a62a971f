"""statement library and legal clocks: prepared texts and their approvals, lapse dates, evidence files

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "library_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["people.id"], name=op.f("fk_library_texts_author_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_texts")),
        sa.UniqueConstraint(
            "entry_key", "locale", "version", name=op.f("uq_library_texts_entry_key_locale_version")
        ),
    )
    op.create_index(op.f("ix_library_texts_entry_key"), "library_texts", ["entry_key"], unique=False)
    op.create_table(
        "library_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("decided_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=True),
        sa.Column("voided_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_library_approvals_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["text_id"], ["library_texts.id"], name=op.f("fk_library_approvals_text_id_library_texts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_approvals")),
        sa.UniqueConstraint("text_id", "person_id", name=op.f("uq_library_approvals_text_id_person_id")),
    )
    op.create_index(op.f("ix_library_approvals_text_id"), "library_approvals", ["text_id"], unique=False)
    op.create_table(
        "legal_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=300), nullable=False),
        sa.Column("published_at", UTC(), nullable=False),
        sa.Column("published_source", sa.String(length=16), nullable=False),
        sa.Column("lapses_at", UTC(), nullable=False),
        sa.Column("reminded_before", sa.JSON(), nullable=False),
        sa.Column("last_reminded_on", sa.String(length=10), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["review_cases.id"], name=op.f("fk_legal_clocks_case_id_review_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_clocks")),
        sa.UniqueConstraint("case_id", name=op.f("uq_legal_clocks_case_id")),
    )
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("attached_by", sa.String(length=200), nullable=True),
        sa.Column("attached_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["review_cases.id"], name=op.f("fk_evidence_files_case_id_review_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("case_id", "name", name=op.f("uq_evidence_files_case_id_name")),
    )
    op.create_index(op.f("ix_evidence_files_case_id"), "evidence_files", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_files_case_id"), table_name="evidence_files")
    op.drop_table("evidence_files")
    op.drop_table("legal_clocks")
    op.drop_index(op.f("ix_library_approvals_text_id"), table_name="library_approvals")
    op.drop_table("library_approvals")
    op.drop_index(op.f("ix_library_texts_entry_key"), table_name="library_texts")
    op.drop_table("library_texts")
