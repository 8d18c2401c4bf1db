"""A running server with a user `alice`, folder /Team granted to her, and her API token."""
import os
import subprocess
import threading
import time

import pytest
import requests

from conftest import coffer_bin

USER_PASSWORD = "Tulip-Granite-Harbor-93"


def cli(data, *args, check=True):
    return subprocess.run([coffer_bin(), "--data", str(data), *args], capture_output=True,
                          text=True, timeout=120, check=check)


def make_token(server, user, password, scopes=("read", "write")):
    """Signs in over HTTPS and creates an API token (shown once) for `user`."""
    ca = str(server.data / "tls/cert.pem")
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace `verify`
    s.verify = ca
    r = s.post(server.url + "/api/v1/auth/login", json={"username": user, "password": password},
               timeout=30)
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    if r.json()["user"].get("must_change_password"):
        new = password + "-x"
        r = s.post(server.url + "/api/v1/me/password", headers={"X-CSRF-Token": csrf},
                   json={"current_password": password, "new_password": new}, timeout=30)
        assert r.status_code == 204, r.text
        csrf = s.get(server.url + "/api/v1/me", timeout=30).json()["csrf_token"]
    r = s.post(server.url + "/api/v1/me/tokens", headers={"X-CSRF-Token": csrf},
               json={"name": "tests", "scopes": list(scopes), "expires_in_days": 1}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()["token"]


class Api:
    """Base URL, CA file and bearer token of a running server."""

    def __init__(self, server, token):
        self.server = server
        self.url = server.url + "/api/v1"
        self.ca = str(server.data / "tls/cert.pem")
        self.token = token
        self.auth = {"Authorization": "Bearer " + token}

    def curl(self, *args, timeout=600):
        return subprocess.run(["curl", "-sS", "--cacert", self.ca, "-H",
                               "Authorization: Bearer " + self.token, *args],
                              capture_output=True, timeout=timeout)

    def popen(self, *args, stdin=None):
        return subprocess.Popen(["curl", "-sS", "--cacert", self.ca, "-H",
                                 "Authorization: Bearer " + self.token, *args],
                                stdin=stdin, stdout=subprocess.PIPE)


def setup_alice(data):
    pw = data.parent / "alice-password"
    pw.write_text(USER_PASSWORD + "\n")
    cli(data, "user", "add", "alice", "--password-file", str(pw))
    cli(data, "folder", "add", "/Team")
    cli(data, "folder", "add", "/Secret")
    cli(data, "grant", "/Team", "alice", "list,read,write,delete")


class PeakRss:
    """Samples a process's resident memory in the background (VmRSS, KiB)."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def sanitized():
    """Whether the binary under test is the ASan + UBSan build (set by CMake)."""
    return os.environ.get("COFFER_SANITIZED") == "1"


def big_file_bytes():
    default = (1 << 30) if sanitized() else (5 << 30)
    return int(os.environ.get("COFFER_BIG_FILE_BYTES", str(default)))
