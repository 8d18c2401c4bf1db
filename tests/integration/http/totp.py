"""TOTP codes (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits) computed here with
hmac/hashlib/base64, and the HTTPS second-factor flow built on them.

The server accepts each time step once per user (replay refused), so
next_code() remembers the last step used per secret and, when the current and
next step are both spent, waits for the next one."""
import base64
import hashlib
import hmac
import struct
import time

_last_step = {}


def code_at(secret: str, step: int) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def next_code(secret: str) -> str:
    """A code for a step not used yet (waits at most one step)."""
    deadline = time.time() + 65
    while time.time() < deadline:
        now = int(time.time()) // 30
        for step in (now, now + 1):
            if step > _last_step.get(secret, -1):
                _last_step[secret] = step
                return code_at(secret, step)
        time.sleep(30 - time.time() % 30 + 0.2)
    raise AssertionError("no fresh TOTP step")


def enrol(client):
    """Enrols TOTP for the client's signed-in (or enrolment-pending) session
    through the routes; returns (secret, recovery codes)."""
    r = client.call("POST", "/api/v1/me/mfa/enrolment")
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    r = client.call("POST", "/api/v1/me/mfa/confirm", json={"code": next_code(secret)})
    assert r.status_code == 200, r.text
    client.mfa_secret = secret
    return secret, r.json()["recovery_codes"]


def give_code(client, secret=None):
    """Completes a sign-in that owes a code; returns the answer."""
    secret = secret or client.mfa_secret
    r = client.call("POST", "/api/v1/auth/mfa", json={"code": next_code(secret)})
    if r.status_code == 200:
        client.csrf = r.json()["csrf_token"]
    return r


def reauth(client, secret=None):
    secret = secret or client.mfa_secret
    return client.call("POST", "/api/v1/auth/reauth", json={"code": next_code(secret)})
