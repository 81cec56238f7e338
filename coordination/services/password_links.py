"""Password-set links: an admin sends a person a one-time link by email, with which they choose
their password (a new colleague, or one who forgot theirs).

    send  ─▶ a random token (32 bytes); only its sha256 is stored (password_links), valid 48 hours;
             the mail with `{base_url}/password/{token}` is queued in the outbox; a newer link
             spends the older ones of the same person
    open  ─▶ the page asks for the password while the token is known, unspent, unexpired and its
             person enabled; otherwise it says which (spent, expired, unknown)
    use   ─▶ the password rule of `user set-password`; the token is spent, the person's sessions
             end and their throttled sign-ins are lifted, in one transaction
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from coordination.config import Settings
from coordination.domain import CoordinationError, NotPermitted, User
from coordination.domain.letters import canonical_json, sha256_hex
from coordination.domain.passwords import check_password

from .accounts import _account_key, _store_password
from .delivery import PASSWORD_LINK_MAIL
from .directory import ADMIN, check_admin
from .ports import Clock, PasswordHasher, PasswordLink, PasswordLinkMail, UnitOfWork, UnitsOfWork

VALID_FOR = timedelta(hours=48)


class LinkRefused(CoordinationError):
    """A password-set link that cannot be used: `reason` is unknown, spent, expired or disabled (410, 404)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, facts={"reason": reason})
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LinkSent:
    user: User
    expires_at: datetime
    message_id: str


def send_password_link(
    *, email: str, actor: str = ADMIN,
    uow: UnitsOfWork, clock: Clock, settings: Settings, render_password_link: PasswordLinkMail,
) -> LinkSent:
    """Queue a mail to this person with a link to set their password (48 hours, once). The
    outbox sends it as it sends reminder digests; the token itself is stored nowhere but in that mail."""
    token = secrets.token_urlsafe(32)
    now = clock()
    expires_at = now + VALID_FOR
    link = f"{settings.base_url.rstrip('/')}/password/{token}"
    with uow() as tx:
        actor = check_admin(tx, actor)
        user = tx.users.require(email)  # not to a disabled person: enable them first
        assert user.id is not None
        link_id = tx.password_links.add(token_sha256=_hash(token), user_id=user.id, created_by=actor, now=now,
                                        expires_at=expires_at)
        credential = tx.credentials.get(user.id)  # in the language the person reads the site in
        mail = render_password_link(name=user.name, link=link, expires_at=expires_at, by=actor,
                                    language=credential.language if credential else None)
        message_id = f"{PASSWORD_LINK_MAIL}{link_id}@{settings.mail_domain}>"
        tx.outbox.add_digest(recipient=user.email, subject=mail.subject, text=mail.text, html=mail.html,
                             message_id=message_id, now=now)
        tx.audit.append(now=now, actor=actor, event="PasswordLinkSent", subject=user.email,
                        payload={"expires_at": expires_at.isoformat(), "message_id": message_id})
        tx.audit.append(now=now, actor=actor, event="DigestQueued", subject=user.email, payload={
            "message_id": message_id, "sha256": sha256_hex(canonical_json([mail.subject, mail.text, mail.html]))})
        tx.commit()
    return LinkSent(user, expires_at, message_id)


def _usable(tx: UnitOfWork, token: str, now: datetime, *, for_update: bool = False) -> tuple[PasswordLink, User]:
    link = tx.password_links.get(_hash(token or ""), for_update=for_update) if token else None
    if link is None:
        raise LinkRefused("this link to set a password is not known: ask an admin for a new one", reason="unknown")
    if link.used_at is not None:
        raise LinkRefused("this link to set a password was already used, or a newer one was sent: "
                          "ask an admin for a new one if you need it", reason="spent")
    if now >= link.expires_at:
        raise LinkRefused("this link to set a password has expired: ask an admin for a new one", reason="expired")
    user = tx.users.by_id(link.user_id)
    if user is None or user.disabled:
        raise LinkRefused("this account is disabled", reason="disabled")
    return link, user


def password_link_user(token: str, *, uow: UnitsOfWork, clock: Clock) -> User:
    """Whose password this link sets, or LinkRefused saying why it cannot be used."""
    with uow(read_only=True) as tx:
        return _usable(tx, token, clock())[1]


def set_password_by_link(
    *, token: str, password: str, uow: UnitsOfWork, clock: Clock, hasher: PasswordHasher,
) -> User:
    """Set the password of the link's person and spend the link; their sessions end."""
    user = password_link_user(token, uow=uow, clock=clock)
    check_password(password, email=user.email)
    hashed = hasher.hash(password)  # outside any transaction
    now = clock()
    with uow() as tx:
        link, user = _usable(tx, token, now, for_update=True)  # not spent meanwhile
        if user.id is None:
            raise NotPermitted("unknown user")
        tx.password_links.spend(link.id, now=now)
        _store_password(tx, user, hashed, now=now, actor=user.email, event="PasswordSet",
                        reason="password set by link")
        tx.sign_in_failures.clear([_account_key(user.email)])
        tx.commit()
    return user
