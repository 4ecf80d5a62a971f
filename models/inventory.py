"""The account inventory: the organisation's social accounts and who holds which access to each.

Never a password: only where the credentials live. Rows are kept when they leave the inventory, because a
forgotten account or an access nobody recorded as revoked is exactly what an attacker looks for.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, text_enum
from models.kit import Person


class AccessLevel(enum.StrEnum):
    ADMIN = "admin"  # can add and remove people and change the login: what a takeover is after
    EDITOR = "editor"  # publishes in the organisation's name
    MODERATOR = "moderator"  # answers, hides and deletes comments and messages
    ANALYST = "analyst"  # reads statistics only


class SocialAccount(Base):
    """One account of the organisation on one platform, and who answers for its security."""

    __tablename__ = "social_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    brand: Mapped[str | None] = mapped_column(String(200))  # when the kit speaks for several brands
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    credentials_in: Mapped[str | None] = mapped_column(String(200))  # a vault or a tool, never a password
    credentials_shared: Mapped[bool] = mapped_column(default=False)
    two_factor: Mapped[bool] = mapped_column(default=False)
    two_factor_holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recovery_owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recovery_contact: Mapped[str | None] = mapped_column(String(320))
    credentials_rotated_on: Mapped[date | None]
    linked_apps: Mapped[list[Any]]
    active: Mapped[bool] = mapped_column(default=True)  # False: no longer in the inventory
    updated_at: Mapped[datetime]

    @property
    def label(self) -> str:
        return f"{self.platform} @{self.handle}"


class AccessGrant(Base):
    """One person's access to one account. Revoking records who did it and when; the row stays."""

    __tablename__ = "access_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("social_accounts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    level: Mapped[AccessLevel] = mapped_column(text_enum(AccessLevel))
    via: Mapped[str | None] = mapped_column(String(200))  # the tool the access goes through
    shared: Mapped[bool] = mapped_column(default=False)  # logs in with a shared login, not their own
    granted_on: Mapped[date | None]
    created_at: Mapped[datetime]
    unlisted_at: Mapped[datetime | None]  # dropped from the inventory without a recorded revocation
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    account: Mapped[SocialAccount] = relationship(lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise", foreign_keys=[person_id])

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
