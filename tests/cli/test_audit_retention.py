"""`coffer audit search` and `coffer audit prune` on a real data directory.
Records are made 40 days in the past by running the CLI under faketime, then
pruned with a 30-day retention: verify still passes from the anchor, the prune
is recorded, and tampering after the prune (sqlite3, as an attacker with the
file would) is still caught."""
import csv
import io
import os
import re
import shutil
import sqlite3
import subprocess

import pytest

from conftest import coffer_bin
from test_audit import ALTERED, REMOVED, sql, verify


def at_past(coffer, days, *args):
    assert shutil.which("faketime"), "faketime is missing: run scripts/setup.sh"
    cmd = ["faketime", "-f", f"-{days}d", coffer_bin(), "--data", str(coffer.data), *map(str, args)]
    # faketime preloads itself; ASan (sanitizer build) must then not insist on coming first.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, env=env)


@pytest.fixture
def aged(coffer):
    cfg = coffer.data / "coffer.toml"
    text = cfg.read_text()
    text = re.sub(r"checkpoint_every_records = \d+", "checkpoint_every_records = 5", text)
    text = re.sub(r"checkpoint_every_seconds = \d+", "checkpoint_every_seconds = 86400", text)
    text = re.sub(r"retention_days = \d+", "retention_days = 30", text)
    cfg.write_text(text)
    for i in range(12):
        at_past(coffer, 40, "folder", "add", f"/old{i:02d}")
    for i in range(3):
        coffer.run("folder", "add", f"/new{i}")
    return coffer


def ids(coffer):
    db = sqlite3.connect(coffer.data / "coffer.db")
    try:
        return [r[0] for r in db.execute("SELECT id FROM activity ORDER BY id")]
    finally:
        db.close()


def test_prune_keeps_the_chain_verifiable_from_its_anchor(aged):
    before = ids(aged)
    out = aged.json("audit", "prune")
    anchor = out["anchor_id"]
    assert anchor > 0 and out["removed"] == anchor - before[0] + 1
    after = ids(aged)
    assert after[0] == anchor + 1 and after[-1] > before[-1]
    r = verify(aged, 0)
    assert r["result"] == "ok" and r["anchor_id"] == anchor
    human = aged.run("audit", "verify").stdout.decode()
    assert f"anchor: records up to {anchor} were pruned" in human
    prunes = aged.json("audit", "search", "--action", "audit.prune", "--format", "json")
    assert [p["result"] for p in prunes["items"]] == ["ok"]
    # Only records older than the retention went: the recent folders' records stay.
    recent = aged.json("audit", "search", "--path", "/new", "--format", "json")["items"]
    assert sorted(p["path"] for p in recent) == ["/new0", "/new1", "/new2"]


def test_tampering_after_a_prune_is_caught(aged):
    anchor = aged.json("audit", "prune")["anchor_id"]
    sql(aged, "DROP TRIGGER activity_no_update;",
        f"UPDATE activity SET path = '/moved' WHERE id = {anchor + 3};")
    r = verify(aged, ALTERED)
    assert r["record_id"] == anchor + 3


def test_deleting_more_than_retention_allows_is_caught(aged):
    anchor = aged.json("audit", "prune")["anchor_id"]
    sql(aged, "DROP TRIGGER activity_no_delete;", f"DELETE FROM activity WHERE id <= {anchor + 2};")
    r = verify(aged, REMOVED)
    assert r["record_id"] == anchor + 1


def test_prune_with_retention_off_is_refused(coffer):
    assert "retention_days is 0" in coffer.fails(8, "audit", "prune")


def test_search_filters_pages_and_formats(shared, tmp_path):
    for i in range(7):
        shared.run("folder", "add", f"/A/s{i}")
    page = shared.json("audit", "search", "--action", "folder.create", "--path", "/A/",
                       "--limit", "3", "--format", "json")
    seen = [i["path"] for i in page["items"]]
    while page["next_cursor"]:
        page = shared.json("audit", "search", "--action", "folder.create", "--path", "/A/",
                           "--limit", "3", "--cursor", page["next_cursor"], "--format", "json")
        seen += [i["path"] for i in page["items"]]
    assert seen == [f"/A/s{i}" for i in range(6, -1, -1)]
    p = shared.run("audit", "search", "--action", "folder.create", "--format", "csv")
    rows = list(csv.reader(io.StringIO(p.stdout.decode())))
    assert rows[0][:4] == ["id", "time", "at_us", "actor"]
    assert len(rows) > 8
    # A user sees only their own records; asking for someone else's is denied.
    mine = shared.json("audit", "search", "--format", "json", as_user="alice")
    assert all(i["actor"] == "alice" for i in mine["items"])
    shared.fails(4, "audit", "search", "--user", "bob", as_user="alice")
    denied = shared.json("audit", "search", "--action", "activity.search", "--result", "denied",
                         "--format", "json")
    assert denied["items"][0]["actor"] == "alice"
    shared.fails(2, "audit", "search", "--cursor", "nonsense")


def test_failed_audit_write_aborts_the_change(coffer, tmp_path):
    """Failure injection: a trigger installed with sqlite3 makes every activity
    insert fail; the change must not happen."""
    coffer.run("folder", "add", "/kept")
    sql(coffer, "CREATE TRIGGER fail_activity BEFORE INSERT ON activity"
                " BEGIN SELECT RAISE(ABORT, 'injected'); END;")
    src = tmp_path / "f"
    src.write_bytes(os.urandom(5000))
    assert coffer.run("folder", "add", "/lost", check=False).returncode != 0
    assert coffer.run("files", "put", src, "/kept/f", check=False).returncode != 0
    sql(coffer, "DROP TRIGGER fail_activity;")
    assert coffer.json("files", "ls", "/kept")["entries"] == []
    assert [e["name"] for e in coffer.json("files", "ls", "/")["entries"]] == ["kept"]
    verify(coffer, 0)


def test_an_export_after_a_prune_verifies_on_its_own(aged, tmp_path):
    aged.json("audit", "prune")
    out = tmp_path / "export.jsonl"
    aged.run("audit", "export", "--out", out)
    key = aged.json("audit", "pubkey")["public_key"]
    p = aged.run("audit", "verify", "--file", out, "--pubkey", key, check=False, json_out=True)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
