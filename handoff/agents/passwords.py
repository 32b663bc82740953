"""Password hashes: Argon2id through pwdlib, computed off the event loop (a hash takes tens of
milliseconds of CPU; on the loop it would stall every socket of the process)."""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_HASHER = PasswordHash((Argon2Hasher(),))
# Checked for unknown agents too, so an unknown name costs the same time as a wrong password.
_DUMMY = _HASHER.hash("not-a-password")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, password)


async def check_password(password: str, stored: str | None) -> bool:
    try:
        ok = await asyncio.to_thread(_HASHER.verify, password, stored or _DUMMY)
    except Exception:  # a malformed stored hash is a failed check, not a server error
        return False
    return bool(ok) and stored is not None
