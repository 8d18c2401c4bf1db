"""The TOTP second factor over HTTPS against the real `coffer serve`: codes are
computed here (totp.py, RFC 6238) as an authenticator app would.

Proves: administrators must enrol on first sign-in and their pending session
reaches nothing but enrolment, /me and sign-out; a later sign-in owes a code
and reaches only POST /api/v1/auth/mfa until it is given; a code is accepted
once; a wrong code counts like a wrong password; a recovery code works once;
creating an administrator needs a second factor fresher than [mfa]
fresh_seconds, which POST /api/v1/auth/reauth renews; an API token can never do
it."""
import json
import subprocess
import time

import pytest

from conftest import ADMIN_PASSWORD, coffer_bin, set_settings
from test_auth import Client, bearer
from totp import enrol, give_code, next_code, reauth

ENROL_FIRST = "second factor enrolment needed"
CODE_FIRST = "second factor needed"
REAUTH = "re-authentication needed"


def cli(data, *args):
    return subprocess.run([coffer_bin(), "--data", str(data), *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def detail(r):
    assert r.headers["content-type"] == "application/problem+json", r.text
    return r.json().get("detail", "")


def confined(client, allowed_detail):
    """Every route outside the pending set answers 403 with `allowed_detail`."""
    for method, path in (("GET", "/api/v1/me/tokens"), ("GET", "/api/v1/files?path=/"),
                         ("GET", "/api/v1/admin/users"), ("GET", "/api/v1/me/sessions"),
                         ("POST", "/api/v1/me/password"), ("GET", "/api/v1/activity"),
                         ("POST", "/api/v1/auth/reauth"), ("GET", "/api/v1/ssh-keys")):
        r = client.call(method, path, json={} if method == "POST" else None)
        assert r.status_code == 403, (method, path, r.text)
        assert detail(r).startswith(allowed_detail), (method, path, r.text)


@pytest.fixture
def enrolled(server):
    """The administrator, signed in and enrolled through the routes."""
    c = Client(server)
    r = c.login("admin", ADMIN_PASSWORD)
    assert r.status_code == 200, r.text
    enrol(c)
    return c


def test_administrator_must_enrol_first_and_is_confined_until_then(server):
    c = Client(server)
    r = c.login("admin", ADMIN_PASSWORD)
    assert r.status_code == 200
    assert r.json()["mfa_enrolment_required"] is True and r.json()["mfa_required"] is False
    me = c.call("GET", "/api/v1/me").json()
    assert me["mfa_enrolment_required"] is True and me["name"] == "admin"
    confined(c, ENROL_FIRST)
    assert c.call("POST", "/api/v1/auth/mfa", json={"code": "123456"}).status_code == 403
    status = c.call("GET", "/api/v1/me/mfa").json()
    assert status["required"] is True and status["enrolled"] is False
    begun = c.call("POST", "/api/v1/me/mfa/enrolment")
    assert begun.status_code == 201
    e = begun.json()
    assert len(e["secret"]) == 32
    assert e["otpauth_uri"].startswith("otpauth://totp/Coffer:admin?secret=" + e["secret"])
    assert e["qr_svg"].startswith("<svg") and "<script" not in e["qr_svg"]
    wrong = c.call("POST", "/api/v1/me/mfa/confirm", json={"code": "000000"})
    assert wrong.status_code == 403 and detail(wrong) == "invalid code"
    confined(c, ENROL_FIRST)
    ok = c.call("POST", "/api/v1/me/mfa/confirm", json={"code": next_code(e["secret"])})
    assert ok.status_code == 200, ok.text
    codes = ok.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    # The confirming code completed the sign-in.
    assert c.call("GET", "/api/v1/me/tokens").status_code == 200
    assert c.call("GET", "/api/v1/me").json()["mfa_enrolment_required"] is False
    assert c.call("GET", "/api/v1/me/mfa").json()["recovery_codes_left"] == 10
    assert c.call("POST", "/api/v1/me/mfa/enrolment").status_code == 409
    records = json.loads(cli(server.data, "--json", "activity", "--limit", "200").stdout)
    assert {"mfa.enrol.begin", "mfa.enrol.confirm"} <= {x["action"] for x in records}


def test_sign_in_with_a_code_once_and_a_wrong_code_counts(enrolled, server):
    secret = enrolled.mfa_secret
    c = Client(server)
    r = c.login("admin", ADMIN_PASSWORD)
    assert r.json() == {"mfa_required": True, "mfa_enrolment_required": False,
                        "csrf_token": r.json()["csrf_token"]}
    assert c.call("GET", "/api/v1/me").json()["mfa_pending"] is True
    confined(c, CODE_FIRST)
    assert c.call("POST", "/api/v1/me/mfa/enrolment").status_code == 403
    # A wrong code is refused and, like a wrong password, delays the account:
    # even the right code right after it is refused.
    assert detail(c.call("POST", "/api/v1/auth/mfa", json={"code": "000000"})) == "invalid code"
    right = next_code(secret)
    assert c.call("POST", "/api/v1/auth/mfa", json={"code": right}).status_code == 403
    time.sleep(1.2)  # the account's delay after one failure
    ok = c.call("POST", "/api/v1/auth/mfa", json={"code": right})
    assert ok.status_code == 200, ok.text
    assert c.call("GET", "/api/v1/me/tokens").status_code == 200
    used = ok.request.body
    # The same code again (replay) is refused for another sign-in.
    other = Client(server)
    other.login("admin", ADMIN_PASSWORD)
    replay = other.call("POST", "/api/v1/auth/mfa", data=used,
                        headers={"Content-Type": "application/json"})
    assert replay.status_code == 403
    assert other.call("GET", "/api/v1/me/tokens").status_code == 403
    records = json.loads(cli(server.data, "--json", "activity", "--limit", "300").stdout)
    failed = [x for x in records if x["action"] == "auth.mfa" and x["detail"] != ""]
    assert len(failed) >= 3, [x for x in records if x["action"] == "auth.mfa"]


def test_a_recovery_code_signs_in_once(server):
    c = Client(server)
    c.login("admin", ADMIN_PASSWORD)
    _, codes = enrol(c)
    first = Client(server)
    first.login("admin", ADMIN_PASSWORD)
    assert first.call("POST", "/api/v1/auth/mfa", json={"code": codes[0]}).status_code == 200
    assert first.call("GET", "/api/v1/me/mfa").json()["recovery_codes_left"] == 9
    again = Client(server)
    again.login("admin", ADMIN_PASSWORD)
    assert again.call("POST", "/api/v1/auth/mfa", json={"code": codes[0]}).status_code == 403
    time.sleep(1.2)
    assert again.call("POST", "/api/v1/auth/mfa", json={"code": codes[1]}).status_code == 200


def test_creating_an_administrator_needs_a_fresh_second_factor(data_dir, server_factory):
    config = data_dir / "coffer.toml"
    config.write_text(set_settings(config.read_text(), "mfa", {"fresh_seconds": 30}))
    server = server_factory()
    c = Client(server)
    c.login("admin", ADMIN_PASSWORD)
    enrol(c)
    new_admin = {"name": "second-admin", "admin": True,
                 "password": "a long password for the second admin"}
    # Just enrolled: the factor is fresh.
    r = c.call("POST", "/api/v1/admin/users", json=new_admin)
    assert r.status_code == 201, r.text
    time.sleep(31)
    plain = c.call("POST", "/api/v1/admin/users",
                   json={"name": "plain-user", "password": "a long password for a plain user"})
    assert plain.status_code == 201, plain.text
    stale = c.call("POST", "/api/v1/admin/users", json={**new_admin, "name": "third-admin"})
    assert stale.status_code == 403 and detail(stale).startswith(REAUTH), stale.text
    assert c.call("POST", "/api/v1/admin/folders", json={"path": "/Team"}).status_code == 201
    manage = c.call("PUT", "/api/v1/admin/grants",
                    json={"path": "/Team", "subject": "plain-user", "perms": ["list", "manage"]})
    assert manage.status_code == 403 and detail(manage).startswith(REAUTH), manage.text
    read = c.call("PUT", "/api/v1/admin/grants",
                  json={"path": "/Team", "subject": "plain-user", "perms": ["list", "read"]})
    assert read.status_code in (200, 204), read.text
    assert c.call("POST", "/api/v1/auth/reauth", json={"code": "000000"}).status_code == 403
    time.sleep(1.2)
    fresh = reauth(c)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["mfa_at"] >= int(time.time()) - 5
    r = c.call("POST", "/api/v1/admin/users", json={**new_admin, "name": "third-admin"})
    assert r.status_code == 201, r.text
    manage = c.call("PUT", "/api/v1/admin/grants",
                    json={"path": "/Team", "subject": "plain-user", "perms": ["list", "manage"]})
    assert manage.status_code in (200, 204), manage.text
    records = json.loads(cli(server.data, "--json", "activity", "--limit", "500").stdout)
    alerts = [json.dumps(x) for x in records if x["action"] == "alert.admin.created"]
    for name in ("second-admin", "third-admin"):
        assert sum(name in a for a in alerts) == 1, alerts


def test_an_api_token_cannot_create_an_administrator_or_reauthenticate(enrolled, server):
    made = cli(server.data, "token", "create", "--user", "admin", "--name", "ops",
               "--scopes", "read,write,admin")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    r = bearer(server, token, "POST", "/api/v1/admin/users",
               json={"name": "by-token", "admin": True, "password": "a long password by token"})
    assert r.status_code == 403 and "API tokens cannot" in detail(r), r.text
    assert bearer(server, token, "GET", "/api/v1/admin/users").status_code == 200
    r = bearer(server, token, "POST", "/api/v1/auth/reauth",
               json={"code": next_code(enrolled.mfa_secret)})
    assert r.status_code == 403 and "not with an API token" in detail(r)
    assert bearer(server, token, "POST", "/api/v1/me/mfa/enrolment").status_code == 403
    # The session, fresh from enrolment, may.
    r = enrolled.call("POST", "/api/v1/admin/users",
                      json={"name": "by-session", "admin": True,
                            "password": "a long password by session"})
    assert r.status_code == 201, r.text


def test_disable_needs_a_current_code(enrolled, server):
    assert enrolled.call("POST", "/api/v1/me/mfa/disable",
                         json={"code": "000000"}).status_code == 403
    time.sleep(1.2)
    assert enrolled.call("POST", "/api/v1/me/mfa/disable",
                         json={"code": next_code(enrolled.mfa_secret)}).status_code == 204
    assert enrolled.call("GET", "/api/v1/me/mfa").json()["enrolled"] is False
    # Required for administrators: the next sign-in must enrol again.
    again = Client(server)
    assert again.login("admin", ADMIN_PASSWORD).json()["mfa_enrolment_required"] is True
