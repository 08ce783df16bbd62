"""Editors' accounts and sessions, kept in the analytics database so every replica knows them.

Passwords are stored only as argon2id hashes; a session is a random token in an HttpOnly cookie
whose SHA-256 is stored, checked against the editor on every request (a removed editor's
sessions end at once).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update

from .errors import EditorError
from .eventdb import create, migrate, store_url
from .eventtables import editors, sessions

SESSION_SECONDS = 8 * 3600
MIN_PASSWORD = 10
_NAME = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}")
_hasher = PasswordHasher()
# Verifying against this when the name is unknown costs the same time as a real check.
_DUMMY = _hasher.hash(secrets.token_hex(16))
_engines: dict[str, Engine] = {}


def engine_for(store: str | Path) -> Engine:
    """Given the analytics store, return this process's engine for it (schema migrated)."""
    url = store_url(store)
    if url not in _engines:
        engine = create(url)
        migrate(engine)
        _engines[url] = engine
    return _engines[url]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_editor(store: str | Path, name: str, password: str) -> bool:
    """Given a name and a password, create the editor or set a new password; return True when new."""
    if not _NAME.fullmatch(name):
        raise EditorError(f"编辑名不合法：“{name[:40]}”", "用 2 到 32 个字母、数字、汉字或 . _ -")
    if len(password) < MIN_PASSWORD:
        raise EditorError(f"密码太短（至少 {MIN_PASSWORD} 个字符）", "用一句好记的长密码")
    hashed = _hasher.hash(password)
    with engine_for(store).begin() as c:
        found = c.execute(select(editors.c.name).where(editors.c.name == name)).first()
        if found:
            c.execute(update(editors).where(editors.c.name == name).values(password_hash=hashed))
            c.execute(
                delete(sessions).where(sessions.c.editor == name)
            )  # a new password ends old sessions
            return False
        c.execute(insert(editors).values(name=name, password_hash=hashed, created=time.time()))
        return True


def remove_editor(store: str | Path, name: str) -> None:
    """Given a name, delete the editor and end every session of theirs; EditorError when unknown."""
    with engine_for(store).begin() as c:
        c.execute(delete(sessions).where(sessions.c.editor == name))
        if not c.execute(delete(editors).where(editors.c.name == name)).rowcount:
            raise EditorError(f"没有这个编辑：“{name[:40]}”", "用 kb admin list 查看所有编辑")


def list_editors(store: str | Path) -> list[str]:
    """Return every editor's name."""
    with engine_for(store).connect() as c:
        return list(c.execute(select(editors.c.name).order_by(editors.c.name)).scalars())


def sign_in(store: str | Path, name: str, password: str) -> str | None:
    """Given a name and password, return a new session token when they match, else None."""
    with engine_for(store).connect() as c:
        stored = c.execute(select(editors.c.password_hash).where(editors.c.name == name)).scalar()
    try:
        _hasher.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    token = secrets.token_urlsafe(32)
    now = time.time()
    with engine_for(store).begin() as c:
        c.execute(delete(sessions).where(sessions.c.expires < now))
        c.execute(
            insert(sessions).values(
                token_hash=_token_hash(token), editor=name, expires=now + SESSION_SECONDS
            )
        )
    return token


def editor_of(store: str | Path, token: str | None) -> str | None:
    """Given a session cookie, return its editor's name while the session and the editor exist."""
    if not token or len(token) > 100:
        return None
    query = (
        select(sessions.c.editor)
        .join(editors, editors.c.name == sessions.c.editor)
        .where(sessions.c.token_hash == _token_hash(token), sessions.c.expires > time.time())
    )
    with engine_for(store).connect() as c:
        return c.execute(query).scalar()


def sign_out(store: str | Path, token: str | None) -> None:
    """End the session of this cookie."""
    if token:
        with engine_for(store).begin() as c:
            c.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))
