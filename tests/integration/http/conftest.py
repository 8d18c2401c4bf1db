"""Runs the real `coffer serve` on a free loopback port with a fresh data directory."""
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

ADMIN_PASSWORD = "correct-horse-battery-staple-42"


def coffer_bin() -> str:
    path = os.environ.get("COFFER_BIN")
    if not path:
        root = Path(__file__).resolve().parents[3]
        path = str(root / "build/release/src/coffer/coffer")
    return path


def set_settings(text: str, section: str, settings: dict) -> str:
    """Changes documented default `key = value` lines inside [section] only."""
    start = text.index(f"\n[{section}]\n")
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end
    body = text[start:end]
    for key, value in settings.items():
        body, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", body)
        assert n == 1, (section, key)
    return text[:start] + body + text[end:]


class Server:
    """A running `coffer serve`; `url` is its base URL, `host`/`port` its endpoint."""

    def __init__(self, data: Path, http_settings: dict):
        self.data = data
        config = data / "coffer.toml"
        # A port of 0 picks a free one; SFTP is off so its fixed port never collides.
        text = set_settings(config.read_text(), "http", {"port": 0, **http_settings})
        config.write_text(set_settings(text, "sftp", {"enabled": "false"}))
        self.proc = subprocess.Popen([coffer_bin(), "--data", str(data), "serve"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        self.banner = ""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner += line
            m = re.search(r"Listening: https://(\S+):(\d+)/", line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                self.url = f"https://{self.host}:{self.port}"
                return
        self.proc.kill()
        raise AssertionError("server did not start: " + self.banner + self.proc.stderr.read())

    def tls_socket(self, **context_options) -> ssl.SSLSocket:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        for k, v in context_options.items():
            setattr(ctx, k, v) if k != "ciphers" else ctx.set_ciphers(v)
        raw = socket.create_connection((self.host, self.port), timeout=10)
        return ctx.wrap_socket(raw)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    data = tmp_path / "data"
    pw = tmp_path / "admin-password"
    pw.write_text(ADMIN_PASSWORD + "\n")
    subprocess.run([coffer_bin(), "init", "--data", str(data), "--admin-password-file", str(pw)],
                   check=True, capture_output=True, timeout=120)
    return data


@pytest.fixture
def server_factory(data_dir):
    """Starts a server with [http] settings changed from the defaults."""
    started = []

    def start(**http_settings):
        s = Server(data_dir, http_settings)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def server(server_factory):
    return server_factory(read_timeout_seconds=2, idle_timeout_seconds=3,
                          max_connections_per_address=8, shutdown_grace_seconds=2)


def read_all(sock: ssl.SSLSocket, timeout: float = 10) -> bytes:
    """Reads until the server closes the connection (or `timeout`)."""
    sock.settimeout(timeout)
    out = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ssl.SSLError, ConnectionResetError):
            break
        if not chunk:
            break
        out += chunk
    return out


@pytest.fixture
def files_api(data_dir, server_factory):
    """The server with alice, /Team granted to her and her read,write token (files_fixture.py)."""
    from files_fixture import USER_PASSWORD, Api, make_token, setup_alice
    setup_alice(data_dir)
    server = server_factory(read_timeout_seconds=10, shutdown_grace_seconds=10)
    return Api(server, make_token(server, "alice", USER_PASSWORD))
