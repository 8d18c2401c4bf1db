"""A running server with a user `alice`, folder /Team granted to her, and her API token."""
import os
import subprocess
import threading
import time

import pytest

from conftest import coffer_bin

USER_PASSWORD = "alice-has-a-long-password-1"


def cli(data, *args, check=True):
    return subprocess.run([coffer_bin(), "--data", str(data), *args], capture_output=True,
                          text=True, timeout=120, check=check)


def make_token(data, user, scopes="read,write"):
    r = cli(data, "token", "create", "--user", user, "--name", "tests", "--scopes", scopes,
            check=False)
    if r.returncode != 0:
        pytest.skip("API tokens are not available in this build: " + r.stderr.strip()[:200])
    return r.stdout.strip().splitlines()[-1].strip()


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


def setup_alice(data):
    pw = data.parent / "alice-password"
    pw.write_text(USER_PASSWORD + "\n")
    cli(data, "user", "add", "alice", "--password-file", str(pw))
    cli(data, "folder", "add", "/Team")
    cli(data, "folder", "add", "/Secret")
    cli(data, "grant", "/Team", "alice", "list,read,write,delete")
    return make_token(data, "alice")


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


def big_file_bytes():
    return int(os.environ.get("COFFER_BIG_FILE_BYTES", str(1 << 30)))
