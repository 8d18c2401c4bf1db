"""Live forwarding of the activity record to a real syslog collector: Debian's
rsyslogd, started by the test (unprivileged config, own work directory) with an
imtcp input that writes every message's raw text to a file. `coffer serve`
forwards RFC 5424 messages with octet-counting framing over TCP, and over TLS
with the collector's certificate verified. The collector is stopped and started
again, and so is the server: every record must arrive, duplicates stay within
one batch per interruption, and the collector's copy re-hashes to the chain."""
import hashlib
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time

import pytest

from conftest import coffer_bin
from test_audit import encode

BATCH = 20
SD = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """rsyslogd in the foreground, listening on a loopback port."""

    def __init__(self, work, tls=None):
        assert shutil.which("rsyslogd"), "rsyslogd is missing: run scripts/setup.sh"
        self.work = work
        self.port = free_port()
        self.out = work / "collected.log"
        self.proc = None
        tls_global = ""
        driver = ""
        if tls:
            tls_global = (f' DefaultNetstreamDriverCAFile="{tls["ca"]}"'
                          f' DefaultNetstreamDriverCertFile="{tls["cert"]}"'
                          f' DefaultNetstreamDriverKeyFile="{tls["key"]}"')
            driver = ' StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon"'
        (work / "rsyslog.conf").write_text(
            f'global(workDirectory="{work}"{tls_global})\n'
            f'module(load="imtcp"{driver})\n'
            f'input(type="imtcp" port="{self.port}")\n'
            'template(name="raw" type="string" string="%rawmsg%\\n")\n'
            f'action(type="omfile" file="{self.out}" template="raw")\n')

    def start(self):
        self.proc = subprocess.Popen(
            ["rsyslogd", "-n", "-f", str(self.work / "rsyslog.conf"), "-i", str(self.work / "pid")],
            stdout=subprocess.DEVNULL, stderr=open(self.work / "rsyslogd.err", "ab"))
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("rsyslogd did not listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)

    def messages(self):
        if not self.out.exists():
            return []
        return [m for m in self.out.read_text(errors="replace").splitlines() if "coffer@32473" in m]

    def ids(self):
        return [int(dict(SD.findall(m))["id"]) for m in self.messages()]


def head(coffer):
    db = sqlite3.connect(coffer.data / "coffer.db")
    try:
        return db.execute("SELECT MAX(id) FROM activity").fetchone()[0]
    finally:
        db.close()


def wait_for_all(collector, coffer, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        want = head(coffer)
        if set(range(1, want + 1)) <= set(collector.ids()):
            return want
        time.sleep(0.2)
    missing = set(range(1, head(coffer) + 1)) - set(collector.ids())
    raise AssertionError(f"records never reached the collector: {sorted(missing)[:20]}")


def configure(coffer, port, extra=""):
    conf = coffer.data / "coffer.toml"
    text = conf.read_text().replace("port = 2222", f"port = {free_port()}")
    text = re.sub(r"\[syslog\]\n(.|\n)*?(?=\n\[|\Z)", "", text)
    text += (f'\n[syslog]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n'
             f"batch_records = {BATCH}\npoll_interval_ms = 100\nretry_max_seconds = 1\n"
             f'ack_timeout_seconds = 5\nhostname = "coffer-test"\n{extra}')
    conf.write_text(text)


def start_server(coffer, log):
    server = subprocess.Popen([coffer_bin(), "--data", str(coffer.data), "serve"],
                              stdout=subprocess.PIPE, stderr=open(log, "ab"), text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = server.stdout.readline()
        if "Stop with Ctrl-C" in line or not line:
            break
    assert server.poll() is None, log.read_text()
    return server


def stop_server(server):
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0


def check_copy_against_chain(collector, coffer):
    """Every collected message carries the chain fields: it re-hashes to the
    stored hash, and its hash is the database's."""
    db = sqlite3.connect(coffer.data / "coffer.db")
    stored = {r[0]: r[1].hex() for r in db.execute("SELECT id, hash FROM activity")}
    db.close()
    unescape = lambda v: re.sub(r"\\(.)", r"\1", v)
    for m in collector.messages():
        f = {k: unescape(v) for k, v in SD.findall(m)}
        row = (int(f["id"]), int(f["at_us"]), int(f["actor_id"]), f["actor"], f["protocol"],
               f["address"], f["session"], f["action"], f["path"], int(f["object_id"]),
               f["result"], f["detail"], int(f["bytes"]), f["sha256"])
        assert hashlib.sha256(encode(row, bytes.fromhex(f["prev_hash"]))).hexdigest() == f["hash"]
        assert stored[row[0]] == f["hash"]


def test_records_survive_a_collector_outage_and_a_server_restart(coffer, tmp_path):
    collector = Collector(tmp_path)
    configure(coffer, collector.port, "tls = false\n")
    for i in range(30):
        coffer.run("folder", "add", f"/before{i:02d}")
    collector.start()
    log = tmp_path / "serve.log"
    server = start_server(coffer, log)
    try:
        wait_for_all(collector, coffer)
        # Outage: the collector goes away while records keep being written.
        collector.stop()
        for i in range(45):
            coffer.run("folder", "add", f"/outage{i:02d}")
        time.sleep(1.5)
        collector.start()
        wait_for_all(collector, coffer)
    finally:
        stop_server(server)
    # Written while the server is down; sent after it starts again, from the
    # cursor kept in the database.
    for i in range(10):
        coffer.run("folder", "add", f"/offline{i:02d}")
    server = start_server(coffer, log)
    try:
        last = wait_for_all(collector, coffer)
    finally:
        stop_server(server)
        collector.stop()
    ids = collector.ids()
    assert set(ids) == set(range(1, max(ids) + 1)) and max(ids) >= last
    duplicates = len(ids) - len(set(ids))
    # Two interruptions (collector, server): at most one unacknowledged batch each.
    print(f"records {len(set(ids))}, duplicates {duplicates}")
    assert duplicates <= 2 * BATCH, duplicates
    assert "syslog: connected" in log.read_text()
    check_copy_against_chain(collector, coffer)


def make_ca(tmp_path, name):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    ca, cakey = tmp_path / f"{name}-ca.pem", tmp_path / f"{name}-ca.key"
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", cakey, "-out", ca, "-days", "2", "-subj", f"/CN={name} test CA")
    return ca, cakey


def test_tls_delivers_to_a_verified_collector_only(coffer, tmp_path):
    ca, cakey = make_ca(tmp_path, "good")
    other_ca, _ = make_ca(tmp_path, "other")
    key, csr, cert = tmp_path / "srv.key", tmp_path / "srv.csr", tmp_path / "srv.pem"
    ext = tmp_path / "ext"
    ext.write_text("subjectAltName=DNS:collector.test\n")
    for args in (["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", key, "-out", csr, "-subj", "/CN=collector.test"],
                 ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cakey, "-CAcreateserial",
                  "-out", cert, "-days", "2", "-extfile", ext]):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    collector = Collector(tmp_path, tls={"ca": ca, "cert": cert, "key": key})
    collector.start()
    log = tmp_path / "serve.log"
    try:
        # A CA that did not sign the collector's certificate: nothing is sent.
        configure(coffer, collector.port,
                  f'tls = true\nca_file = "{other_ca}"\nserver_name = "collector.test"\n')
        server = start_server(coffer, log)
        time.sleep(2)
        stop_server(server)
        assert collector.ids() == []
        assert "certificate does not verify" in log.read_text()
        # The wrong name, with the right CA: refused too.
        configure(coffer, collector.port,
                  f'tls = true\nca_file = "{ca}"\nserver_name = "other.test"\n')
        server = start_server(coffer, log)
        time.sleep(2)
        stop_server(server)
        assert collector.ids() == []
        # The right CA and name.
        configure(coffer, collector.port,
                  f'tls = true\nca_file = "{ca}"\nserver_name = "collector.test"\n')
        for i in range(5):
            coffer.run("folder", "add", f"/tls{i}")
        server = start_server(coffer, log)
        try:
            wait_for_all(collector, coffer)
        finally:
            stop_server(server)
    finally:
        collector.stop()
    check_copy_against_chain(collector, coffer)
