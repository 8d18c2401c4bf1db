"""Administration over HTTPS against the real `coffer serve`, with python3-requests.

Callers sign in with API tokens made by `coffer token create` (Authorization:
Bearer). What the API does is checked from outside it too: through the `coffer`
CLI, which goes through the same service, and with ssh-keygen for fingerprints.
"""
import json
import re
import subprocess
import time

import pytest
import requests
import urllib3

from conftest import coffer_bin

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

BOB_PASSWORD = "Tr4il-mix-Quartz-91"

ADMIN_ROUTES = [
    ("GET", "/api/v1/admin/users", None),
    ("POST", "/api/v1/admin/users", {"name": "intruder", "admin": True,
                                     "password": "an intruder's long password"}),
    ("GET", "/api/v1/admin/user?name=admin", None),
    ("PATCH", "/api/v1/admin/user?name=admin", {"disabled": True}),
    ("POST", "/api/v1/admin/user/password?name=admin", {"password": "taken over, says bob"}),
    ("POST", "/api/v1/admin/groups", {"name": "intruders"}),
    ("POST", "/api/v1/admin/folders", {"path": "/Intruders"}),
    ("PUT", "/api/v1/admin/grants", {"path": "/Shared", "subject": "bob", "perms": ["manage"]}),
    ("GET", "/api/v1/admin/bans", None),
    ("POST", "/api/v1/admin/ip-rules", {"cidr": "0.0.0.0/0", "action": "deny"}),
]


def coffer(data, *args, check=True, input=None):
    p = subprocess.run([coffer_bin(), "--data", str(data), *map(str, args)], input=input,
                       capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def token_cli_exists(data) -> bool:
    return re.search(r"(?m)^  token ", coffer(data, "--help").stdout) is not None


def make_token(data, user, scopes, name=None) -> str:
    p = coffer(data, "token", "create", "--user", user, "--name", name or f"{user}-{scopes}",
               "--scopes", scopes, "--days", 1)
    return p.stdout.strip().splitlines()[-1].strip()


class Client:
    """requests with a Bearer token (or a session) against one base URL."""

    def __init__(self, url, token=None):
        self.url = url
        self.s = requests.Session()
        self.csrf = ""
        if token:
            self.s.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method, target, body=None, **kw):
        headers = kw.pop("headers", {})
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        # The certificate made at init is self-signed.
        return self.s.request(method, self.url + target, json=body, timeout=30, verify=False,
                              headers=headers, **kw)

    def login(self, user, password):
        r = self("POST", "/api/v1/auth/login", {"username": user, "password": password})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]
        return self


def read_admin_endpoint(server) -> str:
    """The administration listener's URL from the serve banner (printed after the public one)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        line = server.proc.stdout.readline()
        m = re.search(r"Administration: (https://\S+?)/api/v1/admin/", line)
        if m:
            return m.group(1)
    raise AssertionError("no administration listener in the banner")


@pytest.fixture
def tokens(data_dir):
    if not token_cli_exists(data_dir):
        pytest.skip("`coffer token create` is not built yet")
    pw = data_dir.parent / "bob.pw"
    pw.write_text(BOB_PASSWORD + "\n")
    coffer(data_dir, "user", "add", "bob", "--password-file", pw)
    coffer(data_dir, "user", "passwd", "bob", "--password-file", pw, "--no-force-change")
    return {
        "admin": make_token(data_dir, "admin", "read,write,admin"),
        "admin_rw": make_token(data_dir, "admin", "read,write"),
        "bob": make_token(data_dir, "bob", "read,write"),
    }


def test_admin_listener_apart_public_one_answers_404_for_administration(server_factory, data_dir):
    server = server_factory(admin_listen='"127.0.0.1"', admin_port=0)
    admin_url = read_admin_endpoint(server)
    assert admin_url != server.url
    public = Client(server.url)
    unknown = public("GET", "/api/v1/no-such-route")
    for method, target, body in ADMIN_ROUTES:
        r = public(method, target, body)
        assert r.status_code == 404, (method, target)
        assert r.content == unknown.content
        assert "admin" not in r.text
    # The administration listener knows the routes: without a token, 401.
    r = Client(admin_url)("GET", "/api/v1/admin/users")
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert Client(admin_url)("GET", "/api/v1/status").status_code == 200
    if token_cli_exists(data_dir):
        admin = make_token(data_dir, "admin", "read,write,admin")
        assert Client(admin_url, admin)("GET", "/api/v1/admin/users").status_code == 200
        assert Client(server.url, admin)("GET", "/api/v1/admin/users").status_code == 404
        # One's own SSH keys stay on the public listener.
        assert Client(server.url, admin)("GET", "/api/v1/ssh-keys?user=admin").status_code == 200


def test_admin_listener_on_the_public_address_and_port_is_refused(data_dir):
    config = data_dir / "coffer.toml"
    text = config.read_text()
    text = re.sub(r'(?m)^admin_listen = .*$', 'admin_listen = "127.0.0.1"', text)
    text = re.sub(r'(?m)^admin_port = .*$', "admin_port = 8443", text)
    config.write_text(text)
    p = subprocess.run([coffer_bin(), "--data", str(data_dir), "serve"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0
    assert "admin_port" in p.stderr + p.stdout


def test_admin_creates_a_user_who_cannot_reach_administration(server, data_dir, tokens):
    admin = Client(server.url, tokens["admin"])
    r = admin("POST", "/api/v1/admin/users", {"name": "carol", "display_name": "Carol C"})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["user"]["name"] == "carol" and doc["user"]["must_change_password"] is True
    assert len(doc["generated_password"]) == 20
    # Shown once: not in what is read back, by the API or the CLI.
    assert doc["generated_password"] not in admin("GET", "/api/v1/admin/user?name=carol").text
    listed = json.loads(coffer(data_dir, "--json", "user", "list").stdout)
    assert "carol" in [u["name"] for u in listed]

    bob = Client(server.url, tokens["bob"])
    admin_rw = Client(server.url, tokens["admin_rw"])
    # A session carries every scope: what refuses bob there is the service.
    bob_session = Client(server.url).login("bob", BOB_PASSWORD)
    for method, target, body in ADMIN_ROUTES:
        assert bob(method, target, body).status_code == 403, (method, target)
        assert admin_rw(method, target, body).status_code == 403, (method, target)
        # (A folder bob cannot see is not found, exactly as one that does not exist.)
        r = bob_session(method, target, body)
        assert r.status_code == (404 if "/grants" in target else 403), (method, target, r.text)
        assert r.headers["Content-Type"] == "application/problem+json"
    names = [u["name"] for u in json.loads(coffer(data_dir, "--json", "user", "list").stdout)]
    assert sorted(names) == ["admin", "bob", "carol"]
    assert coffer(data_dir, "--json", "iprule", "list").stdout.strip() == "[]"

    r = admin("PATCH", "/api/v1/admin/user?name=carol", {"disabled": True, "quota_bytes": 1 << 20})
    assert r.status_code == 200 and r.json()["disabled"] is True
    shown = json.loads(coffer(data_dir, "--json", "user", "show", "carol").stdout)
    assert shown["disabled"] is True and shown["quota_bytes"] == 1 << 20
    r = admin("POST", "/api/v1/admin/user/password?name=carol", {})
    assert r.status_code == 200 and len(r.json()["generated_password"]) == 20
    assert admin("POST", "/api/v1/admin/user/unlock?name=carol").status_code == 204
    assert admin("DELETE", "/api/v1/admin/user?name=carol").status_code == 204
    assert admin("GET", "/api/v1/admin/user?name=carol").status_code == 404


def test_bad_input_is_refused_with_a_problem_and_changes_nothing(server, data_dir, tokens):
    admin = Client(server.url, tokens["admin"])
    for body in ({"name": "dave", "quota": 1}, {"name": 5}, {"name": "dave", "quota_bytes": -1},
                 {"name": "<script>alert(1)</script>"}, {"name": "dave", "password": "short"}):
        r = admin("POST", "/api/v1/admin/users", body)
        assert r.status_code == 400, body
        assert r.headers["Content-Type"] == "application/problem+json"
        assert "script" not in r.text and "short" not in r.text
    r = admin("POST", "/api/v1/admin/users", data="name=dave",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = admin("PATCH", "/api/v1/admin/user?name=bob&name=admin", {"disabled": True})
    assert r.status_code == 400 and r.json()["detail"] == "a query parameter is repeated"
    names = [u["name"] for u in json.loads(coffer(data_dir, "--json", "user", "list").stdout)]
    assert sorted(names) == ["admin", "bob"]


def test_grants_decide_what_the_user_can_list(server, data_dir, tokens):
    admin = Client(server.url, tokens["admin"])
    r = admin("POST", "/api/v1/admin/folders", {"path": "/Shared", "quota_bytes": 1 << 20})
    assert r.status_code == 201 and r.json()["quota_bytes"] == 1 << 20
    src = data_dir.parent / "report.txt"
    src.write_text("quarterly numbers\n")
    coffer(data_dir, "files", "put", src, "/Shared/report.txt")

    def bob_sees():
        p = coffer(data_dir, "--as", "bob", "--json", "files", "ls", "/Shared", check=False)
        return None if p.returncode else [e["name"] for e in json.loads(p.stdout)["entries"]]

    assert bob_sees() is None
    r = admin("PUT", "/api/v1/admin/grants",
              {"path": "/Shared", "subject": "bob", "perms": ["list", "read"]})
    assert r.status_code == 204, r.text
    assert bob_sees() == ["report.txt"]
    r = admin("GET", "/api/v1/admin/grants?path=/Shared")
    assert r.json()["items"] == [{"path": "/Shared", "subject": "bob", "perms": ["list", "read"]}]
    assert admin("DELETE", "/api/v1/admin/grants?path=/Shared&subject=bob").status_code == 204
    assert bob_sees() is None
    # Group grants too.
    assert admin("POST", "/api/v1/admin/groups", {"name": "staff"}).status_code == 201
    assert admin("POST", "/api/v1/admin/group/members?group=staff&user=bob").status_code == 204
    assert admin("PUT", "/api/v1/admin/grants",
                 {"path": "/Shared", "subject": "@staff", "perms": ["list"]}).status_code == 204
    assert bob_sees() == ["report.txt"]
    assert admin("DELETE", "/api/v1/admin/group/members?group=staff&user=bob").status_code == 204
    assert bob_sees() is None


def test_bans_and_ip_rules_round_trip(server, data_dir, tokens):
    admin = Client(server.url, tokens["admin"])
    assert admin("POST", "/api/v1/admin/bans",
                 {"address": "192.0.2.9", "minutes": 30}).status_code == 204
    bans = admin("GET", "/api/v1/admin/bans").json()["items"]
    assert [b["address"] for b in bans] == ["192.0.2.9"]
    assert abs(bans[0]["banned_until"] - (time.time() + 1800)) < 120
    assert [b["address"] for b in json.loads(coffer(data_dir, "--json", "ban", "list").stdout)] == [
        "192.0.2.9"]
    assert admin("DELETE", "/api/v1/admin/bans?address=192.0.2.9").status_code == 204
    assert admin("GET", "/api/v1/admin/bans").json()["items"] == []

    r = admin("POST", "/api/v1/admin/ip-rules",
              {"cidr": "2001:db8::/32", "action": "deny", "comment": "documentation range"})
    assert r.status_code == 204, r.text
    rules = admin("GET", "/api/v1/admin/ip-rules").json()["items"]
    assert [(x["cidr"], x["action"], x["comment"]) for x in rules] == [
        ("2001:db8::/32", "deny", "documentation range")]
    cli_rules = json.loads(coffer(data_dir, "--json", "iprule", "list").stdout)
    assert [x["network"] for x in cli_rules] == ["2001:db8::/32"]
    assert admin("POST", "/api/v1/admin/ip-rules",
                 {"cidr": "2001:db8::/129", "action": "deny"}).status_code == 400
    assert admin("DELETE", "/api/v1/admin/ip-rules",
                 params={"cidr": "2001:db8::/32"}).status_code == 204
    assert admin("GET", "/api/v1/admin/ip-rules").json()["items"] == []


def test_ssh_keys_add_list_remove_and_a_bad_line_stores_nothing(server, data_dir, tokens, tmp_path):
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f",
                    str(key)], check=True, timeout=30)
    line = (tmp_path / "id_ed25519.pub").read_text().strip()
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(key) + ".pub"], capture_output=True,
                                 text=True, check=True).stdout.split()[1]
    bob = Client(server.url, tokens["bob"])
    r = bob("POST", "/api/v1/ssh-keys", {"key": line})
    assert r.status_code == 201, r.text
    assert r.json()["fingerprint"] == fingerprint
    items = bob("GET", "/api/v1/ssh-keys").json()["items"]
    assert [(k["fingerprint"], k["comment"], k["last_used_at"]) for k in items] == [
        (fingerprint, "bob@laptop", 0)]
    assert abs(items[0]["created_at"] - time.time()) < 120

    for bad in ("ssh-ed25519 AAAA-not-base64", 'command="sh" ' + line, "ssh-dss AAAAB3NzaC1kc3M",
                line.split()[1]):
        r = bob("POST", "/api/v1/ssh-keys", {"key": bad})
        assert r.status_code == 400, bad
        assert "not-base64" not in r.text
    assert len(bob("GET", "/api/v1/ssh-keys").json()["items"]) == 1
    # Someone else's keys: refused to bob, shown to an administrator's admin-scoped token.
    assert bob("GET", "/api/v1/ssh-keys?user=admin").status_code == 403
    assert Client(server.url, tokens["admin_rw"])("GET", "/api/v1/ssh-keys?user=bob").status_code == 403
    admin_view = Client(server.url, tokens["admin"])("GET", "/api/v1/ssh-keys", params={"user": "bob"})
    assert [k["fingerprint"] for k in admin_view.json()["items"]] == [fingerprint]
    cli = json.loads(coffer(data_dir, "--json", "user", "key", "list", "bob").stdout)
    assert [k["fingerprint"] for k in cli] == [fingerprint]

    r = bob("DELETE", "/api/v1/ssh-keys", params={"fingerprint": fingerprint})
    assert r.status_code == 204
    assert bob("GET", "/api/v1/ssh-keys").json()["items"] == []
    assert bob("DELETE", "/api/v1/ssh-keys", params={"fingerprint": fingerprint}).status_code == 404


def test_administration_answers_match_the_openapi_schemas(server, data_dir, tokens, tmp_path):
    from test_openapi import REPO_DOC, Contract
    contract = Contract(json.loads(REPO_DOC.read_text()))
    admin = Client(server.url, tokens["admin"])

    def check(method, target, body=None, **kw):
        r = admin(method, target, body, **kw)
        contract.check(target.split("?")[0], method, r)
        return r

    assert check("POST", "/api/v1/admin/users", {"name": "erin"}).status_code == 201
    check("POST", "/api/v1/admin/users", {"name": "erin"})  # 409 problem
    check("GET", "/api/v1/admin/users")
    check("GET", "/api/v1/admin/user?name=erin")
    check("PATCH", "/api/v1/admin/user?name=erin", {"quota_bytes": 10})
    check("POST", "/api/v1/admin/user/password?name=erin")
    check("POST", "/api/v1/admin/user/unlock?name=erin")
    check("POST", "/api/v1/admin/groups", {"name": "ops"})
    check("POST", "/api/v1/admin/group/members?group=ops&user=erin")
    check("GET", "/api/v1/admin/groups")
    assert check("POST", "/api/v1/admin/folders", {"path": "/Ops"}).status_code == 201
    check("PATCH", "/api/v1/admin/folder?path=/Ops", {"quota_bytes": 0})
    check("PUT", "/api/v1/admin/grants", {"path": "/Ops", "subject": "@ops", "perms": ["list"]})
    check("GET", "/api/v1/admin/grants?path=/Ops")
    check("DELETE", "/api/v1/admin/grants?path=/Ops&subject=@ops")
    check("POST", "/api/v1/admin/bans", {"address": "192.0.2.50", "minutes": 1})
    check("GET", "/api/v1/admin/bans")
    check("DELETE", "/api/v1/admin/bans?address=192.0.2.50")
    check("POST", "/api/v1/admin/ip-rules", {"cidr": "192.0.2.0/24", "action": "deny"})
    check("GET", "/api/v1/admin/ip-rules")
    check("DELETE", "/api/v1/admin/ip-rules?cidr=192.0.2.0/24")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")],
                   check=True, timeout=30)
    added = check("POST", "/api/v1/ssh-keys", {"key": (tmp_path / "k.pub").read_text()})
    check("GET", "/api/v1/ssh-keys")
    check("DELETE", "/api/v1/ssh-keys", params={"fingerprint": added.json()["fingerprint"]})
    check("DELETE", "/api/v1/admin/group/members?group=ops&user=erin")
    check("DELETE", "/api/v1/admin/group?name=ops")
    check("DELETE", "/api/v1/admin/user?name=erin")
    check("POST", "/api/v1/admin/users", {"name": 1})  # 400 problem
