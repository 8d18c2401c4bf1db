"""Resumable uploads (tus 1.0 at /api/v1/uploads) against the real server: creation,
appends in several requests, offsets that are always durable (a dropped connection,
a killed server), ownership, limits, expiry, the activity record, and tus-js-client."""
import base64
import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import set_settings
from files_fixture import USER_PASSWORD, Api, cli, make_token, setup_alice

CHUNK = 64 * 1024  # [storage] chunk_size_kib default: offsets advance in whole chunks
TUS = {"Tus-Resumable": "1.0.0"}
CLIENT_DIR = Path(__file__).resolve().parent / "tus-client"


def meta(**pairs):
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


class Tus:
    def __init__(self, api):
        self.api = api
        self.s = requests.Session()
        self.s.trust_env = False
        self.s.verify = api.ca
        self.s.headers.update({**api.auth, **TUS})

    def create(self, path, length, **headers):
        return self.s.post(self.api.url + "/uploads",
                           headers={"Upload-Length": str(length), "Upload-Metadata": meta(path=path),
                                    **headers}, timeout=60)

    def location(self, r):
        assert r.status_code == 201, (r.status_code, r.text)
        loc = r.headers["Location"]
        assert loc.startswith("/api/v1/uploads?id=")
        return self.api.server.url + loc

    def head(self, url):
        return self.s.head(url, timeout=60)

    def patch(self, url, offset, data, **headers):
        return self.s.patch(url, data=data, timeout=120,
                            headers={"Upload-Offset": str(offset),
                                     "Content-Type": "application/offset+octet-stream", **headers})

    def patch_retrying(self, url, offset, data):
        """A PATCH right after a broken one may find the server still saving it (409)."""
        deadline = time.time() + 15
        while True:
            r = self.patch(url, offset, data)
            if r.status_code != 409 or time.time() > deadline:
                return r
            time.sleep(0.2)

    def offset(self, url):
        r = self.head(url)
        assert r.status_code == 200, (r.status_code, r.text)
        return int(r.headers["Upload-Offset"])


def download(api, path):
    r = requests.get(api.url + "/files/content", params={"path": path}, headers=api.auth,
                     verify=api.ca, timeout=120)
    assert r.status_code == 200, r.status_code
    return r.content


def expect_digest(r, data):
    want = "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"
    assert r.headers["Repr-Digest"] == want
    assert r.headers["ETag"] == '"' + hashlib.sha256(data).hexdigest() + '"'


def configure_uploads(data_dir, **settings):
    config = data_dir / "coffer.toml"
    config.write_text(set_settings(config.read_text(), "uploads", settings))


def start(data_dir, server_factory):
    server = server_factory(read_timeout_seconds=10, shutdown_grace_seconds=2)
    return server


@pytest.fixture
def alice(data_dir, server_factory):
    setup_alice(data_dir)
    server = start(data_dir, server_factory)
    return Api(server, make_token(server, "alice", USER_PASSWORD))


def partial_files(data_dir):
    return sorted(os.listdir(data_dir / "blobs" / "partial"))


def test_options_create_patch_in_parts_and_complete(alice):
    tus = Tus(alice)
    r = requests.options(alice.url + "/uploads", verify=alice.ca, timeout=30)
    assert r.status_code == 204
    assert r.headers["Tus-Version"] == "1.0.0"
    assert set(r.headers["Tus-Extension"].split(",")) == {"creation", "termination", "expiration"}
    assert int(r.headers["Tus-Max-Size"]) == 1 << 40

    data = os.urandom(5 * CHUNK + 1234)
    url = tus.location(tus.create("/Team/report.bin", len(data)))
    assert tus.location(tus.create("/Team/other.bin", 10)) != url
    h = tus.head(url)
    assert h.status_code == 200 and h.headers["Cache-Control"] == "no-store"
    assert h.headers["Upload-Offset"] == "0" and h.headers["Upload-Length"] == str(len(data))
    assert h.headers["Tus-Resumable"] == "1.0.0" and "Upload-Expires" in h.headers

    r = tus.patch(url, 0, data[:2 * CHUNK])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(2 * CHUNK)
    # A part that ends inside a chunk: only whole chunks are durable, so the
    # offset reported stops at the last chunk boundary and the client resends.
    r = tus.patch(url, 2 * CHUNK, data[2 * CHUNK:3 * CHUNK + 1000])
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(3 * CHUNK)
    assert "Repr-Digest" not in r.headers
    # Not visible before the last byte.
    st = requests.get(alice.url + "/files/stat", params={"path": "/Team/report.bin"},
                      headers=alice.auth, verify=alice.ca, timeout=30)
    assert st.status_code == 404
    r = tus.patch(url, 3 * CHUNK, data[3 * CHUNK:])
    assert r.status_code == 204, r.text
    assert r.headers["Upload-Offset"] == str(len(data))
    expect_digest(r, data)
    assert download(alice, "/Team/report.bin") == data
    st = requests.get(alice.url + "/files/stat", params={"path": "/Team/report.bin"},
                      headers=alice.auth, verify=alice.ca, timeout=30).json()
    assert st["sha256"] == hashlib.sha256(data).hexdigest() and st["size"] == len(data)
    # A finished upload is gone.
    assert tus.head(url).status_code == 404
    assert tus.patch(url, len(data), b"").status_code == 404


def test_empty_upload_completes_at_creation(alice):
    tus = Tus(alice)
    r = tus.create("/Team/empty.txt", 0)
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "0"
    assert download(alice, "/Team/empty.txt") == b""


def test_protocol_errors(alice):
    tus = Tus(alice)
    url = tus.location(tus.create("/Team/e.bin", 3 * CHUNK))
    assert tus.patch(url, 0, b"x" * CHUNK).headers["Upload-Offset"] == str(CHUNK)
    # Wrong offset: 409 with the real one, and nothing changes.
    for wrong in (0, CHUNK + 1, 2 * CHUNK):
        r = tus.patch(url, wrong, b"y" * 10)
        assert r.status_code == 409, r.status_code
        assert r.headers["Upload-Offset"] == str(CHUNK)
    assert tus.offset(url) == CHUNK
    # Version, content type, offset and length headers are checked.
    r = requests.patch(url, data=b"z", verify=alice.ca, timeout=30,
                       headers={**alice.auth, "Upload-Offset": str(CHUNK),
                                "Content-Type": "application/offset+octet-stream"})
    assert r.status_code == 412 and r.headers["Tus-Version"] == "1.0.0"
    assert tus.patch(url, CHUNK, b"z", **{"Content-Type": "application/octet-stream"}).status_code == 415
    assert tus.patch(url, "-1", b"z").status_code == 400
    assert tus.patch(url, "+65536", b"z").status_code == 400
    assert tus.create("/Team/x", "-5").status_code == 400
    assert tus.create("/Team/x", "1e3").status_code == 400
    r = tus.s.post(alice.url + "/uploads", headers={"Upload-Length": "5"}, timeout=30)
    assert r.status_code == 400  # no target path
    r = tus.s.post(alice.url + "/uploads", timeout=30,
                   headers={"Upload-Length": "5", "Upload-Metadata": "path !!notbase64"})
    assert r.status_code == 400
    # More than the declared length.
    r = tus.patch(url, CHUNK, b"w" * (2 * CHUNK + 1))
    assert r.status_code == 413
    assert tus.offset(url) == CHUNK
    # Paths are authorized at creation like a PUT: hidden folders do not exist.
    assert tus.create("/Secret/x.bin", 10).status_code == 404
    assert tus.create("/Team", 10).status_code == 400  # the root holds folders only
    r = requests.post(alice.url + "/files/mkdir", json={"path": "/Team/Sub"}, headers=alice.auth,
                      verify=alice.ca, timeout=30)
    assert r.status_code == 201
    assert tus.create("/Team/Sub", 10).status_code == 409  # a folder has the name
    assert tus.create("/", 10).status_code in (400, 404)
    # Unknown ids and bad queries.
    bogus = alice.server.url + "/api/v1/uploads?id=" + "0" * 32
    assert tus.head(bogus).status_code == 404
    assert tus.head(alice.server.url + "/api/v1/uploads").status_code == 400
    assert tus.head(url + "&x=1").status_code == 400
    # Termination.
    assert tus.s.delete(url, timeout=30).status_code == 204
    assert tus.head(url).status_code == 404
    assert tus.s.delete(url, timeout=30).status_code == 404


def raw_patch_then_drop(server, token, url, offset, total, body):
    """Sends a PATCH head declaring `total` body bytes, then `body`, then cuts the TCP
    connection without finishing the request."""
    target = url[len(server.url):]
    sock = server.tls_socket()
    head = (f"PATCH {target} HTTP/1.1\r\nHost: {server.host}\r\n"
            f"Authorization: Bearer {token}\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {total}\r\n\r\n").encode()
    sock.sendall(head + body)
    time.sleep(0.5)
    sock.close()  # no close_notify, no rest of the body: the server sees a broken request


def wait_offset(tus, url, at_least, timeout=10):
    deadline = time.time() + timeout
    while True:
        off = tus.offset(url)
        if off >= at_least or time.time() > deadline:
            return off
        time.sleep(0.1)


def test_dropped_connection_keeps_whole_chunks(alice):
    tus = Tus(alice)
    data = os.urandom(40 * CHUNK + 777)
    url = tus.location(tus.create("/Team/dropped.bin", len(data)))
    sent = 20 * CHUNK + 5000
    raw_patch_then_drop(alice.server, alice.token, url, 0, len(data), data[:sent])
    off = wait_offset(tus, url, 20 * CHUNK)
    # Everything that arrived in whole chunks is kept; never more than was sent.
    assert off == 20 * CHUNK, off
    r = tus.patch_retrying(url, off, data[off:])
    assert r.status_code == 204, r.text
    expect_digest(r, data)
    assert download(alice, "/Team/dropped.bin") == data


def test_server_killed_and_restarted_mid_upload(data_dir, server_factory):
    setup_alice(data_dir)
    server = start(data_dir, server_factory)
    api = Api(server, make_token(server, "alice", USER_PASSWORD))
    tus = Tus(api)
    data = os.urandom(48 * CHUNK + 99)
    url_path = tus.location(tus.create("/Team/restart.bin", len(data)))[len(server.url):]
    assert tus.patch(server.url + url_path, 0, data[:16 * CHUNK]).status_code == 204

    # A PATCH in flight when the process dies: nothing after the last durable
    # point may be reported after the restart.
    target = url_path
    sock = server.tls_socket()
    sock.sendall((f"PATCH {target} HTTP/1.1\r\nHost: {server.host}\r\n"
                  f"Authorization: Bearer {api.token}\r\nTus-Resumable: 1.0.0\r\n"
                  f"Upload-Offset: {16 * CHUNK}\r\n"
                  "Content-Type: application/offset+octet-stream\r\n"
                  f"Content-Length: {len(data) - 16 * CHUNK}\r\n\r\n").encode()
                 + data[16 * CHUNK:24 * CHUNK])
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=30)
    sock.close()

    server = start(data_dir, server_factory)
    api2 = Api(server, api.token)
    tus = Tus(api2)
    url = server.url + url_path
    off = tus.offset(url)
    assert off == 16 * CHUNK, off  # what was acknowledged before, and no more

    # A graceful stop between two appends keeps the acknowledged offset too.
    assert tus.patch(url, off, data[off:32 * CHUNK]).headers["Upload-Offset"] == str(32 * CHUNK)
    assert server.stop() == 0
    server = start(data_dir, server_factory)
    tus = Tus(Api(server, api.token))
    url = server.url + url_path
    assert tus.offset(url) == 32 * CHUNK
    r = tus.patch(url, 32 * CHUNK, data[32 * CHUNK:])
    assert r.status_code == 204, r.text
    expect_digest(r, data)
    assert download(Api(server, api.token), "/Team/restart.bin") == data
    assert partial_files(data_dir) == []


def test_other_users_cannot_see_or_touch_an_upload(alice, data_dir):
    pw = data_dir.parent / "bob-password"
    pw.write_text(USER_PASSWORD + "\n")
    cli(data_dir, "user", "add", "bob", "--password-file", str(pw))
    cli(data_dir, "grant", "/Team", "bob", "list,read,write,delete")
    bob = Tus(Api(alice.server, make_token(alice.server, "bob", USER_PASSWORD)))
    tus = Tus(alice)
    url = tus.location(tus.create("/Team/mine.bin", 2 * CHUNK))
    assert tus.patch(url, 0, b"a" * CHUNK).status_code == 204
    assert bob.head(url).status_code == 404
    assert bob.patch(url, CHUNK, b"b" * CHUNK).status_code == 404
    assert bob.s.delete(url, timeout=30).status_code == 404
    assert tus.offset(url) == CHUNK
    # A read-only token cannot create or append either.
    reader = Tus(Api(alice.server, make_token(alice.server, "alice", USER_PASSWORD, ("read",))))
    assert reader.create("/Team/r.bin", 5).status_code == 403
    assert reader.head(url).status_code == 403
    r = tus.patch(url, CHUNK, b"c" * CHUNK)
    assert r.status_code == 204
    assert download(alice, "/Team/mine.bin") == b"a" * CHUNK + b"c" * CHUNK


def test_limits_size_and_open_uploads(data_dir, server_factory):
    setup_alice(data_dir)
    configure_uploads(data_dir, max_bytes=1000000, max_open_per_user=2)
    server = start(data_dir, server_factory)
    api = Api(server, make_token(server, "alice", USER_PASSWORD))
    tus = Tus(api)
    r = requests.options(api.url + "/uploads", verify=api.ca, timeout=30)
    assert r.headers["Tus-Max-Size"] == "1000000"
    assert tus.create("/Team/big.bin", 1000001).status_code == 413
    first = tus.location(tus.create("/Team/a.bin", 1000000))
    tus.location(tus.create("/Team/b.bin", 10))
    r = tus.create("/Team/c.bin", 10)
    assert r.status_code == 429, r.status_code
    assert tus.s.delete(first, timeout=30).status_code == 204
    tus.location(tus.create("/Team/c.bin", 10))
    # A user's quota is checked at creation against the declared length.
    pw = data_dir.parent / "carol-password"
    pw.write_text(USER_PASSWORD + "\n")
    cli(data_dir, "user", "add", "carol", "--password-file", str(pw), "--quota", "100KiB")
    cli(data_dir, "grant", "/Team", "carol", "list,read,write")
    carol = Tus(Api(server, make_token(server, "carol", USER_PASSWORD)))
    assert carol.create("/Team/q.bin", 200000).status_code == 507
    assert carol.create("/Team/q.bin", 100000).status_code == 201


def test_abandoned_uploads_expire(data_dir, server_factory):
    setup_alice(data_dir)
    configure_uploads(data_dir, expiry_seconds=2)
    server = start(data_dir, server_factory)
    api = Api(server, make_token(server, "alice", USER_PASSWORD))
    tus = Tus(api)
    url = tus.location(tus.create("/Team/old.bin", 4 * CHUNK))
    assert tus.patch(url, 0, b"o" * CHUNK).status_code == 204
    # Progress renews the expiry; idleness ends the upload and its content.
    time.sleep(3)
    assert tus.head(url).status_code == 404
    assert partial_files(data_dir) == []
    # Expired uploads are also removed when the server starts.
    url = tus.location(tus.create("/Team/old2.bin", 4 * CHUNK))
    assert len(partial_files(data_dir)) == 1
    assert server.stop() == 0
    time.sleep(3)
    server = start(data_dir, server_factory)
    assert partial_files(data_dir) == []
    # Expired uploads do not count against the open-upload limit.
    tus = Tus(Api(server, api.token))
    assert tus.head(server.url + url[url.index("/api/"):]).status_code == 404


def test_activity_records_creation_completion_termination(alice):
    tus = Tus(alice)
    url = tus.location(tus.create("/Team/audited.bin", 10))
    assert tus.patch(url, 0, b"0123456789").status_code == 204
    url2 = tus.location(tus.create("/Team/dropped.bin", 10))
    assert tus.s.delete(url2, timeout=30).status_code == 204
    bob_like = alice.server.url + "/api/v1/uploads?id=" + "f" * 32
    assert tus.head(bob_like).status_code == 404
    r = requests.get(alice.url + "/activity", params={"limit": 1000}, headers=alice.auth,
                     verify=alice.ca, timeout=30)
    assert r.status_code == 200, r.text
    items = [(i["action"], i["path"], i["result"]) for i in r.json()["items"]]
    assert ("upload.create", "/Team/audited.bin", "ok") in items
    assert ("file.upload", "/Team/audited.bin", "ok") in items
    assert ("upload.create", "/Team/dropped.bin", "ok") in items
    assert ("upload.terminate", "/Team/dropped.bin", "ok") in items
    assert any(a == "upload.status" and res != "ok" for a, _, res in items)


@pytest.mark.skipif(not (CLIENT_DIR / "node_modules" / "tus-js-client").is_dir(),
                    reason="tus-js-client not installed (scripts/setup.sh runs npm ci)")
def test_tus_js_client_uploads_interrupts_and_resumes(alice, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 4321)
    src = tmp_path / "client.bin"
    src.write_bytes(data)
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": alice.ca}
    r = subprocess.run([shutil.which("node") or "node", str(CLIENT_DIR / "upload.mjs"),
                        alice.server.url + "/api/v1/uploads", alice.token, str(src),
                        "/Team/from-tus-js-client.bin"],
                       capture_output=True, text=True, timeout=300, env=env, cwd=CLIENT_DIR)
    assert r.returncode == 0, r.stdout + r.stderr
    resumed = [int(line.split()[-1]) for line in r.stdout.splitlines()
               if line.startswith("resumed at")]
    # The first 1 MiB part was acknowledged; the broken second one kept whole chunks.
    assert resumed and 1024 * 1024 <= resumed[0] < len(data), r.stdout
    assert resumed[0] % CHUNK == 0, r.stdout
    print(r.stdout)
    assert download(alice, "/Team/from-tus-js-client.bin") == data
