"""Fixtures for tests that run the real `coffer` binary, as an administrator would."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ADMIN_PASSWORD = "correct-horse-battery-staple-42"


def coffer_bin() -> str:
    path = os.environ.get("COFFER_BIN")
    if not path:
        root = Path(__file__).resolve().parents[2]
        path = str(root / "build/release/src/coffer/coffer")
    return path


class Coffer:
    """Runs `coffer --data DIR ...` and returns the completed process."""

    def __init__(self, data: Path):
        self.data = data

    def run(self, *args, as_user=None, input=None, check=True, json_out=False, timeout=120):
        cmd = [coffer_bin(), "--data", str(self.data)]
        if as_user:
            cmd += ["--as", as_user]
        if json_out:
            cmd.append("--json")
        cmd += [str(a) for a in args]
        p = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(
                f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
        return p

    def json(self, *args, **kw):
        p = self.run(*args, json_out=True, **kw)
        return json.loads(p.stdout)

    def fails(self, code, *args, **kw):
        p = self.run(*args, check=False, **kw)
        assert p.returncode == code, (
            f"expected exit {code}, got {p.returncode}: {p.stderr.decode(errors='replace')}")
        return p.stderr.decode(errors="replace")


@pytest.fixture
def coffer(tmp_path) -> Coffer:
    data = tmp_path / "data"
    pw = tmp_path / "admin-password"
    pw.write_text(ADMIN_PASSWORD + "\n")
    subprocess.run([coffer_bin(), "init", "--data", str(data), "--admin-password-file", str(pw)],
                   check=True, capture_output=True, timeout=120)
    # Any free port, so tests running side by side never collide on the default.
    config = data / "coffer.toml"
    text = config.read_text()
    assert text.count("\nport = 8443\n") == 1
    config.write_text(text.replace("\nport = 8443\n", "\nport = 0\n"))
    return Coffer(data)


@pytest.fixture
def shared(coffer, tmp_path):
    """A data directory with users alice (in group staff) and bob, and folders /A, /B."""
    for name in ("alice", "bob"):
        f = tmp_path / f"{name}.pw"
        f.write_text(f"long enough secret {len(name)}\n")
        coffer.run("user", "add", name, "--password-file", f)
    coffer.run("group", "add", "staff")
    coffer.run("group", "member", "add", "staff", "alice")
    coffer.run("folder", "add", "/A")
    coffer.run("folder", "add", "/B")
    return coffer
