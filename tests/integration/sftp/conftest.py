"""A real `coffer serve` with its SFTP front-end on a loopback port, and helpers
that drive it with real SSH clients. Users: alice (group staff, ed25519 key,
password), bob (password only); folders /A (staff: list read write delete) and
/B (bob: all)."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

PASSWORDS = {"admin": "correct-horse-battery-staple-42", "alice": "a long secret for A-1",
             "bob": "a long secret for B-22"}
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"]


def coffer_bin() -> str:
    path = os.environ.get("COFFER_BIN")
    if not path:
        root = Path(__file__).resolve().parents[3]
        path = str(root / "build/release/src/coffer/coffer")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root: Path, settings: str = ""):
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        pw = root / "admin-pw"
        pw.write_text(PASSWORDS["admin"] + "\n")
        subprocess.run([coffer_bin(), "init", "--data", str(self.data), "--admin-password-file",
                        str(pw)], check=True, capture_output=True, timeout=120)
        conf = self.data / "coffer.toml"
        text = conf.read_text().replace("port = 2222", f"port = {self.port}")
        # The HTTPS listener on any free port, never the default 8443.
        text = text.replace("\nport = 8443\n", "\nport = 0\n")
        if settings:
            text = text.replace("[sftp]\n", "[sftp]\n" + settings + "\n", 1)
            # later duplicates of the same keys would be refused: drop the defaults
            for line in settings.splitlines():
                key = line.split("=")[0].strip()
                text = re.sub(rf"(?m)^(?!{re.escape(line)}$){re.escape(key)} = .*\n", "", text, count=1)
        conf.write_text(text)
        self.proc = None

    def coffer(self, *args, check=True, input=None, timeout=120):
        p = subprocess.run([coffer_bin(), "--data", str(self.data), *map(str, args)],
                           capture_output=True, input=input, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"coffer {args} exited {p.returncode}: {p.stderr.decode()}")
        return p

    def start(self):
        self.log = open(self.root / "serve.log", "wb")
        self.proc = subprocess.Popen([coffer_bin(), "serve", "--data", str(self.data)],
                                     stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.time() + 30
        line = b""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if b"Listening: SFTP on" in line or not line:
                break
        assert b"Listening: SFTP on" in line, f"server did not start: {self.serve_log()}"
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.log.close()

    def serve_log(self) -> str:
        return (self.root / "serve.log").read_text(errors="replace")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def setup_users(self, defended=False):
        """Creates the users and folders. Unless `defended`, 127.0.0.1 is on the
        allow list so that tests of wrong passwords do not get the test host banned."""
        for name in ("alice", "bob"):
            f = self.root / f"{name}.pw"
            f.write_text(PASSWORDS[name] + "\n")
            self.coffer("user", "add", name, "--password-file", f)
        self.coffer("group", "add", "staff")
        self.coffer("group", "member", "add", "staff", "alice")
        self.coffer("folder", "add", "/A")
        self.coffer("folder", "add", "/B")
        self.coffer("grant", "/A", "@staff", "list,read,write,delete")
        self.coffer("grant", "/B", "bob", "list,read,write,delete")
        if not defended:
            self.coffer("iprule", "add", "allow", "127.0.0.1", "--comment", "tests")
        self.keys = {}
        for name in ("alice", "admin"):
            key = self.root / f"{name}_ed25519"
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test",
                            "-f", str(key)], check=True, timeout=30)
            self.coffer("user", "key", "add", name, str(key) + ".pub")
            self.keys[name] = key
        return self

    def sftp(self, user: str, commands: str, check=True, key=None, extra=(), timeout=300):
        """Runs OpenSSH sftp in batch mode; returns the completed process."""
        batch = self.root / "batch"
        batch.write_text(commands)
        key = key or self.keys.get(user)
        cmd = ["sftp", "-b", str(batch), "-P", str(self.port), *SSH_OPTS, *extra]
        if key:
            cmd += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
        cmd.append(f"{user}@127.0.0.1")
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"sftp exited {p.returncode}: {p.stdout.decode()}"
                                 f"{p.stderr.decode()}\nserver log:\n{self.serve_log()[-3000:]}")
        return p

    def paramiko(self, user: str, password: str = None):
        import paramiko
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        kw = dict(hostname="127.0.0.1", port=self.port, username=user, timeout=15,
                  allow_agent=False, look_for_keys=False, banner_timeout=15, auth_timeout=15)
        if password:
            kw["password"] = password
        else:
            kw["key_filename"] = str(self.keys[user])
        client.connect(**kw)
        return client


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("sftp")).setup_users().start()
    yield s
    s.stop()


def make_file(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        remaining = size
        while remaining:
            n = min(remaining, 1 << 20)
            f.write(os.urandom(n))
            remaining -= n
    return path
