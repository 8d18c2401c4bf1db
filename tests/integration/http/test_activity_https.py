"""GET /api/v1/activity on the real server with real API tokens: an
administrator's token searches everyone's records, a user's token only their
own (another user's is 403), pages follow next_cursor, CSV answers are
attachments whose cells cannot run as spreadsheet formulas, and bad queries
get 400."""
import csv
import io
import subprocess

import requests

from conftest import coffer_bin

PASSWORD = "quartz-meadow-lantern-harbor-57"


def cli(server, *args, stdin=None):
    r = subprocess.run([coffer_bin(), "--data", str(server.data), *args], input=stdin,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def token(server, user, scopes):
    return cli(server, "token", "create", "--user", user, "--name", f"{user}-t",
               "--scopes", scopes).strip().splitlines()[-1]


def get(server, tok, path, **kw):
    return requests.get(server.url + path, headers={"Authorization": f"Bearer {tok}"},
                        verify=str(server.data / "tls/cert.pem"), timeout=30, **kw)


def test_activity_search_over_https(server):
    cli(server, "user", "add", "bob", "--password-file", "-", stdin=PASSWORD + "\n")
    cli(server, "folder", "add", "/B")
    cli(server, "grant", "/B", "bob", "list,read,write")
    for i in range(5):
        cli(server, "--as", "bob", "files", "mkdir", f"/B/d{i}")
    admin = token(server, "admin", "read,admin")
    bob = token(server, "bob", "read")

    everyone = get(server, admin, "/api/v1/activity?limit=1000")
    assert everyone.status_code == 200, everyone.text
    actors = {i["actor"] for i in everyone.json()["items"]}
    assert {"system", "bob"} <= actors

    own = get(server, bob, "/api/v1/activity?limit=1000").json()["items"]
    assert own and all(i["actor"] == "bob" for i in own)
    assert get(server, bob, "/api/v1/activity?user=admin").status_code == 403

    seen, cursor = [], ""
    for _ in range(10):
        r = get(server, admin, "/api/v1/activity",
                params={"user": "bob", "path": "/B/d", "limit": 2, "cursor": cursor})
        assert r.status_code == 200, r.text
        seen += [i["path"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [f"/B/d{i}" for i in range(4, -1, -1)]

    # A source address chosen by the caller lands in the record; in CSV it is neutralised.
    r = get(server, admin, "/api/v1/activity?format=csv&action=folder.create&limit=1000")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:4] == ["id", "time", "at_us", "actor"]
    assert any(row[8] == "/B/d3" for row in rows[1:])
    for row in rows[1:]:
        assert all(not c or c[0] not in "=+-@" for c in row)

    for bad in ("?nope=1", "?limit=0", "?format=xml", "?cursor=x", "?result=maybe"):
        assert get(server, admin, "/api/v1/activity" + bad).status_code == 400, bad
    assert requests.get(server.url + "/api/v1/activity", verify=str(server.data / "tls/cert.pem"),
                        timeout=30).status_code == 401
