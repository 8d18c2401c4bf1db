"""Sign-in over HTTPS as a browser and a script would: sessions, CSRF, the forced
password change, API tokens with scopes, sign-out, and lockdown from the CLI."""
import json
import sqlite3
import subprocess
import time
import hashlib

import pytest
import requests

from conftest import ADMIN_PASSWORD, coffer_bin
from totp import enrol, give_code

NEW_PASSWORD = "plum-orbit-canyon-velvet-93"
BOB_PASSWORD = "quartz-meadow-lantern-harbor-57"


def cli(server, *args, stdin=None):
    return subprocess.run([coffer_bin(), "--data", str(server.data), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


class Client:
    """A browser-like client: keeps the session cookie and sends the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()
        self.verify = str(server.data / "tls/cert.pem")
        self.csrf = ""
        self.mfa_secret = None

    def call(self, method, path, csrf=True, **kw):
        headers = kw.pop("headers", {})
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            headers["X-CSRF-Token"] = self.csrf
        return self.http.request(method, self.server.url + path, headers=headers, timeout=30,
                                 verify=self.verify, **kw)

    def login(self, user, password):
        r = self.call("POST", "/api/v1/auth/login", json={"username": user, "password": password})
        if r.status_code == 200 and "csrf_token" in r.json():
            self.csrf = r.json()["csrf_token"]
        return r


def bearer(server, token, method, path, **kw):
    return requests.request(method, server.url + path, verify=str(server.data / "tls/cert.pem"),
                            headers={"Authorization": f"Bearer {token}"}, timeout=30, **kw)


@pytest.fixture
def admin(server):
    """The first administrator, signed in: enrols the second factor that
    administrators must have, then changes the printed password."""
    c = Client(server)
    r = c.login("admin", ADMIN_PASSWORD)
    assert r.status_code == 200 and r.json()["mfa_enrolment_required"], r.text
    enrol(c)
    r = c.call("POST", "/api/v1/me/password",
               json={"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 204, r.text
    return c


def add_bob(server):
    r = cli(server, "user", "add", "bob", "--password-file", "-", stdin=BOB_PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = cli(server, "user", "passwd", "bob", "--password-file", "-", "--no-force-change",
            stdin=BOB_PASSWORD + "\n")
    assert r.returncode == 0, r.stderr


def test_login_sets_a_strict_host_cookie_and_forces_the_password_change(server):
    made = cli(server, "--json", "user", "add", "carol")
    assert made.returncode == 0, made.stderr
    one_time = json.loads(made.stdout)["password"]
    c = Client(server)
    r = c.login("carol", one_time)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["must_change_password"] is True
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-coffer_session=")
    for attribute in ("Path=/", "Secure", "HttpOnly", "SameSite=Strict"):
        assert attribute in cookie
    assert "Domain" not in cookie
    assert c.call("GET", "/api/v1/me").json()["name"] == "carol"
    # Until the one-time password is changed, nothing else is reachable.
    assert c.call("GET", "/api/v1/me/tokens").status_code == 403
    weak = c.call("POST", "/api/v1/me/password",
                  json={"current_password": one_time, "new_password": "password123456"})
    assert weak.status_code == 422
    assert weak.headers["content-type"] == "application/problem+json"
    ok = c.call("POST", "/api/v1/me/password",
                json={"current_password": one_time, "new_password": NEW_PASSWORD})
    assert ok.status_code == 204
    assert c.call("GET", "/api/v1/me").json()["must_change_password"] is False
    assert c.call("GET", "/api/v1/me/tokens").status_code == 200
    assert Client(server).login("carol", one_time).status_code == 403
    time.sleep(2.2)  # after a failure the account waits (docs/security.md)
    assert Client(server).login("carol", NEW_PASSWORD).status_code == 200


def test_unknown_user_and_wrong_password_get_the_same_answer(server):
    wrong = Client(server).login("admin", "not-the-password-at-all")
    unknown = Client(server).login("nobody", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 403
    assert wrong.text == unknown.text
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers
    assert "nobody" not in unknown.text


def test_state_changes_need_the_csrf_token_and_our_origin(admin):
    body = {"name": "x", "scopes": ["read"]}
    assert admin.call("POST", "/api/v1/me/tokens", csrf=False, json=body).status_code == 401
    assert admin.call("POST", "/api/v1/me/tokens", csrf=False, json=body,
                      headers={"X-CSRF-Token": "forged"}).status_code == 401
    assert admin.call("POST", "/api/v1/me/tokens", json=body,
                      headers={"Origin": "https://evil.example"}).status_code == 401
    assert admin.call("POST", "/api/v1/me/tokens", json=body).status_code == 201
    # Reads need no token; the CSRF token is also served by /me.
    me = admin.call("GET", "/api/v1/me").json()
    assert me["csrf_token"] == admin.csrf


def test_sign_out_ends_the_session_for_good(admin, server):
    cookie = admin.http.cookies.get("__Host-coffer_session")
    sessions = admin.call("GET", "/api/v1/me/sessions").json()["items"]
    assert [s["current"] for s in sessions].count(True) == 1
    r = admin.call("POST", "/api/v1/auth/logout")
    assert r.status_code == 204
    assert "Max-Age=0" in r.headers["set-cookie"]
    replay = requests.get(server.url + "/api/v1/me", verify=str(server.data / "tls/cert.pem"),
                          cookies={"__Host-coffer_session": cookie}, timeout=10)
    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"


def test_another_session_can_be_listed_and_revoked(admin, server):
    other = Client(server)
    assert other.login("admin", NEW_PASSWORD).status_code == 200
    assert give_code(other, admin.mfa_secret).status_code == 200
    items = admin.call("GET", "/api/v1/me/sessions").json()["items"]
    assert len(items) == 2
    victim = next(s for s in items if not s["current"])
    assert victim["address"] == "127.0.0.1"
    assert admin.call("DELETE", f"/api/v1/me/sessions?id={victim['id']}").status_code == 204
    assert other.call("GET", "/api/v1/me").status_code == 401
    assert admin.call("DELETE", f"/api/v1/me/sessions?id={victim['id']}").status_code == 404


def test_api_tokens_are_shown_once_scoped_and_revocable(admin, server):
    r = admin.call("POST", "/api/v1/me/tokens",
                   json={"name": "nightly", "scopes": ["read"], "expires_in_days": 7})
    assert r.status_code == 201, r.text
    token, token_id = r.json()["token"], r.json()["id"]
    assert bearer(server, token, "GET", "/api/v1/me").json()["name"] == "admin"
    # Read scope: no writes, and no token with more than its own scopes.
    more = bearer(server, token, "POST", "/api/v1/me/tokens",
                  json={"name": "more", "scopes": ["read", "write"]})
    assert more.status_code == 403
    listed = admin.call("GET", "/api/v1/me/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["nightly"]
    secret = token[len("cft_") + 12 + 1:]  # cft_<12-character id>_<secret>
    assert token not in str(listed) and secret not in str(listed)
    assert listed[0]["last_used_at"] > 0
    # Only a hash is stored.
    db = sqlite3.connect(server.data / "coffer.db")
    stored = db.execute("SELECT secret_hash FROM api_tokens").fetchall()
    db.close()
    assert stored == [(hashlib.sha256(secret.encode()).digest(),)]
    assert admin.call("DELETE", f"/api/v1/me/tokens?id={token_id}").status_code == 204
    assert bearer(server, token, "GET", "/api/v1/me").status_code == 401


def test_bad_bearer_tokens_are_refused_alike(server):
    answers = {bearer(server, t, "GET", "/api/v1/me").text
               for t in ("x", "cft_aaaaaaaaaaaa_" + "b" * 43, "Basic abc", "cft_" + "a" * 2000)}
    assert len(answers) == 1
    r = requests.get(server.url + "/api/v1/me", verify=str(server.data / "tls/cert.pem"),
                     headers={"Authorization": "Basic YWRtaW46eA=="}, timeout=10)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_cli_token_works_while_the_server_runs(server):
    add_bob(server)
    r = cli(server, "token", "create", "--user", "bob", "--name", "sync", "--scopes", "read,write")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert bearer(server, token, "GET", "/api/v1/me").json()["name"] == "bob"
    assert cli(server, "token", "create", "--user", "bob", "--name", "x",
               "--scopes", "admin").returncode == 4


def test_lockdown_of_a_user_and_of_everyone(admin, server):
    add_bob(server)
    bob = Client(server)
    assert bob.login("bob", BOB_PASSWORD).status_code == 200
    r = cli(server, "token", "create", "--user", "bob", "--name", "sync")
    token = r.stdout.strip().splitlines()[-1]

    assert cli(server, "lockdown", "--user", "bob").returncode == 0
    assert bob.call("GET", "/api/v1/me").status_code == 401
    assert bearer(server, token, "GET", "/api/v1/me").status_code == 401
    assert Client(server).login("bob", BOB_PASSWORD).status_code == 403
    assert admin.call("GET", "/api/v1/me").status_code == 200
    status = cli(server, "--json", "lockdown", "--status")
    assert '"bob"' in status.stdout

    assert cli(server, "lockdown", "--user", "bob", "--lift").returncode == 0
    assert Client(server).login("bob", BOB_PASSWORD).status_code == 200

    assert cli(server, "lockdown", "--all").returncode == 0
    assert admin.call("GET", "/api/v1/me").status_code == 401
    assert Client(server).login("admin", NEW_PASSWORD).status_code == 403
    assert cli(server, "lockdown", "--all", "--lift").returncode == 0
    assert Client(server).login("admin", NEW_PASSWORD).status_code == 200
    log = cli(server, "--json", "activity", "--limit", "200")
    assert "lockdown.all" in log.stdout and "lockdown.user" in log.stdout
