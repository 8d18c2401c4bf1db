"""The authorization matrix through the API, against the real `coffer serve`.

alice is granted only /Alpha, bob only /Bravo, and there is an administrator.
bob knows (or guesses) every path and id of alice's: her folders, files, recycled
file, tokens, sessions and keys. On every route that takes a path or an id he
gets exactly the answer (status and body) he gets for a path or id that does not
exist, never one of alice's names, and nothing of hers changes. His own activity
record does not tell her objects from absent ones either.
"""
import json
import subprocess

import pytest
import requests

from conftest import coffer_bin

ALICE_PW = "Tulip-Granite-Harbor-93"
BOB_PW = "Tr4il-mix-Quartz-91"
# Names of alice's that must never reach bob (he never types the last three).
ALICE_NAMES = ["Alpha", "plans-2027", "Drafts", "memo-deleted", "alice-laptop", "alice-token"]
ED25519_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl "
               "alice-laptop")


def cli(data, *args):
    p = subprocess.run([coffer_bin(), "--data", str(data), *map(str, args)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p.stdout


def cli_token(data, user, scopes, name):
    return cli(data, "token", "create", "--user", user, "--name", name, "--scopes", scopes,
               "--days", 1).strip().splitlines()[-1].strip()


class Client:
    def __init__(self, server, token=None):
        self.base = server.url
        self.s = requests.Session()
        self.s.trust_env = False
        self.s.verify = str(server.data / "tls/cert.pem")
        self.csrf = ""
        if token:
            self.s.headers["Authorization"] = "Bearer " + token

    def __call__(self, method, route, params=None, body=None, data=None):
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        return self.s.request(method, self.base + "/api/v1" + route, params=params, json=body,
                              data=data, headers=headers, timeout=30)

    def login(self, user, password):
        r = self("POST", "/auth/login", body={"username": user, "password": password})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]
        return self


@pytest.fixture
def world(data_dir, server_factory):
    for name, pw in (("alice", ALICE_PW), ("bob", BOB_PW)):
        f = data_dir.parent / f"{name}.pw"
        f.write_text(pw + "\n")
        cli(data_dir, "user", "add", name, "--password-file", f)
        cli(data_dir, "user", "passwd", name, "--password-file", f, "--no-force-change")
    cli(data_dir, "folder", "add", "/Alpha")
    cli(data_dir, "folder", "add", "/Bravo")
    cli(data_dir, "grant", "/Alpha", "alice", "list,read,write,delete")
    cli(data_dir, "grant", "/Bravo", "bob", "list,read,write,delete")
    server = server_factory(read_timeout_seconds=10)
    alice = Client(server, cli_token(data_dir, "alice", "read,write", "alice-token"))
    bob = Client(server, cli_token(data_dir, "bob", "read,write", "bob-token"))
    admin = Client(server, cli_token(data_dir, "admin", "read,write,admin", "admin-token"))
    assert alice("POST", "/files/mkdir", body={"path": "/Alpha/Drafts"}).status_code == 201
    for path in ("/Alpha/plans-2027.txt", "/Alpha/Drafts/plans-2027.txt",
                 "/Alpha/memo-deleted.txt"):
        assert alice("PUT", "/files/content", {"path": path}, data=b"alice only").status_code == 201
    assert alice("DELETE", "/files", {"path": "/Alpha/memo-deleted.txt"}).status_code == 204
    assert bob("PUT", "/files/content", {"path": "/Bravo/mine.txt"}, data=b"bob").status_code == 201
    assert alice("POST", "/ssh-keys", body={"key": ED25519_KEY}).status_code == 201
    alice_web = Client(server).login("alice", ALICE_PW)  # a session of hers to guess at
    ids = {
        "file": alice("GET", "/files/stat", {"path": "/Alpha/plans-2027.txt"}).json()["id"],
        "folder": alice("GET", "/files/stat", {"path": "/Alpha/Drafts"}).json()["id"],
        "top": admin("GET", "/files/stat", {"path": "/Alpha"}).json()["id"],
        "recycled": alice("GET", "/recycle", {"path": "/Alpha"}).json()["items"][0]["id"],
        "token": alice("GET", "/me/tokens").json()["items"][0]["id"],
        "session": alice_web("GET", "/me/sessions").json()["items"][0]["id"],
        "key": alice("GET", "/ssh-keys").json()["items"][0]["fingerprint"],
    }
    return {"server": server, "alice": alice, "bob": bob, "admin": admin, "ids": ids,
            "alice_web": alice_web, "data": data_dir}


def answer(r):
    return r.status_code, r.headers.get("content-type"), r.text


def assert_same(guess, absent, what):
    assert answer(guess) == answer(absent), (what, answer(guess), answer(absent))
    assert guess.status_code >= 400, (what, guess.status_code)
    for name in ALICE_NAMES:
        assert name not in guess.text, (what, name, guess.text)


def snapshot(w):
    """Everything of alice's, as the administrator and alice herself see it."""
    admin, alice = w["admin"], w["alice"]

    def tree(path):
        items = admin("GET", "/files", {"path": path}).json()["items"]
        out = []
        for e in items:
            e = {k: v for k, v in e.items() if k != "perms"}
            out.append(e)
            if e["type"] == "folder":
                out += tree(e["path"])
            else:
                out.append(admin("GET", "/files/content", {"path": e["path"]}).content)
        return out

    return json.dumps({
        "tree": [repr(x) for x in tree("/")],
        "recycle": alice("GET", "/recycle", {"path": "/Alpha"}).json(),
        "tokens": [{k: v for k, v in t.items() if k != "last_used_at"}
                   for t in alice("GET", "/me/tokens").json()["items"]],
        "sessions": [{k: v for k, v in s.items() if k not in ("last_seen_at", "current")}
                     for s in alice("GET", "/me/sessions").json()["items"]],
        "keys": alice("GET", "/ssh-keys").json(),
        "users": admin("GET", "/admin/users").json(),
        "groups": admin("GET", "/admin/groups").json(),
        "grants": [admin("GET", "/admin/grants", {"path": p}).json() for p in ("/Alpha", "/Bravo")],
        "bans": admin("GET", "/admin/bans").json(),
        "rules": admin("GET", "/admin/ip-rules").json(),
    }, sort_keys=True, default=repr)


# Each probe: (route description, a request with alice's object, the same with absent ones).
# "{A}" stands for a path of alice's; the absent variants replace it with a name
# inside her folder that does not exist and with a top-level folder that does not.
PATH_PROBES = [
    ("list", "GET", "/files", lambda p: ({"path": p}, None)),
    ("list page", "GET", "/files", lambda p: ({"path": p, "limit": 1}, None)),
    ("stat", "GET", "/files/stat", lambda p: ({"path": p}, None)),
    ("download", "GET", "/files/content", lambda p: ({"path": p}, None)),
    ("head", "HEAD", "/files/content", lambda p: ({"path": p}, None)),
    ("upload", "PUT", "/files/content", lambda p: ({"path": p}, None)),
    ("upload inside", "PUT", "/files/content", lambda p: ({"path": p + "/new.txt"}, None)),
    ("mkdir inside", "POST", "/files/mkdir", lambda p: (None, {"path": p + "/New"})),
    ("mkdir at", "POST", "/files/mkdir", lambda p: (None, {"path": p})),
    ("move from", "POST", "/files/move", lambda p: (None, {"from": p, "to": "/Bravo/got.txt"})),
    ("move to", "POST", "/files/move", lambda p: (None, {"from": "/Bravo/mine.txt", "to": p})),
    ("move into", "POST", "/files/move",
     lambda p: (None, {"from": "/Bravo/mine.txt", "to": p + "/mine.txt"})),
    ("copy from", "POST", "/files/copy", lambda p: (None, {"from": p, "to": "/Bravo/got.txt"})),
    ("copy to", "POST", "/files/copy", lambda p: (None, {"from": "/Bravo/mine.txt", "to": p})),
    ("copy into", "POST", "/files/copy",
     lambda p: (None, {"from": "/Bravo/mine.txt", "to": p + "/mine.txt"})),
    ("delete", "DELETE", "/files", lambda p: ({"path": p}, None)),
    ("recycle list", "GET", "/recycle", lambda p: ({"path": p}, None)),
]

ALICE_PATHS = ["/Alpha", "/Alpha/plans-2027.txt", "/Alpha/Drafts", "/Alpha/Drafts/plans-2027.txt",
               "/Alpha/memo-deleted.txt", "/alpha/PLANS-2027.TXT"]
ABSENT_PATHS = ["/Alpha/never-was.txt", "/Zulu", "/Zulu/plans-2027.txt"]


def probe(client, method, route, make, path):
    params, body = make(path)
    data = b"bob was here" if method == "PUT" else None
    return client(method, route, params, body, data)


def test_every_path_route_answers_for_alices_objects_as_for_absent_ones(world):
    w = world
    bob = w["bob"]
    before = snapshot(w)
    for what, method, route, make in PATH_PROBES:
        deep = probe(bob, method, route, make, "/Zulu/plans-2027.txt")
        assert deep.status_code == 404, (what, deep.status_code, deep.text)
        # At the top level a user may be refused outright (only administrators make
        # top-level folders), but alike for her folder and an absent one.
        top = probe(bob, method, route, make, "/Zulu")
        for path in ALICE_PATHS + ABSENT_PATHS:
            reference = top if path.count("/") == 1 else deep
            assert_same(probe(bob, method, route, make, path), reference, (what, path))
    # Listing the root shows bob his folder and nothing of alice's.
    root = bob("GET", "/files", {"path": "/"})
    assert root.status_code == 200
    assert [e["name"] for e in root.json()["items"]] == ["Bravo"]
    assert snapshot(w) == before
    assert bob("GET", "/files/stat", {"path": "/Bravo/got.txt"}).status_code == 404


def test_alices_ids_answer_as_absent_ones(world):
    w = world
    bob, ids = w["bob"], w["ids"]
    before = snapshot(w)
    absent = 2**40 + 17
    for what in ("file", "folder", "top", "recycled"):
        assert_same(bob("POST", "/recycle/restore", body={"id": ids[what]}),
                    bob("POST", "/recycle/restore", body={"id": absent}), ("restore", what))
    assert_same(bob("DELETE", "/me/tokens", {"id": ids["token"]}),
                bob("DELETE", "/me/tokens", {"id": absent}), "token")
    assert_same(bob("DELETE", "/me/sessions", {"id": ids["session"]}),
                bob("DELETE", "/me/sessions", {"id": absent}), "session")
    # Another user's keys: refused alike whether the user (and the key) exist or not.
    for method, params, body in [
        ("GET", {"user": "{u}"}, None),
        ("POST", {"user": "{u}"}, {"key": ED25519_KEY.replace("alice-laptop", "bob's")}),
        ("DELETE", {"user": "{u}", "fingerprint": ids["key"]}, None),
    ]:
        def call(user):
            return bob(method, "/ssh-keys", {k: v.replace("{u}", user) for k, v in params.items()},
                       body)
        assert_same(call("alice"), call("nobody-here"), ("ssh-keys", method))
    # bob's own key list does not show hers, nor does deleting her fingerprint as his work.
    assert bob("GET", "/ssh-keys").json()["items"] == []
    assert_same(bob("DELETE", "/ssh-keys", {"fingerprint": ids["key"]}),
                bob("DELETE", "/ssh-keys", {"fingerprint": "SHA256:" + "A" * 43}), "own key")
    assert snapshot(w) == before
    # Her token and session still work.
    assert w["alice"]("GET", "/me").status_code == 200
    assert w["alice_web"]("GET", "/me").status_code == 200


def test_activity_filters_show_bob_nothing_of_alices(world):
    w = world
    bob = w["bob"]
    # Make records of alice's that a leak would show.
    assert w["alice"]("GET", "/files/stat", {"path": "/Alpha/plans-2027.txt"}).status_code == 200
    for params in ({"user": "alice"}, {"user": "admin"}):
        assert_same(bob("GET", "/activity", params), bob("GET", "/activity", {"user": "nobody"}),
                    ("activity", params))
    for fmt in ("json", "csv"):
        for path in ("/Alpha", "/Alpha/plans-2027.txt", "/"):
            r = bob("GET", "/activity", {"path": path, "format": fmt})
            assert r.status_code == 200, r.text
            if fmt == "json":
                assert {i["actor"] for i in r.json()["items"]} <= {"bob"}
            # bob's own searches are recorded with what he typed; names he never
            # typed must not appear.
            for name in ("Drafts", "memo-deleted", "alice-laptop", "alice-token"):
                assert name not in r.text, (path, fmt, name)
        for params in ({"action": "file.stat"}, {"result": "ok"}, {"address": "127.0.0.1"}):
            r = bob("GET", "/activity", {**params, "format": fmt})
            assert r.status_code == 200 and "Drafts" not in r.text and "memo-" not in r.text
            if fmt == "json":
                assert {i["actor"] for i in r.json()["items"]} <= {"bob"}


def test_bobs_own_record_does_not_tell_alices_objects_from_absent_ones(world):
    w = world
    bob = w["bob"]
    for path in ("/Alpha/plans-2027.txt", "/Zulu/plans-2027.txt"):
        assert bob("GET", "/files/stat", {"path": path}).status_code == 404
    items = bob("GET", "/activity", {"user": "bob", "limit": 50}).json()["items"]
    mine = {i["path"]: i for i in items if i["path"] in ("/Alpha/plans-2027.txt",
                                                         "/Zulu/plans-2027.txt")}
    assert set(mine) == {"/Alpha/plans-2027.txt", "/Zulu/plans-2027.txt"}, items
    strip = ("id", "at", "at_us", "time", "path")
    a, z = ({k: v for k, v in mine[p].items() if k not in strip}
            for p in ("/Alpha/plans-2027.txt", "/Zulu/plans-2027.txt"))
    assert a == z and a["object_id"] in (0, None), (a, z)


ADMIN_ROUTES = [
    ("GET", "/admin/users", None, None),
    ("POST", "/admin/users", None, {"name": "mallory", "admin": True}),
    ("GET", "/admin/user", {"name": "{u}"}, None),
    ("PATCH", "/admin/user", {"name": "{u}"}, {"disabled": True}),
    ("DELETE", "/admin/user", {"name": "{u}"}, None),
    ("POST", "/admin/user/password", {"name": "{u}"}, {"password": "bob took this account"}),
    ("POST", "/admin/user/unlock", {"name": "{u}"}, None),
    ("GET", "/admin/groups", None, None),
    ("POST", "/admin/groups", None, {"name": "bobs"}),
    ("DELETE", "/admin/group", {"name": "{g}"}, None),
    ("POST", "/admin/group/members", {"group": "{g}", "user": "bob"}, None),
    ("DELETE", "/admin/group/members", {"group": "{g}", "user": "{u}"}, None),
    ("POST", "/admin/folders", None, {"path": "{p}/Inside"}),
    ("PATCH", "/admin/folder", {"path": "{p}"}, {"quota_bytes": 1}),
    ("GET", "/admin/grants", {"path": "{p}"}, None),
    ("PUT", "/admin/grants", None, {"path": "{p}", "subject": "bob", "perms": ["list", "read"]}),
    ("DELETE", "/admin/grants", {"path": "{p}", "subject": "{u}"}, None),
    ("GET", "/admin/bans", None, None),
    ("POST", "/admin/bans", None, {"address": "192.0.2.1", "minutes": 5}),
    ("DELETE", "/admin/bans", {"address": "192.0.2.1"}, None),
    ("GET", "/admin/ip-rules", None, None),
    ("POST", "/admin/ip-rules", None, {"cidr": "0.0.0.0/0", "action": "deny"}),
    ("DELETE", "/admin/ip-rules", {"cidr": "0.0.0.0/0"}, None),
]


def fill(value, real):
    names = {"{u}": "alice", "{g}": "AlphaTeam", "{p}": "/Alpha"} if real else \
        {"{u}": "nobody-here", "{g}": "NoTeam", "{p}": "/Zulu"}
    if isinstance(value, dict):
        return {k: fill(v, real) for k, v in value.items()}
    if isinstance(value, str):
        for k, v in names.items():
            value = value.replace(k, v)
    return value


@pytest.mark.parametrize("scopes", ["read,write", "read,write,admin"])
def test_every_admin_route_refuses_a_user_alike(world, scopes):
    w = world
    w["admin"]("POST", "/admin/groups", body={"name": "AlphaTeam"})
    w["admin"]("POST", "/admin/group/members", {"group": "AlphaTeam", "user": "alice"})
    w["admin"]("POST", "/admin/bans", body={"address": "192.0.2.1", "minutes": 5})
    before = snapshot(w)
    p = subprocess.run([coffer_bin(), "--data", str(w["data"]), "token", "create", "--user", "bob",
                        "--name", "bob-" + scopes, "--scopes", scopes, "--days", "1"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        # A user cannot be given the admin scope at all; nor can he give it himself.
        assert "admin" in scopes, p.stderr
        r = w["bob"]("POST", "/me/tokens", body={"name": "x", "scopes": ["read", "admin"],
                                                  "expires_in_days": 1})
        assert 400 <= r.status_code < 500 and "token" not in r.json()
        assert snapshot(w) == before
        return
    bob = Client(w["server"], p.stdout.strip().splitlines()[-1].strip())
    for method, route, params, body in ADMIN_ROUTES:
        guess = bob(method, route, fill(params, True), fill(body, True))
        absent = bob(method, route, fill(params, False), fill(body, False))
        assert guess.status_code == 403, (method, route, guess.status_code, guess.text)
        assert_same(guess, absent, (method, route))
        assert "AlphaTeam" not in guess.text
    assert snapshot(w) == before
