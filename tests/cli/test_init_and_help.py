"""`coffer init`, `coffer serve` and help, tried as a new administrator would."""
import os
import signal
import stat
import subprocess
import time

from conftest import ADMIN_PASSWORD, coffer_bin


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_init_creates_a_private_data_directory(tmp_path):
    data = tmp_path / "d"
    p = subprocess.run([coffer_bin(), "init", "--data", str(data)], capture_output=True, text=True,
                       check=True)
    assert "One-time password:" in p.stdout
    assert mode(data) == 0o700
    assert mode(data / "coffer.toml") == 0o600
    assert (data / "coffer.db").is_file()
    for key in (data / "keys").iterdir():
        assert mode(key) == 0o600, key
    assert mode(data / "keys") == 0o700
    assert (data / "tls/cert.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert mode(data / "tls/key.pem") == 0o600
    assert (data / "ssh/ssh_host_ed25519_key").read_text().startswith(
        "-----BEGIN OPENSSH PRIVATE KEY-----")
    assert mode(data / "ssh/ssh_host_ed25519_key") == 0o600
    assert (data / "ssh/ssh_host_ed25519_key.pub").read_text().startswith("ssh-ed25519 ")
    # No staging directory is left beside it.
    assert sorted(x.name for x in tmp_path.iterdir()) == ["d"]


def test_generated_admin_password_is_printed_once_and_must_be_changed(tmp_path):
    data = tmp_path / "d"
    p = subprocess.run([coffer_bin(), "--json", "init", "--data", str(data)], capture_output=True,
                       text=True, check=True)
    import json
    doc = json.loads(p.stdout)
    assert len(doc["password"]) == 20
    show = subprocess.run([coffer_bin(), "--data", str(data), "--json", "user", "show", "admin"],
                          capture_output=True, text=True, check=True)
    user = json.loads(show.stdout)
    assert user["admin"] is True and user["must_change_password"] is True
    # The password appears nowhere in the data directory.
    for root, _, files in os.walk(data):
        for f in files:
            assert doc["password"].encode() not in open(os.path.join(root, f), "rb").read()


def test_the_printed_certificate_is_valid_for_localhost(tmp_path):
    import ssl
    data = tmp_path / "d"
    subprocess.run([coffer_bin(), "init", "--data", str(data)], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(data / "tls/cert.pem", data / "tls/key.pem")  # key matches certificate
    info = ssl._ssl._test_decode_cert(str(data / "tls/cert.pem"))
    assert ("DNS", "localhost") in info["subjectAltName"]
    assert ("IP Address", "127.0.0.1") in info["subjectAltName"]


def test_init_refuses_an_existing_directory_and_changes_nothing(tmp_path, coffer):
    before = sorted(os.listdir(coffer.data))
    db = (coffer.data / "coffer.db").read_bytes()
    p = subprocess.run([coffer_bin(), "init", "--data", str(coffer.data)], capture_output=True,
                       text=True)
    assert p.returncode == 8
    assert "not empty" in p.stderr
    assert sorted(os.listdir(coffer.data)) == before
    assert (coffer.data / "coffer.db").read_bytes() == db


def test_init_accepts_an_empty_directory(tmp_path):
    data = tmp_path / "empty"
    data.mkdir()
    subprocess.run([coffer_bin(), "init", "--data", str(data)], check=True, capture_output=True)
    assert (data / "coffer.toml").exists()


def test_admin_password_file_is_used(coffer):
    user = coffer.json("user", "show", "admin")
    assert user["must_change_password"] is False


def test_missing_data_directory_is_a_clear_error(tmp_path):
    p = subprocess.run([coffer_bin(), "--data", str(tmp_path / "nope"), "user", "list"],
                       capture_output=True, text=True)
    assert p.returncode == 8
    assert "coffer init" in p.stderr
    env = dict(os.environ)
    env.pop("COFFER_DATA", None)
    p = subprocess.run([coffer_bin(), "user", "list"], capture_output=True, text=True, env=env)
    assert p.returncode == 8 and "--data" in p.stderr


def test_help_lists_every_command_and_each_has_help():
    p = subprocess.run([coffer_bin(), "--help"], capture_output=True, text=True)
    assert p.returncode == 0
    for cmd in ("init", "serve", "user", "group", "folder", "grant", "revoke", "files", "keys",
                "activity"):
        assert cmd in p.stdout, cmd
    commands = [["init"], ["serve"], ["user", "add"], ["user", "list"], ["user", "show"],
                ["user", "disable"], ["user", "enable"], ["user", "delete"], ["user", "passwd"],
                ["user", "quota"], ["group", "add"], ["group", "list"], ["group", "delete"],
                ["group", "member", "add"], ["group", "member", "remove"], ["folder", "add"],
                ["folder", "list"], ["folder", "delete"], ["folder", "quota"], ["grant"],
                ["revoke"], ["files", "ls"], ["files", "put"], ["files", "get"], ["files", "rm"],
                ["files", "mv"], ["files", "cp"], ["files", "stat"], ["files", "mkdir"],
                ["files", "trash"], ["files", "restore"], ["files", "purge"], ["keys", "rotate"],
                ["activity"]]
    for cmd in commands:
        p = subprocess.run([coffer_bin(), *cmd, "--help"], capture_output=True, text=True)
        assert p.returncode == 0, cmd
        assert len(p.stdout.splitlines()) >= 3, cmd


def test_unknown_command_and_missing_argument_are_usage_errors(coffer):
    assert coffer.fails(2, "frobnicate")
    assert coffer.fails(2, "user", "add")


def start_server(coffer):
    # A free loopback port for the SFTP front-end, never the default one.
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = coffer.data / "coffer.toml"
    conf.write_text(conf.read_text().replace("port = 2222", f"port = {port}"))
    return subprocess.Popen([coffer_bin(), "--data", str(coffer.data), "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_serve_prints_how_to_sign_in_and_stops_cleanly(coffer):
    server = start_server(coffer)
    try:
        lines = []
        deadline = time.time() + 30
        while time.time() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "Stop with Ctrl-C" in line:
                break
        out = "".join(lines)
        assert "Listening: SFTP on 127.0.0.1:" in out and "Sign in as" in out
        # A second server on the same directory is refused.
        p = subprocess.run([coffer_bin(), "--data", str(coffer.data), "serve"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 8 and "running server" in p.stderr
        # Commands still work beside the server.
        coffer.run("user", "list")
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


def test_serve_sweeps_what_a_crash_left(coffer, tmp_path):
    src = tmp_path / "f"
    src.write_bytes(os.urandom(100_000))
    coffer.run("folder", "add", "/A")
    coffer.run("files", "put", src, "/A/f")
    blobs = coffer.data / "blobs"
    before = {p for p in blobs.rglob("*") if p.is_file()}
    # A finished blob no row refers to, as a crash between rename and commit leaves.
    victim = next(iter(before))
    orphan = victim.with_name(victim.name[:2] + "0" * 30)
    orphan.write_bytes(victim.read_bytes())
    server = start_server(coffer)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and "Stop with Ctrl-C" not in server.stdout.readline():
            pass
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    after = {p for p in blobs.rglob("*") if p.is_file()}
    assert after == before
    dst = tmp_path / "out"
    coffer.run("files", "get", "/A/f", dst)
    assert dst.read_bytes() == src.read_bytes()
