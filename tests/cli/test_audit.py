"""`coffer audit verify` against a real database tampered with the sqlite3 tool,
as an attacker with file access would (dropping the append-only triggers first).
Each kind of tampering must be detected, with its exit code and the right record."""
import hashlib
import json
import re
import sqlite3
import struct
import subprocess

import pytest

ALTERED, REMOVED, INSERTED, REORDERED, FORGED, TRUNCATED = 9, 10, 11, 12, 13, 14
RECORDS = 30  # init's user.create and alert.admin.created + 28 folders
EVERY = 5     # checkpoints at records 1, 6, 11, 16, 21, 26

FIELDS = ("id, at_us, actor_id, actor_name, protocol, address, session, action, path,"
          " object_id, result, detail, bytes, sha256, prev_hash, hash")


@pytest.fixture
def audited(coffer):
    cfg = coffer.data / "coffer.toml"
    text = cfg.read_text()
    text = re.sub(r"checkpoint_every_records = \d+", f"checkpoint_every_records = {EVERY}", text)
    text = re.sub(r"checkpoint_every_seconds = \d+", "checkpoint_every_seconds = 86400", text)
    cfg.write_text(text)
    for i in range(RECORDS - 2):
        coffer.run("folder", "add", f"/f{i:02d}")
    return coffer


def sql(coffer, *statements):
    """Runs statements with the sqlite3 command-line tool, as an attacker would."""
    subprocess.run(["sqlite3", str(coffer.data / "coffer.db")], input="\n".join(statements).encode(),
                   check=True, capture_output=True, timeout=60)


def verify(coffer, code, *extra):
    p = coffer.run("audit", "verify", *extra, check=False, json_out=True)
    assert p.returncode == code, p.stdout.decode() + p.stderr.decode()
    return json.loads(p.stdout)


def test_intact_record_verifies_and_pubkey_prints(audited):
    report = verify(audited, 0)
    assert report["result"] == "ok"
    assert report["records"] == RECORDS and report["last_id"] == RECORDS
    assert report["signed_id"] == 26
    key = audited.json("audit", "pubkey")["public_key"]
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert verify(audited, 0, "--pubkey", key)["result"] == "ok"
    mode = (audited.data / "keys" / "audit-signing.key").stat().st_mode & 0o777
    assert mode == 0o600


def test_triggers_refuse_plain_tampering(audited):
    with pytest.raises(subprocess.CalledProcessError):
        sql(audited, "UPDATE activity SET path = '/x' WHERE id = 3;")
    with pytest.raises(subprocess.CalledProcessError):
        sql(audited, "DELETE FROM audit_checkpoints;")


def test_edited_field(audited):
    sql(audited, "DROP TRIGGER activity_no_update;",
        "UPDATE activity SET actor_name = 'nobody' WHERE id = 10;")
    r = verify(audited, ALTERED)
    assert (r["result"], r["record_id"]) == ("altered", 10)


def test_deleted_row(audited):
    sql(audited, "DROP TRIGGER activity_no_delete;", "DELETE FROM activity WHERE id = 10;")
    r = verify(audited, REMOVED)
    assert (r["result"], r["record_id"]) == ("removed", 10)


def test_inserted_row(audited):
    sql(audited, "DROP TRIGGER activity_no_update;",
        "UPDATE activity SET id = -id WHERE id >= 10;",
        "UPDATE activity SET id = 1 - id WHERE id < 0;",
        "INSERT INTO activity (id, at_us, actor_id, actor_name, protocol, address, session,"
        " action, path, object_id, result, detail, bytes, sha256, prev_hash, hash)"
        " SELECT 10, at_us, actor_id, actor_name, protocol, address, session, 'file.download',"
        " '/f00', 0, 'ok', '', 0, '', hash, randomblob(32) FROM activity WHERE id = 9;")
    r = verify(audited, INSERTED)
    assert (r["result"], r["record_id"]) == ("inserted", 10)


def test_swapped_rows(audited):
    sql(audited, "DROP TRIGGER activity_no_update;",
        "UPDATE activity SET id = -1 WHERE id = 10;",
        "UPDATE activity SET id = 10 WHERE id = 11;",
        "UPDATE activity SET id = 11 WHERE id = -1;")
    r = verify(audited, REORDERED)
    assert (r["result"], r["record_id"]) == ("reordered", 10)


def test_truncated_tail(audited):
    sql(audited, "DROP TRIGGER activity_no_delete;", "DELETE FROM activity WHERE id > 20;")
    r = verify(audited, TRUNCATED)
    assert (r["result"], r["record_id"]) == ("truncated", 21)


def test_truncated_unsigned_tail_is_seen_through_the_id_sequence(audited):
    sql(audited, "DROP TRIGGER activity_no_delete;", "DELETE FROM activity WHERE id > 27;")
    r = verify(audited, TRUNCATED)
    assert (r["result"], r["record_id"]) == ("truncated", 28)


def test_forged_checkpoint(audited):
    sql(audited, "DROP TRIGGER audit_checkpoints_no_update;",
        "UPDATE audit_checkpoints SET at_us = at_us + 1 WHERE record_id = 11;")
    r = verify(audited, FORGED)
    assert (r["result"], r["record_id"]) == ("checkpoint-forged", 11)


def test_inserted_checkpoint_without_the_key(audited):
    sql(audited, "INSERT INTO audit_checkpoints (record_id, head_hash, at_us, signature)"
        " SELECT 30, hash, at_us, randomblob(64) FROM activity WHERE id = 30;")
    r = verify(audited, FORGED)
    assert (r["result"], r["record_id"]) == ("checkpoint-forged", 30)


def test_another_key_fails_every_checkpoint(audited):
    r = verify(audited, FORGED, "--pubkey", "00" * 32)
    assert r["record_id"] == 1


def encode(row, prev):
    """The canonical encoding of docs/audit.md, written independently of the C++."""
    (rid, at_us, actor_id, actor_name, protocol, address, session, action, path, object_id,
     result, detail, nbytes, sha256) = row[:14]
    u64 = lambda v: struct.pack(">q", v)
    s = lambda t: u64(len(t.encode())) + t.encode()
    return (b"coffer.audit.record.v1" + u64(rid) + u64(at_us) + u64(actor_id) + s(actor_name) +
            s(protocol) + s(address) + s(session) + s(action) + s(path) + u64(object_id) +
            s(result) + s(detail) + u64(nbytes) + s(sha256) + prev)


def test_chain_matches_the_documented_encoding(audited):
    db = sqlite3.connect(audited.data / "coffer.db")
    prev = bytes(32)
    for row in db.execute(f"SELECT {FIELDS} FROM activity ORDER BY id"):
        assert row[14] == prev
        assert hashlib.sha256(encode(row, prev)).digest() == row[15]
        prev = row[15]


def test_rewritten_chain_is_caught_by_the_next_checkpoint(audited):
    """An attacker who knows the encoding rewrites record 8 and re-hashes every
    record after it: only the signed checkpoint of record 11 can tell."""
    db = sqlite3.connect(audited.data / "coffer.db")
    db.execute("DROP TRIGGER activity_no_update")
    db.execute("UPDATE activity SET path = '/innocent' WHERE id = 8")
    prev = None
    for row in list(db.execute(f"SELECT {FIELDS} FROM activity ORDER BY id")):
        if prev is None or row[0] < 8:
            prev = row[15]
            continue
        h = hashlib.sha256(encode(row, prev)).digest()
        db.execute("UPDATE activity SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row[0]))
        prev = h
    db.commit()
    db.close()
    r = verify(audited, ALTERED)
    # Records 7..11 are the unsigned stretch the rewrite hides in.
    assert r["result"] == "altered" and r["record_id"] == 7
    assert "rewritten" in r["detail"]


def export_lines(coffer, tmp_path, *args):
    out = tmp_path / "export.jsonl"
    coffer.run("audit", "export", "--out", out, *args)
    return out, [json.loads(l) for l in out.read_text().splitlines()]


def verify_file(coffer, path, code):
    key = coffer.json("audit", "pubkey")["public_key"]
    p = coffer.run("audit", "verify", "--file", path, "--pubkey", key, check=False, json_out=True)
    assert p.returncode == code, p.stdout.decode() + p.stderr.decode()
    return json.loads(p.stdout)


def test_export_verifies_on_its_own(audited, tmp_path):
    out, lines = export_lines(audited, tmp_path)
    records = [l for l in lines if l["type"] == "record"]
    assert [r["id"] for r in records] == list(range(1, RECORDS + 1))
    assert all(len(r["hash"]) == 64 and len(r["prev_hash"]) == 64 for r in records)
    r = verify_file(audited, out, 0)
    assert r["records"] == RECORDS and r["signed_id"] == 26


def test_export_of_a_time_range_runs_on_to_a_checkpoint(audited, tmp_path):
    _, lines = export_lines(audited, tmp_path)
    at = {l["id"]: l["at_us"] for l in lines if l["type"] == "record"}
    since = at[12] // 1_000_000  # whole seconds: the range holds record 12, maybe more
    out, part = export_lines(audited, tmp_path, "--since", since, "--until", since + 1)
    ids = [l["id"] for l in part if l["type"] == "record"]
    assert 12 in ids and ids == list(range(ids[0], ids[-1] + 1))
    assert all(at[i] >= since * 1_000_000 for i in ids)
    # It runs on to the next checkpoint, when the record has one yet.
    assert part[-1]["type"] == "checkpoint" or ids[-1] == RECORDS
    assert verify_file(audited, out, 0)["result"] == "ok"


def test_tampered_export_is_caught(audited, tmp_path):
    out, lines = export_lines(audited, tmp_path)
    edited = [dict(l, path="/innocent") if l.get("id") == 12 and l["type"] == "record" else l
              for l in lines]
    out.write_text("".join(json.dumps(l) + "\n" for l in edited))
    r = verify_file(audited, out, ALTERED)
    assert r["record_id"] == 12
    dropped = [l for l in lines if not (l["type"] == "record" and l["id"] == 12)]
    out.write_text("".join(json.dumps(l) + "\n" for l in dropped))
    assert verify_file(audited, out, REMOVED)["record_id"] == 12
