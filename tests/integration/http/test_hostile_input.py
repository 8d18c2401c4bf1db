"""Hostile values in every path, id and name parameter of every route, against the
real `coffer serve`: traversal in all its spellings, NUL and control characters,
backslashes, overlong and invalid UTF-8, direction-changing Unicode, over-long
names and paths, repeated query parameters and JSON values of the wrong type.

Each is a 4xx application/problem+json answer that repeats none of the input,
sets no header from it, and changes nothing (the whole tree, the recycle bin,
users, groups, grants, bans, rules, keys and tokens are compared before and
after). Malformed HTTP, huge headers and slow clients are in test_https.py.
"""
import json
import subprocess

import pytest
import requests

from conftest import coffer_bin, read_all
from files_fixture import USER_PASSWORD, setup_alice

# Raw query values (sent as they are: the server does the percent-decoding).
# Each must be refused as a path; none may reach /Secret or outside the store.
HOSTILE_PATHS = [
    "/Team/../Secret/x",
    "/Team/..%2fSecret%2fx",
    "/Team/..%2FSecret",
    "/Team/%2e%2e/Secret",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/Team/.",
    "/Team/x%00.txt",
    "/Team/x%00/../../Secret",
    "/Team/..%5cSecret",
    "C:%5cWindows%5cwin.ini",
    "%5c%5cfileserverx%5cpublicx",
    "/Team/%c0%ae%c0%ae/Secret",
    "/Team/%c0%af..%c0%afSecret",
    "/Team/%e0%80%ae",
    "/Team/%ed%a0%80",
    "/Team/%ff%fe",
    "/Team/%e2%80%aetxt.exe",
    "/Team/%e2%81%a6x",
    "/Team/%ef%bb%bfx",
    "/Team/%cc%81x",
    "/Team/x%0d%0aSet-Cookie:%20owned=1",
    "/Team/%1b[31mx",
    "/Team/x%7f",
    "/Team/x%c2%85",
    "/Team/x%e2%80%a8",
    "/Team/trailing.",
    "/Team/trailing%20",
    "/Team/" + "n" * 256,
    "/Team" + "/d" * 70 + "/f",
    "/Team/" + "p/" * 2100,
]
# Query strings whose escapes themselves are broken (sent over a raw socket:
# HTTP client libraries would "repair" them to %25).
BROKEN_ESCAPES = ["%", "%2", "%zz", "/Team/%g0", "/Team/x%", "/Team/%%30%30"]

# No answer may repeat any of these (pieces of the hostile input).
NO_ECHO = ["Secret", "Team", "..", "passwd", "Windows", "win.ini", "fileserverx", "Set-Cookie",
           "owned", "trailing", "nnnnnnnn", "p/p/", "/d/d", "\\", "%", "\x00", "\x1b"]


def cli(data, *args):
    p = subprocess.run([coffer_bin(), "--data", str(data), *map(str, args)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p.stdout


class Client:
    def __init__(self, server, token):
        self.base = server.url + "/api/v1"
        self.s = requests.Session()
        self.s.trust_env = False
        self.s.verify = str(server.data / "tls/cert.pem")
        self.s.headers["Authorization"] = "Bearer " + token

    def raw(self, method, route, query="", body=None, data=None, headers=None):
        """`query` goes on the wire as written (requests keeps valid %XX escapes)."""
        url = self.base + route + ("?" + query if query else "")
        req = requests.Request(method, url, json=body, data=data, headers=headers)
        prepared = self.s.prepare_request(req)
        prepared.url = url  # no re-quoting: what is written is what is sent
        return self.s.send(prepared, timeout=30)


@pytest.fixture
def api(data_dir, server_factory):
    setup_alice(data_dir)
    cli(data_dir, "user", "passwd", "alice", "--password-file", data_dir.parent / "alice-password",
        "--no-force-change")
    server = server_factory(read_timeout_seconds=10)

    def token(user, scopes):
        return cli(data_dir, "token", "create", "--user", user, "--name", f"{user}-t",
                   "--scopes", scopes, "--days", 1).strip().splitlines()[-1].strip()

    alice = Client(server, token("alice", "read,write"))
    admin = Client(server, token("admin", "read,write,admin"))
    assert admin.raw("PUT", "/files/content", "path=/Secret/x", data=b"secret").status_code == 201
    assert alice.raw("PUT", "/files/content", "path=/Team/x", data=b"team").status_code == 201
    assert alice.raw("PUT", "/files/content", "path=/Team/gone", data=b"g").status_code == 201
    assert alice.raw("DELETE", "/files", "path=/Team/gone").status_code == 204
    return {"alice": alice, "admin": admin, "server": server}


def snapshot(api):
    admin = api["admin"]

    def tree(path):
        out = []
        r = admin.raw("GET", "/files", "path=" + requests.utils.quote(path, safe="/"))
        for e in r.json()["items"]:
            out.append({k: e[k] for k in ("path", "type", "size", "sha256", "modified_at")})
            if e["type"] == "folder":
                out += tree(e["path"])
        return out

    return json.dumps({
        "tree": tree("/"),
        "recycle": admin.raw("GET", "/recycle", "path=/Team").json(),
        "users": admin.raw("GET", "/admin/users").json(),
        "groups": admin.raw("GET", "/admin/groups").json(),
        "grants": [admin.raw("GET", "/admin/grants", "path=" + p).json()
                   for p in ("/Team", "/Secret")],
        "bans": admin.raw("GET", "/admin/bans").json(),
        "rules": admin.raw("GET", "/admin/ip-rules").json(),
        "keys": admin.raw("GET", "/ssh-keys", "user=alice").json(),
        "tokens": len(api["alice"].raw("GET", "/me/tokens").json()["items"]),
    }, sort_keys=True)


def assert_refused(r, what):
    assert 400 <= r.status_code < 500, (what, r.status_code, r.text[:300])
    assert r.headers.get("content-type") == "application/problem+json", (what, r.headers)
    assert r.json()["status"] == r.status_code
    assert "set-cookie" not in {k.lower() for k in r.headers}, what
    for piece in NO_ECHO:
        assert piece not in r.text, (what, piece, r.text)
        for name, value in r.headers.items():
            if name.lower() not in ("content-security-policy",):
                assert piece not in value or piece in ("%",), (what, name, value)


def path_routes(value):
    """Every route that takes a file path, with `value` in that place (raw query or JSON)."""
    from urllib.parse import unquote_to_bytes
    decoded = unquote_to_bytes(value).decode("utf-8", "surrogateescape")
    try:
        decoded.encode("utf-8")
        as_json = decoded
    except UnicodeEncodeError:
        as_json = None  # not valid UTF-8: cannot be a JSON string; sent raw below
    q = "path=" + value
    calls = [
        ("GET", "/files", q, None), ("GET", "/files", "path=/Team&cursor=" + value, None),
        ("GET", "/files/stat", q, None), ("GET", "/files/content", q, None),
        ("HEAD", "/files/content", q, None), ("PUT", "/files/content", q, None),
        ("DELETE", "/files", q, None), ("GET", "/recycle", q, None),
    ]
    bodies = [("/files/mkdir", "path", {}), ("/files/move", "from", {"to": "/Team/y"}),
              ("/files/move", "to", {"from": "/Team/x"}), ("/files/copy", "from", {"to": "/Team/y"}),
              ("/files/copy", "to", {"from": "/Team/x"})]
    for route, field, rest in bodies:
        if as_json is not None:
            calls.append(("POST", route, "", {field: as_json, **rest}))
        else:  # the invalid bytes inside the JSON text itself
            raw = json.dumps(rest)[:-1].encode() + (", " if rest else "").encode() + \
                f'"{field}": "'.encode() + decoded.encode("utf-8", "surrogateescape") + b'"}'
            calls.append(("POST", route, "", raw))
    return calls


def send(client, method, route, query, body):
    if isinstance(body, bytes):
        return client.raw(method, route, query, data=body,
                          headers={"Content-Type": "application/json"})
    data = b"hostile" if method == "PUT" else None
    return client.raw(method, route, query, body=body, data=data)


def test_traversal_and_bad_names_in_every_path_parameter(api):
    before = snapshot(api)
    for client in (api["alice"], api["admin"]):
        for value in HOSTILE_PATHS:
            for method, route, query, body in path_routes(value):
                r = send(client, method, route, query, body)
                if method == "HEAD":
                    assert 400 <= r.status_code < 500 and r.content == b"", (route, value)
                    continue
                assert_refused(r, (method, route, value))
    assert snapshot(api) == before


def test_broken_escapes_on_the_wire_are_refused(api):
    server, token = api["server"], api["alice"].s.headers["Authorization"]
    before = snapshot(api)
    for value in BROKEN_ESCAPES:
        for method, route in [("GET", "/files"), ("GET", "/files/stat"), ("GET", "/files/content"),
                              ("PUT", "/files/content"), ("DELETE", "/files"), ("GET", "/recycle"),
                              ("GET", "/activity"), ("DELETE", "/me/tokens")]:
            key = "id" if route == "/me/tokens" else "path"
            head = (f"{method} /api/v1{route}?{key}={value} HTTP/1.1\r\nHost: x\r\n"
                    f"Authorization: {token}\r\nConnection: close\r\n")
            head += "Content-Length: 1\r\n\r\nx" if method == "PUT" else "\r\n"
            with server.tls_socket() as s:
                s.sendall(head.encode())
                out = read_all(s)
            status_line, _, rest = out.partition(b"\r\n")
            assert status_line.startswith(b"HTTP/1.1 400"), (method, route, value, out[:200])
            body = rest.partition(b"\r\n\r\n")[2]
            assert b"problem" in rest.lower() and b"%" not in body and b"Team" not in body
    assert snapshot(api) == before


def test_administration_and_key_parameters_refuse_hostile_values(api):
    admin = api["admin"]
    before = snapshot(api)
    names = ["..%2fadmin", "admin%00", "%2e%2e", "a%5cb", "%c0%ae", "x%0d%0aSet-Cookie:%20owned=1",
             "n" * 300, "%e2%80%aeadmin"]
    for v in names:
        for method, route, query, body in [
            ("GET", "/admin/user", "name=" + v, None),
            ("PATCH", "/admin/user", "name=" + v, {"disabled": True}),
            ("DELETE", "/admin/user", "name=" + v, None),
            ("POST", "/admin/user/password", "name=" + v, None),
            ("POST", "/admin/user/unlock", "name=" + v, None),
            ("DELETE", "/admin/group", "name=" + v, None),
            ("POST", "/admin/group/members", "group=" + v + "&user=alice", None),
            ("DELETE", "/admin/group/members", "group=Team&user=" + v, None),
            ("DELETE", "/admin/grants", "path=/Team&subject=" + v, None),
            ("GET", "/ssh-keys", "user=" + v, None),
            ("DELETE", "/ssh-keys", "user=alice&fingerprint=" + v, None),
            ("DELETE", "/admin/bans", "address=" + v, None),
            ("DELETE", "/admin/ip-rules", "cidr=" + v, None),
        ]:
            assert_refused(admin.raw(method, route, query, body=body), (method, route, v))
    for v in HOSTILE_PATHS[:12] + HOSTILE_PATHS[-3:]:
        for method, route, query, body in [
            ("PATCH", "/admin/folder", "path=" + v, {"quota_bytes": 1}),
            ("GET", "/admin/grants", "path=" + v, None),
            ("DELETE", "/admin/grants", "path=" + v + "&subject=alice", None),
        ]:
            assert_refused(admin.raw(method, route, query, body=body), (method, route, v))
    from urllib.parse import unquote
    for v in ["/Team/../Secret", "/Team/x\x00", "..\\Secret", "/" + "n" * 300,
              unquote("/%e2%80%aeTeam")]:
        for route, method, body in [
            ("/admin/folders", "POST", {"path": v}),
            ("/admin/grants", "PUT", {"path": v, "subject": "alice", "perms": ["list"]}),
            ("/admin/users", "POST", {"name": v.strip("/")}),
            ("/admin/groups", "POST", {"name": v.strip("/")}),
            ("/admin/bans", "POST", {"address": v, "minutes": 5}),
            ("/admin/ip-rules", "POST", {"cidr": v, "action": "deny"}),
        ]:
            assert_refused(admin.raw(method, route, body=body), (route, v))
    assert snapshot(api) == before


IDS = ["..%2f1", "1%00", "-1", "0", "1e3", "0x10", "99999999999999999999999", "1,2", "%201",
       "1%20OR%201=1", "1.0", "", "%e2%80%ae1"]


def test_every_id_parameter_refuses_hostile_values(api):
    alice = api["alice"]
    before = snapshot(api)
    for v in IDS:
        for route in ("/me/sessions", "/me/tokens"):
            assert_refused(alice.raw("DELETE", route, "id=" + v), (route, v))
    for v in ["1", "../1", 1.5, True, None, [], {}, -1, 2**64, "1; DROP TABLE entries"]:
        assert_refused(alice.raw("POST", "/recycle/restore", body={"id": v}), ("restore", v))
    assert snapshot(api) == before


def test_repeated_query_parameters_are_refused_everywhere(api):
    admin = api["admin"]
    before = snapshot(api)
    cases = [
        ("GET", "/files", "path=/Team&path=/Secret"),
        ("GET", "/files", "path=/Team&limit=1&limit=2"),
        ("GET", "/files/stat", "path=/Team/x&path=/Secret/x"),
        ("GET", "/files/content", "path=/Team/x&path=/Secret/x"),
        ("PUT", "/files/content", "path=/Team/new&path=/Secret/new"),
        ("DELETE", "/files", "path=/Team/x&path=/Secret/x"),
        ("GET", "/recycle", "path=/Team&path=/Secret"),
        ("DELETE", "/me/tokens", "id=1&id=2"),
        ("DELETE", "/me/sessions", "id=1&id=2"),
        ("GET", "/activity", "user=alice&user=admin"),
        ("GET", "/activity", "format=csv&format=json"),
        ("GET", "/admin/user", "name=alice&name=admin"),
        ("DELETE", "/admin/user", "name=alice&name=alice"),
        ("PATCH", "/admin/folder", "path=/Team&path=/Secret"),
        ("GET", "/admin/grants", "path=/Team&path=/Secret"),
        ("DELETE", "/admin/grants", "path=/Team&subject=alice&subject=alice"),
        ("DELETE", "/admin/bans", "address=192.0.2.1&address=192.0.2.2"),
        ("DELETE", "/admin/ip-rules", "cidr=192.0.2.0/24&cidr=192.0.2.0/24"),
        ("GET", "/ssh-keys", "user=alice&user=admin"),
    ]
    for method, route, query in cases:
        body = {"quota_bytes": 1} if method == "PATCH" else None
        data = b"x" if method == "PUT" else None
        r = admin.raw(method, route, query, body=body, data=data)
        assert_refused(r, (method, route, query))
        assert r.status_code == 400, (method, route, r.status_code)
    assert snapshot(api) == before


WRONG_TYPES = [
    ("/files/mkdir", "POST", {"path": 5}), ("/files/mkdir", "POST", {"path": ["/Team/a"]}),
    ("/files/mkdir", "POST", {"path": None}), ("/files/mkdir", "POST", {"path": {"p": "/Team/a"}}),
    ("/files/mkdir", "POST", {"path": True}), ("/files/mkdir", "POST", ["/Team/a"]),
    ("/files/mkdir", "POST", "/Team/a"), ("/files/mkdir", "POST", 7),
    ("/files/move", "POST", {"from": "/Team/x", "to": 1}),
    ("/files/move", "POST", {"from": ["/Team/x"], "to": "/Team/y"}),
    ("/files/copy", "POST", {"from": "/Team/x", "to": False}),
    ("/files/copy", "POST", {"from": {"a": 1}, "to": "/Team/y"}),
    ("/recycle/restore", "POST", {"id": "1"}),
    ("/me/tokens", "POST", {"name": 1, "scopes": ["read"], "expires_in_days": 1}),
    ("/me/tokens", "POST", {"name": "t", "scopes": "read", "expires_in_days": 1}),
    ("/me/tokens", "POST", {"name": "t", "scopes": [1], "expires_in_days": 1}),
    ("/me/tokens", "POST", {"name": "t", "scopes": ["read"], "expires_in_days": "1"}),
    ("/me/tokens", "POST", {"name": "t", "scopes": ["read"], "expires_in_days": 1.5}),
    ("/me/password", "POST", {"current_password": 1, "new_password": ["x"]}),
    ("/admin/users", "POST", {"name": "eve", "admin": "true"}),
    ("/admin/users", "POST", {"name": "eve", "quota_bytes": "1"}),
    ("/admin/users", "POST", {"name": ["eve"]}),
    ("/admin/users", "POST", {"name": "eve", "quota_bytes": -1}),
    ("/admin/groups", "POST", {"name": 1}),
    ("/admin/folders", "POST", {"path": "/New", "quota_bytes": 1.5}),
    ("/admin/grants", "PUT", {"path": "/Team", "subject": "alice", "perms": "list"}),
    ("/admin/grants", "PUT", {"path": "/Team", "subject": "alice", "perms": [1]}),
    ("/admin/grants", "PUT", {"path": "/Team", "subject": 5, "perms": ["list"]}),
    ("/admin/bans", "POST", {"address": "192.0.2.1", "minutes": "5"}),
    ("/admin/bans", "POST", {"address": 3221225985, "minutes": 5}),
    ("/admin/ip-rules", "POST", {"cidr": "192.0.2.0/24", "action": True}),
    ("/admin/ip-rules", "POST", {"cidr": "192.0.2.0/24", "action": "deny", "comment": 1}),
    ("/ssh-keys", "POST", {"key": ["ssh-ed25519 AAAA"]}),
]


def test_json_values_of_the_wrong_type_are_400_and_change_nothing(api):
    admin = api["admin"]
    before = snapshot(api)
    for route, method, body in WRONG_TYPES:
        r = admin.raw(method, route, body=body)
        assert_refused(r, (route, body))
        assert r.status_code == 400, (route, body, r.status_code)
    # A JSON text that names one field twice is ambiguous: refused, not last-one-wins.
    r = admin.raw("POST", "/files/mkdir", data=b'{"path": "/Team/a", "path": "/Secret/a"}',
                  headers={"Content-Type": "application/json"})
    assert_refused(r, "duplicate key")
    assert snapshot(api) == before
