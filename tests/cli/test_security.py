"""Invariants tried as an attacker would: stolen database, tampered content, forged rows."""
import hashlib
import os
import sqlite3
import subprocess

from conftest import coffer_bin

MARKER = b"COFFER-PLAINTEXT-MARKER-7f3a9c"


def data_files(root, skip_keys=True):
    for dirpath, _, files in os.walk(root):
        if skip_keys and os.path.basename(dirpath) == "keys":
            continue
        for f in files:
            yield os.path.join(dirpath, f)


def test_database_and_blobs_without_keys_hold_no_plaintext(shared, tmp_path):
    content = (MARKER + b"\n") * 5000 + MARKER
    src = tmp_path / "m"
    src.write_bytes(content)
    shared.run("files", "put", src, "/A/marker.txt")
    shared.run("files", "put", src, "/A/marker-copy.txt")
    shared.run("files", "cp", "/A/marker.txt", "/B/marker.txt")
    small = tmp_path / "small"
    small.write_bytes(MARKER)
    shared.run("files", "put", small, "/A/small.txt")
    searched = 0
    for path in data_files(shared.data):
        data = open(path, "rb").read()
        searched += len(data)
        assert MARKER not in data, path
        assert MARKER[::-1] not in data, path
    assert searched > len(content)
    # With the keys it all reads back.
    out = tmp_path / "o"
    shared.run("files", "get", "/B/marker.txt", out)
    assert out.read_bytes() == content


def blob_files(c):
    return sorted(p for p in (c.data / "blobs").rglob("*") if p.is_file())


def test_tampered_content_is_an_integrity_error_never_wrong_bytes(shared, tmp_path):
    content = os.urandom(300_000)
    src = tmp_path / "t"
    src.write_bytes(content)
    shared.run("files", "put", src, "/A/t.bin")
    (blob,) = blob_files(shared)
    original = blob.read_bytes()
    for offset in (len(original) // 2, len(original) - 1, 40):
        damaged = bytearray(original)
        damaged[offset] ^= 0x01
        blob.write_bytes(bytes(damaged))
        out = tmp_path / "out"
        err = shared.fails(7, "files", "get", "/A/t.bin", out)
        assert "integrity" in err.lower() or "authentic" in err.lower(), err
        assert not out.exists()
    blob.write_bytes(original[: len(original) - 1000])
    shared.fails(7, "files", "get", "/A/t.bin", tmp_path / "out")
    blob.write_bytes(original)
    out = tmp_path / "good"
    shared.run("files", "get", "/A/t.bin", out)
    assert out.read_bytes() == content


def test_two_swapped_blob_files_are_detected(shared, tmp_path):
    a, b = os.urandom(70_000), os.urandom(70_000)
    for name, data in (("a", a), ("b", b)):
        src = tmp_path / name
        src.write_bytes(data)
        shared.run("files", "put", src, f"/A/{name}")
    x, y = blob_files(shared)
    xa, ya = x.read_bytes(), y.read_bytes()
    x.write_bytes(ya)
    y.write_bytes(xa)
    shared.fails(7, "files", "get", "/A/a", tmp_path / "oa")
    shared.fails(7, "files", "get", "/A/b", tmp_path / "ob")


def test_key_rotation_rewraps_without_touching_content(shared, tmp_path):
    files = {}
    for i in range(12):
        data = os.urandom(10_000 + i)
        src = tmp_path / f"k{i}"
        src.write_bytes(data)
        shared.run("files", "put", src, f"/A/k{i}")
        files[f"/A/k{i}"] = data
    blobs_before = {p: p.read_bytes() for p in blob_files(shared)}
    keys_before = sorted(p.name for p in (shared.data / "keys").iterdir())
    report = shared.json("keys", "rotate")
    assert report["rewrapped"] == 12 and report["retired"] == [1]
    keys_after = sorted(p.name for p in (shared.data / "keys").iterdir())
    assert keys_after != keys_before and "kek-1.key" not in keys_after
    assert {p: p.read_bytes() for p in blob_files(shared)} == blobs_before
    for path, data in files.items():
        assert shared.run("files", "get", path, "-").stdout == data
    again = shared.json("keys", "rotate")
    assert again["rewrapped"] == 12


def test_key_rotation_refuses_while_the_server_runs(shared):
    conf = shared.data / "coffer.toml"
    conf.write_text(conf.read_text().replace("enabled = true", "enabled = false"))  # no SFTP port
    server = subprocess.Popen([coffer_bin(), "--data", str(shared.data), "serve"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            line = server.stdout.readline()
            if not line or "Stop with Ctrl-C" in line:
                break
        assert "stop the server" in shared.fails(8, "keys", "rotate")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_without_the_key_files_nothing_opens(shared, tmp_path):
    src = tmp_path / "s"
    src.write_bytes(b"x" * 1000)
    shared.run("files", "put", src, "/A/s")
    os.rename(shared.data / "keys", tmp_path / "stolen-without-keys")
    p = shared.run("files", "get", "/A/s", "-", check=False)
    assert p.returncode != 0 and p.stdout == b""


def columns(db, table):
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def forge_rows(data):
    """What an attacker with SQL (and no key files) can do to the database."""
    db = sqlite3.connect(data / "coffer.db")
    users = columns(db, "users")
    admin = dict(zip(users, db.execute("SELECT * FROM users WHERE name = 'admin'").fetchone()))
    bob = dict(zip(users, db.execute("SELECT * FROM users WHERE name = 'bob'").fetchone()))
    # 1. A new administrator, copied from the real one (its MAC included), with a
    #    password hash the attacker knows (bob's).
    forged = dict(admin)
    forged["id"] = 1000
    forged["name"] = forged["name_key"] = "mallory"
    forged["password_hash"] = bob["password_hash"]
    db.execute(f"INSERT INTO users ({','.join(forged)}) VALUES ({','.join('?' * len(forged))})",
               list(forged.values()))
    # 2. bob promoted to administrator in place.
    db.execute("UPDATE users SET role = ? WHERE name = 'bob'", (admin["role"],))
    # 3. alice given every permission on /B by a new ACL row, MAC copied from a real one.
    acl = columns(db, "acl")
    real = dict(zip(acl, db.execute("SELECT * FROM acl LIMIT 1").fetchone()))
    b_id = db.execute("SELECT id FROM entries WHERE name = 'B'").fetchone()[0]
    alice_id = db.execute("SELECT id FROM users WHERE name = 'alice'").fetchone()[0]
    row = dict(real)
    row.update(id=5000, folder_id=b_id, subject_id=alice_id, perms=63)
    db.execute(f"INSERT INTO acl ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
               list(row.values()))
    db.commit()
    db.close()


def test_rows_forged_with_sql_grant_nothing_and_raise_alerts(shared, tmp_path):
    src = tmp_path / "s"
    src.write_bytes(b"payroll")
    shared.run("files", "put", src, "/B/payroll.csv")
    shared.run("grant", "/A", "bob", "list")
    forge_rows(shared.data)
    names = [u["name"] for u in shared.json("user", "list")]
    assert "mallory" not in names and "bob" not in names
    shared.fails(3, "files", "ls", "/", as_user="mallory")
    shared.fails(3, "user", "list", as_user="bob")
    shared.fails(3, "files", "get", "/B/payroll.csv", "-", as_user="alice")
    assert [e["name"] for e in shared.json("files", "ls", "/", as_user="alice")["entries"]] == []
    alerts = [r for r in shared.json("activity", "--limit", "200")
              if r["action"] == "integrity.alert"]
    tables = {r["path"] for r in alerts}
    assert {"users", "acl"} <= tables, alerts
