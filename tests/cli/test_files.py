"""Files through the CLI: the same door and the same rules as remote access."""
import hashlib
import os

import pytest


def put(c, tmp_path, remote, data, **kw):
    src = tmp_path / ("src-" + hashlib.sha1(remote.encode()).hexdigest())
    src.write_bytes(data)
    return c.run("files", "put", src, remote, **kw)


def get(c, tmp_path, remote, *extra, **kw):
    dst = tmp_path / "out"
    if dst.exists():
        dst.unlink()
    c.run("files", "get", remote, dst, *extra, **kw)
    return dst.read_bytes()


def test_round_trip_with_digest_and_ranges(shared, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "x"
    src.write_bytes(data)
    info = shared.json("files", "put", src, "/A/report.bin")
    assert info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["size"] == len(data)
    assert get(shared, tmp_path, "/A/report.bin") == data
    assert get(shared, tmp_path, "/A/report.bin", "--offset", "65530", "--length", "20") == \
        data[65530:65550]
    assert get(shared, tmp_path, "/A/report.bin", "--offset", str(len(data) - 5)) == data[-5:]
    stat = shared.json("files", "stat", "/A/report.bin")
    assert stat["type"] == "file" and stat["sha256"] == info["sha256"]


def test_expected_digest_is_enforced(shared, tmp_path):
    data = b"payroll 2026-11\n"
    good = hashlib.sha256(data).hexdigest()
    src = tmp_path / "p"
    src.write_bytes(data)
    shared.run("files", "put", src, "/A/ok.txt", "--sha256", good)
    err = shared.fails(2, "files", "put", src, "/A/bad.txt", "--sha256", "0" * 64)
    assert "SHA-256" in err
    shared.fails(3, "files", "stat", "/A/bad.txt")


def test_empty_file_and_stdin(shared, tmp_path):
    put(shared, tmp_path, "/A/empty", b"")
    assert get(shared, tmp_path, "/A/empty") == b""
    shared.run("files", "put", "-", "/A/piped", input=b"from stdin")
    assert shared.run("files", "get", "/A/piped", "-").stdout == b"from stdin"


def test_overwrite_keeps_versions_and_no_overwrite_refuses(shared, tmp_path):
    put(shared, tmp_path, "/A/v.txt", b"one")
    put(shared, tmp_path, "/A/v.txt", b"two")
    assert get(shared, tmp_path, "/A/v.txt") == b"two"
    src = tmp_path / "three"
    src.write_bytes(b"three")
    shared.fails(5, "files", "put", src, "/A/v.txt", "--no-overwrite")
    assert get(shared, tmp_path, "/A/v.txt") == b"two"


def test_listing_pages_with_a_cursor(shared, tmp_path):
    for i in range(5):
        put(shared, tmp_path, f"/A/f{i}", b"x")
    shared.run("files", "mkdir", "/A/sub")
    seen = []
    cursor = ""
    for _ in range(10):
        args = ["files", "ls", "/A", "--limit", "2"] + (["--cursor", cursor] if cursor else [])
        page = shared.json(*args)
        seen += [e["name"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["sub", "f0", "f1", "f2", "f3", "f4"]  # folders first, then by name
    shared.fails(2, "files", "ls", "/A", "--cursor", "garbage")


def test_hostile_names_are_refused(shared, tmp_path):
    src = tmp_path / "h"
    src.write_bytes(b"x")
    for bad in ["/A/..", "/A/../B/x", "/A/./x", "/A/a\\b", "/A/x\x01y", "/A/trailing.",
                "/A/trailing ", "/A/" + "n" * 256, "/A/evil\u202etxt.exe"]:
        p = shared.run("files", "put", src, bad, check=False)
        assert p.returncode in (2, 6), (bad, p.returncode, p.stderr)
    assert [e["name"] for e in shared.json("files", "ls", "/A")["entries"]] == []


def test_case_collision_policy(shared, tmp_path):
    put(shared, tmp_path, "/A/Report.PDF", b"first")
    # Same name in another case is the same file: it becomes a new version.
    put(shared, tmp_path, "/A/report.pdf", b"second")
    names = [e["name"] for e in shared.json("files", "ls", "/A")["entries"]]
    assert names == ["Report.PDF"]
    assert get(shared, tmp_path, "/A/REPORT.pdf") == b"second"
    shared.run("files", "mkdir", "/A/Docs")
    shared.fails(5, "files", "mkdir", "/A/docs")


def test_unicode_names_are_normalised_to_nfc(shared, tmp_path):
    put(shared, tmp_path, "/A/cafe\u0301.txt", b"nfd")
    names = [e["name"] for e in shared.json("files", "ls", "/A")["entries"]]
    assert names == ["caf\u00e9.txt"]
    assert get(shared, tmp_path, "/A/caf\u00e9.txt") == b"nfd"


def test_move_copy_delete_restore(shared, tmp_path):
    put(shared, tmp_path, "/A/a.txt", b"alpha")
    shared.run("files", "mkdir", "/A/sub")
    shared.run("files", "mv", "/A/a.txt", "/A/sub/b.txt")
    shared.fails(3, "files", "stat", "/A/a.txt")
    shared.run("files", "cp", "/A/sub/b.txt", "/B/c.txt")
    shared.run("files", "cp", "/A/sub", "/B/subcopy")
    assert get(shared, tmp_path, "/B/subcopy/b.txt") == b"alpha"
    shared.fails(5, "files", "mv", "/B/c.txt", "/B/subcopy/b.txt")
    shared.fails(2, "files", "mv", "/A/sub", "/A/sub/inner")
    removed = shared.json("files", "rm", "/A/sub")
    shared.fails(3, "files", "stat", "/A/sub/b.txt")
    trash = shared.json("files", "trash", "/A")
    assert [t["name"] for t in trash] == ["sub"]
    shared.run("files", "restore", removed["id"])
    assert get(shared, tmp_path, "/A/sub/b.txt") == b"alpha"
    assert shared.json("files", "trash", "/A") == []


def test_restore_refuses_when_the_name_is_taken(shared, tmp_path):
    put(shared, tmp_path, "/A/x", b"old")
    gone = shared.json("files", "rm", "/A/x")
    put(shared, tmp_path, "/A/x", b"new")
    shared.fails(5, "files", "restore", gone["id"])


def test_purge_keeps_recent_deletions(shared, tmp_path):
    put(shared, tmp_path, "/A/keep", b"x")
    shared.run("files", "rm", "/A/keep")
    assert shared.json("files", "purge")["purged"] == 0
    assert len(shared.json("files", "trash", "/A")) == 1


def test_root_holds_folders_only_and_only_admins_change_it(shared, tmp_path):
    src = tmp_path / "r"
    src.write_bytes(b"x")
    shared.fails(2, "files", "put", src, "/rootfile")
    shared.run("grant", "/A", "alice", "all")
    shared.fails(4, "files", "mkdir", "/Mine", as_user="alice")
    shared.fails(4, "files", "rm", "/A", as_user="alice")
    shared.fails(4, "files", "mv", "/A", "/Z", as_user="alice")
