"""The same rules for every caller: what a user is granted is all they see."""
import os


def put_as(c, tmp_path, remote, data, user=None, check=True):
    src = tmp_path / "src"
    src.write_bytes(data)
    return c.run("files", "put", src, remote, as_user=user, check=check)


def root_names(c, user):
    return [e["name"] for e in c.json("files", "ls", "/", as_user=user)["entries"]]


def test_a_user_sees_only_granted_folders_not_even_other_names(shared, tmp_path):
    put_as(shared, tmp_path, "/B/secret.txt", b"s3cret")
    shared.run("grant", "/A", "alice", "list,read")
    assert root_names(shared, "alice") == ["A"]
    assert root_names(shared, "bob") == []
    # Guessing a path of a folder not granted gives the same answer as a path that does not exist.
    hidden = shared.fails(3, "files", "stat", "/B", as_user="alice")
    absent = shared.fails(3, "files", "stat", "/Nope", as_user="alice")
    assert hidden == absent
    assert shared.fails(3, "files", "ls", "/B", as_user="alice") == \
        shared.fails(3, "files", "ls", "/Nope", as_user="alice")
    assert shared.fails(3, "files", "get", "/B/secret.txt", tmp_path / "o", as_user="alice") == \
        shared.fails(3, "files", "get", "/B/nothing.txt", tmp_path / "o", as_user="alice")
    assert not (tmp_path / "o").exists()
    # The denial is recorded truthfully.
    records = shared.json("activity", "--user", "alice", "--limit", "20")
    assert any(r["result"] == "denied" and r["path"] == "/B" for r in records)


def test_read_only_grant_refuses_changes(shared, tmp_path):
    put_as(shared, tmp_path, "/A/doc.txt", b"v1")
    shared.run("grant", "/A", "alice", "list,read")
    assert shared.run("files", "get", "/A/doc.txt", "-", as_user="alice").stdout == b"v1"
    assert "write" in put_as(shared, tmp_path, "/A/new.txt", b"x", user="alice",
                             check=False).stderr.decode()
    shared.fails(4, "files", "rm", "/A/doc.txt", as_user="alice")
    shared.fails(4, "files", "mkdir", "/A/sub", as_user="alice")
    shared.fails(4, "files", "mv", "/A/doc.txt", "/A/doc2.txt", as_user="alice")


def test_group_grants_are_inherited_and_a_user_entry_overrides(shared, tmp_path):
    shared.run("folder", "add", "/A/Inbox/Deep")
    shared.run("grant", "/A", "@staff", "list,read,write")
    put_as(shared, tmp_path, "/A/Inbox/Deep/x.txt", b"hello", user="alice")
    shared.run("grant", "/A/Inbox", "alice", "none")
    shared.fails(3, "files", "ls", "/A/Inbox", as_user="alice")
    shared.fails(3, "files", "get", "/A/Inbox/Deep/x.txt", "-", as_user="alice")
    names = [e["name"] for e in shared.json("files", "ls", "/A", as_user="alice")["entries"]]
    assert names == []
    shared.run("revoke", "/A/Inbox", "alice")
    assert shared.run("files", "get", "/A/Inbox/Deep/x.txt", "-", as_user="alice").stdout == b"hello"


def test_a_deep_grant_makes_only_the_way_to_it_visible(shared, tmp_path):
    shared.run("folder", "add", "/B/Partners/Acme")
    shared.run("folder", "add", "/B/Partners/Globex")
    put_as(shared, tmp_path, "/B/top-secret.txt", b"x")
    shared.run("grant", "/B/Partners/Acme", "bob", "list,read,write")
    assert root_names(shared, "bob") == ["B"]
    assert [e["name"] for e in shared.json("files", "ls", "/B", as_user="bob")["entries"]] == \
        ["Partners"]
    assert [e["name"] for e in shared.json("files", "ls", "/B/Partners",
                                           as_user="bob")["entries"]] == ["Acme"]
    shared.fails(3, "files", "stat", "/B/top-secret.txt", as_user="bob")
    shared.fails(3, "files", "ls", "/B/Partners/Globex", as_user="bob")
    put_as(shared, tmp_path, "/B/Partners/Acme/invoice.pdf", b"pdf", user="bob")


def test_grant_errors_are_clear(shared):
    assert "frobnicate" in shared.fails(2, "grant", "/A", "alice", "read,frobnicate")
    shared.fails(3, "grant", "/A", "nobody", "read")
    shared.fails(3, "grant", "/A", "@nogroup", "read")
    shared.fails(3, "grant", "/Nope", "alice", "read")
    shared.fails(3, "revoke", "/A", "alice")
    shared.run("grant", "/A", "alice", "manage,list")
    # A folder manager may grant, but not hand out manage.
    shared.run("grant", "/A", "bob", "read,list", as_user="alice")
    shared.fails(4, "grant", "/A", "bob", "manage", as_user="alice")


def test_user_quota_is_exact_and_leaves_nothing_behind(shared, tmp_path):
    shared.run("grant", "/A", "alice", "list,read,write,delete")
    shared.run("user", "quota", "alice", "100KiB")
    put_as(shared, tmp_path, "/A/fits", os.urandom(100 * 1024), user="alice")
    p = put_as(shared, tmp_path, "/A/over", b"x", user="alice", check=False)
    assert p.returncode == 6 and b"quota" in p.stderr
    shared.fails(3, "files", "stat", "/A/over")
    assert shared.json("user", "show", "alice")["used_bytes"] == 100 * 1024
    blobs = [p for p in (shared.data / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 1


def test_folder_quota_counts_the_whole_subtree(shared, tmp_path):
    shared.run("folder", "quota", "/B", "64KiB")
    shared.run("files", "mkdir", "/B/sub")
    put_as(shared, tmp_path, "/B/sub/a", os.urandom(60 * 1024))
    shared.fails(6, "files", "put", tmp_path / "src", "/B/b")
    src = tmp_path / "small"
    src.write_bytes(os.urandom(4 * 1024))
    shared.run("files", "put", src, "/B/b")
    shared.fails(6, "files", "cp", "/B/b", "/B/c")
    # Deleted files still count until purged: the recycle bin holds the bytes.
    shared.run("files", "rm", "/B/b")
    shared.fails(6, "files", "put", src, "/B/again")
    folders = {f["path"]: f for f in shared.json("folder", "list")}
    assert folders["/B"]["used_bytes"] == 64 * 1024 and folders["/B"]["quota_bytes"] == 64 * 1024
