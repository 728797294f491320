"""Members' accounts and web sessions.

Passwords are stored only as argon2id hashes. A session is a random token held by the
browser; the database keeps its SHA-256, so a copy of the database signs no one in. Each
session carries its own CSRF token, which forms and scripts send back with every change.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Column,
    Engine,
    Float,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)

from ..errors import InvalidInput
from ..record.log import utc_now
from .schema import upgrade

SESSION_SECONDS = 12 * 3600
MIN_PASSWORD_LENGTH = 8

account_metadata = MetaData()
accounts = Table(
    "accounts", account_metadata,
    Column("member", String(200), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
)
web_sessions = Table(
    "web_sessions", account_metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("member", String(200), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)


@dataclass(frozen=True)
class Session:
    member: str
    csrf_token: str
    expires_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountStore:
    """Accounts and sessions in the federation's database."""

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        self._sessions: dict[str, Session] = {}  # token hash -> session, read-through cache
        upgrade(engine)
        self._load_live_sessions()

    def _load_live_sessions(self) -> None:
        """Start with every live session in memory, so signed-in members wait for no query."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(web_sessions).where(
                web_sessions.c.expires_at >= time.time()))
            for row in rows:
                self._sessions[row.token_hash] = Session(row.member, row.csrf_token,
                                                         row.expires_at)

    def exists(self, member: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(accounts.c.member)
                                .where(accounts.c.member == member)).first() is not None

    def create(self, member: str, password: str) -> None:
        """Open an account; refuses a taken name or a short password."""
        _check_password(password)
        if self.exists(member):
            raise InvalidInput(f"an account for {member!r} exists already")
        with self.engine.begin() as conn:
            conn.execute(insert(accounts).values(member=member, created_at=utc_now(),
                                                 password_hash=self.hasher.hash(password)))

    def set_password(self, member: str, password: str) -> None:
        """Replace the password and end every session of the member."""
        _check_password(password)
        if not self.exists(member):
            raise InvalidInput(f"no account for {member!r}")
        with self.engine.begin() as conn:
            conn.execute(update(accounts).where(accounts.c.member == member)
                         .values(password_hash=self.hasher.hash(password)))
            conn.execute(delete(web_sessions).where(web_sessions.c.member == member))
        self._sessions = {k: s for k, s in self._sessions.items() if s.member != member}

    def check_password(self, member: str, password: str) -> bool:
        with self.engine.connect() as conn:
            stored = conn.execute(select(accounts.c.password_hash)
                                  .where(accounts.c.member == member)).scalar()
        if stored is None:
            self.hasher.hash(password)  # the same work either way: timing says nothing
            return False
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def start_session(self, member: str) -> tuple[str, Session]:
        """A new session for a signed-in member: the token for the cookie, and the session."""
        token = secrets.token_urlsafe(32)
        session = Session(member, secrets.token_urlsafe(32), time.time() + SESSION_SECONDS)
        with self.engine.begin() as conn:
            conn.execute(insert(web_sessions).values(
                token_hash=_digest(token), member=member, csrf_token=session.csrf_token,
                expires_at=session.expires_at))
        self._sessions[_digest(token)] = session
        return token, session

    def session(self, token: str) -> Session | None:
        """The live session the token opens, or None."""
        session = self.cached_session(token)
        if session is not None:
            return session
        key = _digest(token)
        with self.engine.connect() as conn:
            row = conn.execute(select(web_sessions).where(
                web_sessions.c.token_hash == key)).first()
        if row is None:
            return None
        if row.expires_at < time.time():
            self.end_session(token)
            return None
        self._sessions[key] = Session(row.member, row.csrf_token, row.expires_at)
        return self._sessions[key]

    def cached_session(self, token: str) -> Session | None:
        """The session if it is in memory and live; None says nothing about the database."""
        session = self._sessions.get(_digest(token))
        return session if session is not None and session.expires_at >= time.time() else None

    def end_session(self, token: str) -> None:
        key = _digest(token)
        self._sessions.pop(key, None)
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == key))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
