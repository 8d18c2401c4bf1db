"""Limits at the edge, against a server with tight settings: login grace time,
idle time-out, connections per address and sessions per user; a stalled client
does not hold up the others."""
import json
import socket
import time

import paramiko
import pytest

from conftest import Server

SETTINGS = """login_grace_seconds = 2
idle_timeout_seconds = 5
max_sessions_per_address = 6
max_sessions_per_user = 3
max_auth_attempts = 2"""


@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("tight"), SETTINGS).setup_users().start()
    yield s
    s.stop()


def closed_within(sock, seconds):
    sock.settimeout(seconds)
    start = time.time()
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        return None
    except OSError:
        pass
    return time.time() - start


def test_silent_client_is_dropped_after_login_grace(tight):
    sock = socket.create_connection(("127.0.0.1", tight.port), timeout=5)
    took = closed_within(sock, 30)
    assert took is not None and took < 20  # 2 s grace; generous for sanitizer builds
    sock.close()


def test_idle_session_is_closed(tight):
    client = tight.paramiko("alice")
    sftp = client.open_sftp()
    sftp.listdir("/")
    time.sleep(8)
    with pytest.raises((OSError, EOFError, paramiko.SSHException)):
        sftp.listdir("/")
    client.close()


def test_sessions_per_user_and_per_address(tight):
    time.sleep(3)  # earlier tests' connections are gone
    clients = [tight.paramiko("alice") for _ in range(3)]
    with pytest.raises((paramiko.AuthenticationException, paramiko.SSHException)):
        tight.paramiko("alice")
    time.sleep(3)  # the refused connection ends at the login grace time
    bob = [tight.paramiko("bob", password="a long secret for B-22") for _ in range(3)]
    # six connections open from 127.0.0.1: the seventh is refused before key exchange
    with pytest.raises((paramiko.SSHException, EOFError, OSError)):
        tight.paramiko("bob", password="a long secret for B-22")
    for c in clients + bob:
        c.close()
    time.sleep(2)
    tight.paramiko("alice").close()  # released again


def test_attempt_limit_from_settings(tight):
    time.sleep(4)  # earlier tests' connections are gone
    sock = socket.create_connection(("127.0.0.1", tight.port), timeout=15)
    t = paramiko.Transport(sock)
    t.start_client(timeout=15)
    failures = 0
    with pytest.raises((paramiko.SSHException, EOFError, OSError)):
        for _ in range(10):
            try:
                t.auth_password("alice", "not the password")
            except paramiko.AuthenticationException:
                failures += 1
    t.close()
    # Two attempts reached the service; later ones were refused unasked and the
    # connection was closed.
    assert failures <= 3
    time.sleep(1)
    records = json.loads(tight.coffer("activity", "--limit", "50", "--json").stdout)
    asked = [r for r in records if r["action"] == "auth.password" and r["actor"] == "alice"
             and r["result"] == "denied"]
    assert len(asked) == 2


def test_rsa_host_key_when_enabled(tmp_path):
    import subprocess
    s = Server(tmp_path, "rsa_host_key = true").setup_users().start()
    try:
        assert (s.data / "ssh" / "ssh_host_rsa_key").stat().st_mode & 0o077 == 0
        for alg in ("rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"):
            out = s.sftp("alice", "ls /\n", extra=["-o", f"HostKeyAlgorithms={alg}"]).stdout
            assert b"A" in out
        p = s.sftp("alice", "ls /\n", check=False, extra=["-o", "HostKeyAlgorithms=ssh-rsa"])
        assert p.returncode != 0  # SHA-1 host signatures are never offered
    finally:
        s.stop()
