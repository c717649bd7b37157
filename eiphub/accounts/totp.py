"""Time-based one-time passwords (RFC 6238 over RFC 4226), a small equivalent of django-otp.

HMAC-SHA1, 30-second steps, 6 digits; a code is accepted for the current step and one
step either side.  ``match_step`` returns the step a code matched so the caller can
refuse a second use of the same (or an earlier) step.  Plain data in, plain data out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP_S = 30
DIGITS = 6
WINDOW = 1
# The demo users' shared secret (documented in README; never use it outside the demo).
DEMO_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    s = secret.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def hotp(secret: str, counter: int, digits: int = DIGITS) -> str:
    mac = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(t: float | None = None) -> int:
    return int((time.time() if t is None else t) // STEP_S)


def code_at(secret: str, t: float | None = None) -> str:
    return hotp(secret, step_at(t))


def match_step(secret: str, code: str, t: float | None = None) -> int | None:
    """The step (current ±WINDOW) whose code equals ``code``, or None."""
    code = (code or "").strip().replace(" ", "")
    if not secret or len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(t)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def otpauth_uri(secret: str, account: str, issuer: str = "EIP Hub") -> str:
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits={DIGITS}&period={STEP_S}"
