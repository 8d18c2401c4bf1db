"""The sign-in defender against a real password-guessing tool: hydra (Debian)
guesses alice's SFTP password from 127.0.0.1 with a word list that holds the
right password late. The account locks for that address and the address is
banned before the right password is tried; the right password then fails from
there, while 127.0.0.2 can still sign in."""
import json
import socket
import subprocess

import paramiko
import pytest

from conftest import PASSWORDS, Server


@pytest.fixture
def defended(tmp_path):
    s = Server(tmp_path).setup_users(defended=True).start()
    yield s
    s.stop()


def connect_from(server, source, user, password):
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(15)
    sock.connect(("127.0.0.1", server.port))
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=server.port, username=user, password=password, sock=sock,
                   timeout=15, allow_agent=False, look_for_keys=False, banner_timeout=15,
                   auth_timeout=15)
    return client


def activity(server):
    return json.loads(server.coffer("activity", "--limit", "1000", "--json").stdout)


def test_hydra_is_stopped_before_the_right_password(defended, tmp_path):
    words = [f"guess-number-{i:02d}" for i in range(40)] + [PASSWORDS["alice"]]
    wordlist = tmp_path / "words.txt"
    wordlist.write_text("\n".join(words) + "\n")
    p = subprocess.run(["hydra", "-l", "alice", "-P", str(wordlist), "-t", "4", "-s",
                        str(defended.port), "-I", "-f", "ssh://127.0.0.1"],
                       capture_output=True, timeout=300)
    out = p.stdout.decode(errors="replace")
    assert PASSWORDS["alice"] not in out, out
    records = activity(defended)
    actions = [r["action"] for r in records]
    assert "account.lock" in actions and "defender.ban" in actions
    checked = [r for r in records if r["action"] == "auth.password"
               and r["detail"].startswith("unauthenticated")]
    assert 1 <= len(checked) <= 10  # passwords really checked before the ban
    bans = defended.coffer("ban", "list").stdout.decode()
    assert "127.0.0.1" in bans
    with pytest.raises((paramiko.AuthenticationException, paramiko.SSHException, EOFError,
                        OSError)):
        connect_from(defended, "127.0.0.1", "alice", PASSWORDS["alice"])
    other = connect_from(defended, "127.0.0.2", "alice", PASSWORDS["alice"])
    assert "A" in other.open_sftp().listdir("/")
    other.close()


def test_lock_is_per_address_and_an_admin_can_lift_it(defended):
    for _ in range(5):
        with pytest.raises(paramiko.AuthenticationException):
            connect_from(defended, "127.0.0.3", "bob", "wrong password here")
    # Locked for 127.0.0.3 now: the right password is refused there ...
    with pytest.raises(paramiko.AuthenticationException):
        connect_from(defended, "127.0.0.3", "bob", PASSWORDS["bob"])
    # ... but not from elsewhere.
    connect_from(defended, "127.0.0.4", "bob", PASSWORDS["bob"]).close()
    defended.coffer("user", "unlock", "bob")
    connect_from(defended, "127.0.0.3", "bob", PASSWORDS["bob"]).close()


def test_unknown_users_are_probing_and_get_banned_sooner(defended):
    for i in range(6):  # 2 points each against a ban score of 10 (points fade slowly)
        with pytest.raises((paramiko.AuthenticationException, paramiko.SSHException, EOFError,
                            OSError)):
            connect_from(defended, "127.0.0.5", f"nobody{i}", "wrong password here")
    assert "127.0.0.5" in defended.coffer("ban", "list").stdout.decode()
    # Refused before key exchange now, even with right credentials.
    with pytest.raises((paramiko.SSHException, EOFError, OSError)):
        connect_from(defended, "127.0.0.5", "alice", PASSWORDS["alice"])
    defended.coffer("ban", "remove", "127.0.0.5")
    connect_from(defended, "127.0.0.5", "alice", PASSWORDS["alice"]).close()


def test_deny_and_allow_rules(defended):
    defended.coffer("iprule", "add", "deny", "127.0.0.6/32")
    with pytest.raises((paramiko.SSHException, EOFError, OSError)):
        connect_from(defended, "127.0.0.6", "alice", PASSWORDS["alice"])
    defended.coffer("iprule", "add", "allow", "127.0.0.7")
    for i in range(12):
        with pytest.raises(paramiko.AuthenticationException):
            connect_from(defended, "127.0.0.7", f"nobody{i}", "wrong password here")
    assert "127.0.0.7" not in defended.coffer("ban", "list").stdout.decode()
