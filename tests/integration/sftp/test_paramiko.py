"""python3-paramiko against coffer: passwords, random-access and pipelined writes,
large folders, concurrent sessions, and hostile clients."""
import hashlib
import json
import os
import random
import socket
import struct
import threading

import paramiko
import pytest

from conftest import PASSWORDS


@pytest.fixture
def alice(server):
    client = server.paramiko("alice")
    yield client.open_sftp()
    client.close()


def test_password_sign_in_and_wrong_password(server):
    client = server.paramiko("bob", password=PASSWORDS["bob"])
    assert "B" in client.open_sftp().listdir("/")
    client.close()
    for user, pw in (("bob", "wrong password here"), ("nobody", "wrong password here")):
        with pytest.raises(paramiko.AuthenticationException):
            server.paramiko(user, password=pw)


def test_out_of_order_pipelined_writes(alice):
    chunk = 64 * 1024
    data = os.urandom(chunk * 40)
    order = list(range(40))
    random.Random(7).shuffle(order)
    with alice.open("/A/shuffled.bin", "wb") as f:
        f.set_pipelined(True)
        for i in order:
            f.seek(i * chunk)
            f.write(data[i * chunk:(i + 1) * chunk])
    with alice.open("/A/shuffled.bin", "rb") as f:
        assert f.read() == data


def test_random_access_write_with_gap_reads_zeros(alice):
    with alice.open("/A/gap.bin", "wb") as f:
        f.seek(1000)
        f.write(b"tail")
        f.seek(0)
        f.write(b"head")
    with alice.open("/A/gap.bin", "rb") as f:
        assert f.read() == b"head" + b"\0" * 996 + b"tail"


def test_rewriting_stored_data_fails_cleanly(alice):
    f = alice.open("/A/rewrite.bin", "wb")
    f.write(os.urandom(12 * 1024 * 1024))
    f.flush()
    f.seek(0)
    with pytest.raises(IOError):
        f.write(b"x" * 10)
        f.flush()
    f.close()


def test_append_mode_and_existing_content(alice):
    with alice.open("/A/log.txt", "wb") as f:
        f.write(b"one\n")
    with alice.open("/A/log.txt", "ab") as f:
        f.write(b"two\n")
    with alice.open("/A/log.txt", "rb") as f:
        assert f.read() == b"one\ntwo\n"


def test_read_write_open_is_refused_with_a_clear_status(alice):
    with alice.open("/A/rw.txt", "wb") as f:
        f.write(b"1")
    with pytest.raises(IOError, match="not supported"):
        alice.open("/A/rw.txt", "r+b")


def test_exclusive_create(alice):
    with alice.open("/A/excl.txt", "wx") as f:
        f.write(b"1")
    with pytest.raises(IOError):
        alice.open("/A/excl.txt", "wx")


def test_large_folder_is_listed_completely(server, alice):
    alice.mkdir("/A/many")
    for i in range(1200):
        with alice.open(f"/A/many/f{i:05d}", "wb"):
            pass
    names = alice.listdir("/A/many")
    assert len(names) == 1200 and len(set(names)) == 1200


def test_concurrent_sessions(server):
    errors = []

    def worker(n):
        try:
            client = server.paramiko("alice")
            sftp = client.open_sftp()
            data = os.urandom(1024 * 1024 + n)
            with sftp.open(f"/A/conc{n}.bin", "wb") as f:
                f.write(data)
            with sftp.open(f"/A/conc{n}.bin", "rb") as f:
                assert f.read() == data
            client.close()
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors


def test_handle_from_another_session_is_refused(server, alice):
    with alice.open("/A/h.txt", "wb") as f:
        f.write(b"private")
    f = alice.open("/A/h.txt", "rb")
    other = server.paramiko("alice").open_sftp()
    with pytest.raises(IOError):
        other._request(paramiko.sftp.CMD_READ, f.handle, 0, 100)
    f.close()


def test_path_traversal_never_escapes(server, alice):
    server.coffer("files", "put", __file__, "/B/secret.txt")
    for path in ("/A/../B", "/../B", "A/../../B", "/A/./../B/secret.txt", "/A/%2e%2e/B",
                 "/A/..\\B", "/A/\0/B", "//B", "/A/../B/secret.txt"):
        with pytest.raises(IOError):
            alice.listdir(path)
        with pytest.raises(IOError):
            alice.open(path, "rb").read()
        with pytest.raises(IOError):
            alice.open(path + "x", "wb").close()
    assert server.coffer("files", "ls", "/B").stdout.count(b"\n") == 1


def raw_sftp(server):
    """A raw SFTP channel after INIT/VERSION, for sending hand-made packets."""
    client = server.paramiko("alice")
    chan = client.get_transport().open_session()
    chan.invoke_subsystem("sftp")
    chan.sendall(struct.pack(">IBI", 5, 1, 3))
    (length,) = struct.unpack(">I", recv_exact(chan, 4))
    recv_exact(chan, length)
    return client, chan


def recv_exact(chan, n):
    out = b""
    while len(out) < n:
        part = chan.recv(n - len(out))
        if not part:
            raise EOFError
        out += part
    return out


def reply(chan):
    (length,) = struct.unpack(">I", recv_exact(chan, 4))
    return recv_exact(chan, length)


def test_unknown_and_malformed_requests_get_status_replies(server):
    client, chan = raw_sftp(server)
    chan.sendall(struct.pack(">IBI", 5, 99, 7))  # unknown type
    r = reply(chan)
    assert r[0] == 101 and struct.unpack(">II", r[1:9]) == (7, 8)  # OP_UNSUPPORTED
    chan.sendall(struct.pack(">IBIH", 7, 17, 8, 1))  # STAT with a truncated string
    r = reply(chan)
    assert r[0] == 101 and struct.unpack(">II", r[1:9]) == (8, 5)  # BAD_MESSAGE
    chan.sendall(struct.pack(">IBII", 9, 17, 9, 0xFFFFFFF0))  # string longer than the packet
    r = reply(chan)
    assert r[0] == 101 and struct.unpack(">II", r[1:9]) == (9, 5)
    client.close()


def test_oversized_packet_ends_only_that_session(server, alice):
    client, chan = raw_sftp(server)
    chan.sendall(struct.pack(">IBI", 64 * 1024 * 1024, 6, 1) + b"x" * 1000)
    with pytest.raises((EOFError, socket.timeout, OSError)):
        chan.settimeout(10)
        reply(chan)
    client.close()
    assert "A" in alice.listdir("/")  # other sessions unaffected


def test_too_many_open_handles(server):
    client = server.paramiko("alice")
    sftp = client.open_sftp()
    with sftp.open("/A/h.txt", "wb") as f:
        f.write(b"x")
    handles = [sftp.open("/A/h.txt", "rb") for _ in range(64)]
    with pytest.raises(IOError):
        sftp.open("/A/h.txt", "rb")
    for h in handles:
        h.close()
    client.close()


def password_attempts(server, user):
    """Password sign-ins the service was asked for (checked or refused unchecked)."""
    records = json.loads(server.coffer("activity", "--limit", "1000", "--json").stdout)
    return sum(1 for r in records if r["action"] == "auth.password" and r["actor"] == user
               and r["result"] == "denied")


def test_authentication_attempts_are_limited_per_connection(server):
    before = password_attempts(server, "alice")
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    t = paramiko.Transport(sock)
    t.start_client(timeout=15)
    with pytest.raises((paramiko.SSHException, EOFError, OSError)):
        for _ in range(20):
            try:
                t.auth_password("alice", "not the password")
            except paramiko.AuthenticationException:
                pass
    t.close()
    # Six attempts reached the service (max_auth_attempts); then the connection closed.
    assert password_attempts(server, "alice") - before == 6
    server.coffer("user", "unlock", "alice")


def test_exec_is_refused(server):
    client = server.paramiko("alice")
    with pytest.raises(paramiko.SSHException):
        client.exec_command("cat /etc/passwd", timeout=10)
    client.close()


def test_second_session_channel_is_refused_and_the_first_keeps_working(server):
    # Regression: libssh kept a pointer to callbacks that had gone out of scope,
    # so a second channel request (rclone opens one to try exec) jumped to garbage.
    client = server.paramiko("alice")
    transport = client.get_transport()
    first = paramiko.SFTPClient.from_transport(transport)
    for _ in range(3):
        with pytest.raises(paramiko.ChannelException):
            transport.open_session(timeout=10)
    assert "A" in first.listdir("/")
    client.close()


def test_interrupted_upload_leaves_nothing(server):
    client = server.paramiko("alice")
    sftp = client.open_sftp()
    f = sftp.open("/A/interrupted.bin", "wb")
    f.write(os.urandom(3 * 1024 * 1024))
    f.flush()
    client.get_transport().sock.close()  # the connection drops mid-upload
    client.close()
    other = server.paramiko("alice")
    with pytest.raises(IOError):
        other.open_sftp().stat("/A/interrupted.bin")
    other.close()


def test_quota_refusal_says_quota(server, tmp_path):
    server.coffer("user", "add", "dora", "--password-file", "-", input=b"a long secret for D-4\n")
    server.coffer("folder", "add", "/D")
    server.coffer("grant", "/D", "dora", "list,read,write,delete")
    server.coffer("user", "quota", "dora", "1MiB")
    client = server.paramiko("dora", password="a long secret for D-4")
    sftp = client.open_sftp()
    with pytest.raises(IOError, match="(?i)quota"):
        with sftp.open("/D/big.bin", "wb") as f:
            for _ in range(4):
                f.write(os.urandom(512 * 1024))
    with pytest.raises(IOError):
        sftp.stat("/D/big.bin")
    client.close()


@pytest.mark.parametrize("keytype,bits", [("ecdsa", "256"), ("ecdsa", "521"), ("rsa", "3072")])
def test_ecdsa_and_rsa_keys_sign_in(server, tmp_path, keytype, bits):
    import subprocess
    key = tmp_path / f"k_{keytype}{bits}"
    subprocess.run(["ssh-keygen", "-q", "-t", keytype, "-b", bits, "-N", "", "-f", str(key)],
                   check=True, timeout=60)
    server.coffer("user", "key", "add", "bob", str(key) + ".pub")
    out = server.sftp("bob", "ls /\n", key=key).stdout
    assert b"B" in out
    listed = server.coffer("user", "key", "list", "bob").stdout.decode()
    assert keytype.upper()[:3] in listed.upper() and "never" not in listed.split("\n")[-1]


def test_rsa_key_with_sha1_signature_is_refused(server, tmp_path):
    import subprocess
    key = tmp_path / "k_rsa_sha1"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-f", str(key)],
                   check=True, timeout=60)
    server.coffer("user", "key", "add", "bob", str(key) + ".pub")
    p = server.sftp("bob", "ls /\n", key=key, check=False,
                    extra=["-o", "PubkeyAcceptedAlgorithms=ssh-rsa"])
    assert p.returncode != 0


def test_one_time_password_must_be_replaced_before_sftp_sign_in(server):
    out = server.coffer("user", "add", "erin").stdout.decode()
    one_time = out.split("One-time password: ")[1].split()[0]
    with pytest.raises(paramiko.AuthenticationException):
        server.paramiko("erin", password=one_time)
    server.coffer("user", "passwd", "erin", "--password-file", "-", "--no-force-change",
                  input=b"a long secret for E-5\n")
    server.paramiko("erin", password="a long secret for E-5").close()
