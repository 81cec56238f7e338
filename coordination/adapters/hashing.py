"""Password hashes: argon2id (the `PasswordHasher` port).

Hashing costs ~0.3 s and several cores with the library's parameters: a few hashes run at a
time, so that guessers queue for the processor among themselves (holding no lock) instead
of starving every other request of it. A missing hash (no such account, or a disabled one)
is verified against a dummy one made with the same parameters: every answer costs the same.
"""

import os
import threading

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = argon2.PasswordHasher()  # the parameters in use (the tests put cheaper ones here)
_dummies: dict[int, str] = {}
_HASHING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


class Argon2Hasher:
    """argon2id through `argon2.PasswordHasher`: the one given, else this module's `_hasher`."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self._given = hasher

    @property
    def _argon2(self) -> argon2.PasswordHasher:
        return self._given if self._given is not None else _hasher

    def _dummy(self) -> str:
        """A hash made with the current parameters, verified for emails that are no account (same cost)."""
        hasher = self._argon2
        key = id(hasher)
        if key not in _dummies:
            _dummies[key] = hasher.hash("not the password of anyone")
        return _dummies[key]

    def hash(self, password: str) -> str:
        with _HASHING:
            return self._argon2.hash(password)

    def verify(self, hashed: str | None, password: str) -> bool:
        """Argon2 verification, always paid: a missing hash is checked against the dummy one."""
        dummy = self._dummy()
        with _HASHING:
            try:
                return self._argon2.verify(hashed or dummy, password or "") and hashed is not None
            except (VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, hashed: str) -> bool:
        return self._argon2.check_needs_rehash(hashed)
