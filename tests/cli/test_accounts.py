"""Users, groups and their errors through the CLI."""


def test_user_lifecycle(coffer, tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("a-long-enough-password\n")
    created = coffer.json("user", "add", "carol", "--display-name", "Carol C", "--quota", "10MiB",
                          "--password-file", pw)
    assert created["name"] == "carol" and created["quota_bytes"] == 10 * 1024 * 1024
    assert "password" not in created
    names = [u["name"] for u in coffer.json("user", "list")]
    assert names == ["admin", "carol"]
    coffer.run("user", "disable", "carol")
    assert coffer.json("user", "show", "carol")["disabled"] is True
    coffer.fails(4, "files", "ls", "/", as_user="carol")
    coffer.run("user", "enable", "carol")
    reset = coffer.json("user", "passwd", "carol")
    assert len(reset["password"]) == 20 and reset["must_change_password"] is True
    coffer.run("user", "quota", "carol", "0")
    assert coffer.json("user", "show", "carol")["quota_bytes"] == 0
    coffer.run("user", "delete", "carol")
    coffer.fails(3, "user", "show", "carol")


def test_generated_user_password_is_shown_once(coffer):
    created = coffer.json("user", "add", "dave")
    assert len(created["password"]) == 20
    assert coffer.json("user", "show", "dave")["must_change_password"] is True


def test_bad_user_input_is_refused_clearly(coffer, tmp_path):
    short = tmp_path / "short"
    short.write_text("short\n")
    assert "at least 12" in coffer.fails(2, "user", "add", "erin", "--password-file", short)
    named = tmp_path / "named"
    named.write_text("xx-frank-is-my-password\n")
    assert "user name" in coffer.fails(2, "user", "add", "frank", "--password-file", named)
    coffer.fails(2, "user", "add", "../etc")
    coffer.fails(2, "user", "add", "bad name")
    coffer.fails(2, "user", "add", "")
    coffer.fails(2, "user", "add", "x" * 65)
    coffer.fails(2, "user", "add", "gina", "--quota", "lots")
    coffer.run("user", "add", "gina")
    coffer.fails(5, "user", "add", "GINA")  # names are unique regardless of case
    coffer.fails(3, "user", "show", "nobody")
    coffer.fails(3, "user", "disable", "nobody")
    coffer.fails(3, "user", "passwd", "nobody")
    # Nothing half-made by the failures.
    assert [u["name"] for u in coffer.json("user", "list")] == ["admin", "gina"]


def test_only_admins_manage_accounts(shared):
    shared.fails(4, "user", "list", as_user="alice")
    shared.fails(4, "user", "add", "mallory", as_user="alice")
    shared.fails(4, "group", "add", "cabal", as_user="alice")
    shared.fails(4, "group", "member", "add", "staff", "bob", as_user="alice")


def test_groups_and_members(shared):
    groups = shared.json("group", "list")
    assert groups == [{"id": groups[0]["id"], "name": "staff", "members": ["alice"]}]
    shared.run("group", "member", "add", "staff", "bob")
    assert sorted(shared.json("group", "list")[0]["members"]) == ["alice", "bob"]
    assert shared.json("user", "show", "bob")["groups"] == ["staff"]
    shared.fails(5, "group", "member", "add", "staff", "bob")
    shared.run("group", "member", "remove", "staff", "bob")
    shared.fails(3, "group", "member", "remove", "staff", "bob")
    shared.fails(3, "group", "member", "add", "nogroup", "bob")
    shared.fails(3, "group", "member", "add", "staff", "nobody")
    shared.fails(5, "group", "add", "Staff")
    shared.run("group", "delete", "staff")
    shared.fails(3, "group", "delete", "staff")
    assert shared.json("user", "show", "alice")["groups"] == []


def test_every_admin_action_is_recorded(shared):
    actions = [r["action"] for r in shared.json("activity", "--limit", "100")]
    for a in ("user.create", "group.create", "group.member.add", "folder.create"):
        assert a in actions, a
    denied = shared.fails(4, "user", "list", as_user="bob")
    assert denied
    latest = shared.json("activity", "--limit", "5")
    assert any(r["action"] == "user.list" and r["result"] == "denied" and r["actor"] == "bob"
               for r in latest)
    # A user sees only their own activity.
    mine = shared.json("activity", "--limit", "100", as_user="bob")
    assert mine and all(r["actor"] == "bob" for r in mine)
    shared.fails(4, "activity", "--user", "alice", as_user="bob")
