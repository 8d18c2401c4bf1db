"""TOTP second factor over SFTP with python3-paramiko: after the password the
server answers "partial success" and asks for the code by keyboard-interactive;
a code is accepted once; a wrong code is a recorded failed sign-in; a user whom
policy requires to have a second factor but who has none cannot sign in."""
import base64
import hashlib
import hmac
import json
import struct
import time

import paramiko
import pytest

from conftest import PASSWORDS, Server

CAROL_PW = "a long secret for C-333"


def totp(secret_b32: str, step: int) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[19] & 15
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


@pytest.fixture(scope="module")
def mfa_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("sftp-mfa")
    s = Server(root).setup_users()
    pw = root / "carol.pw"
    pw.write_text(CAROL_PW + "\n")
    s.coffer("user", "add", "carol", "--password-file", pw)
    s.coffer("grant", "/A", "carol", "list,read")
    enrol = json.loads(s.coffer("--json", "--as", "carol", "mfa", "enrol").stdout)
    s.carol_secret = enrol["secret"]
    assert enrol["uri"].startswith("otpauth://totp/Coffer:carol?secret=")
    assert enrol["svg"].startswith("<svg")
    # The confirming code's step is used up: sign-ins below use the next step.
    code = totp(s.carol_secret, int(time.time()) // 30)
    codes = json.loads(s.coffer("--json", "--as", "carol", "mfa", "confirm", code).stdout)
    s.carol_recovery = codes["recovery_codes"]
    assert len(s.carol_recovery) == 10
    s.start()
    yield s
    s.stop()


def transport(server):
    t = paramiko.Transport(("127.0.0.1", server.port))
    t.banner_timeout = 15
    t.start_client(timeout=15)
    return t


def password_then_code(server, user, password, code):
    t = transport(server)
    remaining = t.auth_password(user, password)
    assert remaining == ["keyboard-interactive"], remaining
    asked = []

    def handler(title, instructions, prompts):
        asked.append([p for p, _ in prompts])
        return [code for _ in prompts]

    try:
        t.auth_interactive(user, handler)
    except paramiko.AuthenticationException:
        t.close()
        raise
    assert asked == [["Verification code: "]]
    return t


def test_password_then_code_signs_in_and_the_code_is_refused_the_second_time(mfa_server):
    code = totp(mfa_server.carol_secret, int(time.time()) // 30 + 1)
    t = password_then_code(mfa_server, "carol", CAROL_PW, code)
    assert t.is_authenticated()
    sftp = paramiko.SFTPClient.from_transport(t)
    assert "A" in sftp.listdir("/")
    t.close()
    with pytest.raises(paramiko.AuthenticationException):
        password_then_code(mfa_server, "carol", CAROL_PW, code)  # replay


def test_password_alone_is_not_enough(mfa_server):
    time.sleep(1.2)  # the defender's delay after the replay above (a failed sign-in)
    t = transport(mfa_server)
    assert t.auth_password("carol", CAROL_PW) == ["keyboard-interactive"]
    assert not t.is_authenticated()
    with pytest.raises(paramiko.SSHException):
        t.open_session()
    t.close()


def test_wrong_code_is_a_recorded_failure(mfa_server):
    now = int(time.time()) // 30
    valid = {totp(mfa_server.carol_secret, s) for s in range(now - 2, now + 3)}
    wrong = next(c for c in ("123456", "654321", "111111") if c not in valid)
    with pytest.raises(paramiko.AuthenticationException):
        password_then_code(mfa_server, "carol", CAROL_PW, wrong)
    records = json.loads(mfa_server.coffer("--json", "activity", "--user", "carol",
                                           "--limit", "50").stdout)
    assert any(r["action"] == "auth.mfa" and r["result"] == "denied" and r["protocol"] == "sftp"
               for r in records), records


def test_recovery_code_works_once(mfa_server):
    code = mfa_server.carol_recovery[0]
    time.sleep(1.2)  # the defender's delay after the previous test's failure
    t = password_then_code(mfa_server, "carol", CAROL_PW, code)
    assert t.is_authenticated()
    t.close()
    with pytest.raises(paramiko.AuthenticationException):
        password_then_code(mfa_server, "carol", CAROL_PW, code)


def test_required_but_not_enrolled_cannot_sign_in(mfa_server):
    # bob signs in with a password alone until his group requires a second factor.
    c = mfa_server.paramiko("bob", password=PASSWORDS["bob"])
    c.close()
    mfa_server.coffer("group", "add", "ops")
    mfa_server.coffer("group", "member", "add", "ops", "bob")
    mfa_server.coffer("mfa", "policy", "group", "ops", "on")
    status = json.loads(mfa_server.coffer("--json", "user", "mfa", "status", "bob").stdout)
    assert status["required"] is True and status["enrolled"] is False
    with pytest.raises(paramiko.AuthenticationException):
        mfa_server.paramiko("bob", password=PASSWORDS["bob"])
    assert "a second factor is required but not enrolled" in mfa_server.serve_log()


def test_admin_reset_removes_the_second_factor_and_is_recorded(mfa_server):
    mfa_server.coffer("user", "mfa", "reset", "carol")
    time.sleep(1.2)  # the defender's delay after the refused recovery code
    c = mfa_server.paramiko("carol", password=CAROL_PW)  # password alone again
    c.close()
    records = json.loads(mfa_server.coffer("--json", "activity", "--limit", "50").stdout)
    assert any(r["action"] == "mfa.reset" and r["path"] == "carol" and r["result"] == "ok"
               for r in records)
