"""File routes against the real server: streamed transfers with flat memory, ranges,
digests, conflicts, web shells that never render, and problem+json errors."""
import base64
import hashlib
import os
import signal
import subprocess
import time

import requests

from files_fixture import PeakRss, big_file_bytes, rss_kib, sanitized

PROBE = "<script>alert(1)</script>'; DROP TABLE users; --"


def content(api, path):
    return api.url + "/files/content"


def put(api, path, data, headers=None, **kw):
    return requests.put(api.url + "/files/content", params={"path": path}, data=data,
                        headers={**api.auth, **(headers or {})}, verify=api.ca, timeout=60, **kw)


def get(api, route, headers=None, **params):
    return requests.get(api.url + route, params=params, headers={**api.auth, **(headers or {})},
                        verify=api.ca, timeout=60)


def session(api):
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace `verify`
    s.headers.update(api.auth)
    s.verify = api.ca
    return s


def repr_digest(data: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"


def assert_problem(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == "application/problem+json"
    doc = r.json()
    assert doc["status"] == status
    for piece in ("script", "DROP", "/Team", "Secret", "sqlite", "/tmp", "/var"):
        assert piece not in r.text, (piece, r.text)


def test_json_routes_list_stat_mkdir_move_copy_delete_restore(files_api):
    api = files_api
    s = session(api)
    r = s.post(api.url + "/files/mkdir", json={"path": "/Team/Reports"})
    assert r.status_code == 201 and r.json()["type"] == "folder"
    assert put(api, "/Team/Reports/q3.csv", b"a,b\n1,2\n").status_code == 201
    for i in range(5):
        assert put(api, f"/Team/f{i}.txt", b"x").status_code == 201
    names, cursor = [], ""
    while True:
        page = s.get(api.url + "/files", params={"path": "/Team", "limit": 2, "cursor": cursor})
        assert page.status_code == 200
        names += [e["name"] for e in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert names == ["Reports", "f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt"]
    st = s.get(api.url + "/files/stat", params={"path": "/Team/Reports/q3.csv"}).json()
    assert st["size"] == 8 and st["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert set(st) >= {"id", "name", "path", "type", "size", "sha256", "created_at",
                       "modified_at", "perms"}
    r = s.post(api.url + "/files/move", json={"from": "/Team/f0.txt", "to": "/Team/Reports/g.txt"})
    assert r.status_code == 200 and r.json()["path"] == "/Team/Reports/g.txt"
    r = s.post(api.url + "/files/copy", json={"from": "/Team/Reports", "to": "/Team/Copy"})
    assert r.status_code == 201
    assert s.delete(api.url + "/files", params={"path": "/Team/f1.txt"}).status_code == 204
    assert_problem(s.get(api.url + "/files/stat", params={"path": "/Team/f1.txt"}), 404)
    binned = s.get(api.url + "/recycle", params={"path": "/Team"}).json()["items"]
    assert [e["name"] for e in binned] == ["f1.txt"] and binned[0]["deleted_at"] > 0
    r = s.post(api.url + "/recycle/restore", json={"id": binned[0]["id"]})
    assert r.status_code == 200 and r.json()["path"] == "/Team/f1.txt"
    assert_problem(s.get(api.url + "/files", params={"path": "/Team", "sort": "owner"}), 400)
    assert_problem(s.get(api.url + "/files", params={"path": "/Team", "order": "up"}), 400)


def listing(s, api, path, sort, order, limit=2):
    names, cursor = [], ""
    for _ in range(20):
        page = s.get(api.url + "/files", params={"path": path, "sort": sort, "order": order,
                                                  "limit": limit, "cursor": cursor})
        assert page.status_code == 200, page.text
        names += [e["name"] for e in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return names, page
    raise AssertionError("listing did not end")


def test_sorting_by_name_size_and_time_in_pages_folders_first(files_api):
    api = files_api
    s = session(api)
    base = "/Team/Sorted"
    assert s.post(api.url + "/files/mkdir", json={"path": base}).status_code == 201
    assert s.post(api.url + "/files/mkdir", json={"path": base + "/sub"}).status_code == 201
    for name, size in (("b.txt", 30), ("a.txt", 10), ("c.txt", 20)):
        assert put(api, f"{base}/{name}", b"x" * size).status_code == 201
    names, _ = listing(s, api, base, "name", "desc")
    assert names == ["sub", "c.txt", "b.txt", "a.txt"]
    names, _ = listing(s, api, base, "size", "asc")
    assert names == ["sub", "a.txt", "c.txt", "b.txt"]
    names, _ = listing(s, api, base, "size", "desc")
    assert names == ["sub", "b.txt", "c.txt", "a.txt"]
    # Uploaded one after another (equal seconds fall back to the id): upload order.
    names, _ = listing(s, api, base, "modified", "asc", limit=1)
    assert names == ["sub", "b.txt", "a.txt", "c.txt"]
    names, _ = listing(s, api, base, "modified", "desc", limit=1)
    assert names == ["sub", "c.txt", "a.txt", "b.txt"]
    # A cursor continues only the order it was made for.
    first = s.get(api.url + "/files", params={"path": base, "sort": "size", "limit": 1}).json()
    r = s.get(api.url + "/files", params={"path": base, "sort": "modified",
                                           "cursor": first["next_cursor"]})
    assert_problem(r, 400)


def test_ranges_conditionals_and_digests(files_api):
    api = files_api
    data = os.urandom(300_000)
    r = put(api, "/Team/data.bin", data, headers={"Repr-Digest": repr_digest(data)})
    assert r.status_code == 201
    etag = r.headers["etag"]
    assert etag == '"' + hashlib.sha256(data).hexdigest() + '"'
    full = get(api, "/files/content", path="/Team/data.bin")
    assert full.status_code == 200 and full.content == data
    assert full.headers["repr-digest"] == repr_digest(data)
    assert full.headers["etag"] == etag and full.headers["accept-ranges"] == "bytes"
    part = get(api, "/files/content", {"Range": "bytes=1000-200999"}, path="/Team/data.bin")
    assert part.status_code == 206 and part.content == data[1000:201000]
    assert part.headers["content-range"] == "bytes 1000-200999/300000"
    assert get(api, "/files/content", {"Range": "bytes=-10"}, path="/Team/data.bin").content == \
        data[-10:]
    bad = get(api, "/files/content", {"Range": "bytes=400000-"}, path="/Team/data.bin")
    assert_problem(bad, 416)
    assert bad.headers["content-range"] == "bytes */300000"
    assert get(api, "/files/content", {"If-None-Match": etag}, path="/Team/data.bin").status_code \
        == 304
    stale = get(api, "/files/content", {"Range": "bytes=0-9", "If-Range": '"old"'},
                path="/Team/data.bin")
    assert stale.status_code == 200 and len(stale.content) == len(data)
    head = requests.head(api.url + "/files/content", params={"path": "/Team/data.bin"},
                         headers=api.auth, verify=api.ca, timeout=30)
    assert head.status_code == 200 and head.headers["content-length"] == "300000"
    assert head.content == b""
    # A digest that does not match stores nothing; a malformed one is refused first.
    r = put(api, "/Team/other.bin", b"abc", headers={"Repr-Digest": repr_digest(b"abd")})
    assert_problem(r, 400)
    assert_problem(get(api, "/files/stat", path="/Team/other.bin"), 404)
    assert_problem(put(api, "/Team/other.bin", b"abc", headers={"Content-Digest": "sha-256=:x:"}),
                   400)
    # If-None-Match: * never overwrites.
    r = put(api, "/Team/data.bin", b"new", headers={"If-None-Match": "*"})
    assert_problem(r, 412)
    assert get(api, "/files/content", path="/Team/data.bin").content == data


def test_chunked_upload_is_streamed(files_api):
    api = files_api
    pieces = [os.urandom(100_000) for _ in range(30)]
    r = put(api, "/Team/chunked.bin", iter(pieces))  # a generator: Transfer-Encoding: chunked
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(b"".join(pieces)).hexdigest()


def test_web_shells_are_never_served_inline(files_api):
    api = files_api
    shells = {
        "human2.aspx": b'<%@ Page Language="C#" %><% Response.Write("pwned"); %>',
        "shell.php": b"<?php system($_GET['c']); ?>",
        "cmd.jsp": b'<% Runtime.getRuntime().exec(request.getParameter("c")); %>',
        "page.html": b"<html><body><script>alert(document.cookie)</script></body></html>",
        "image.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "..%2f..%2fhuman2.aspx;.html": b"<script>alert(2)</script>",
    }
    for name, body in shells.items():
        assert put(api, "/Team/" + name, body).status_code == 201, name
        r = get(api, "/files/content", path="/Team/" + name)
        assert r.status_code == 200 and r.content == body  # bytes, never executed
        assert r.headers["content-type"] == "application/octet-stream", name
        assert r.headers["content-disposition"].startswith("attachment;"), name
        assert r.headers["x-content-type-options"] == "nosniff"
        csp = r.headers["content-security-policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp, csp
        assert "pwned" not in r.headers.get("content-disposition", "")
    # Content is stored encrypted under random ids: no uploaded byte is on disk in clear.
    blobs = api.server.data / "blobs"
    for f in blobs.rglob("*"):
        if f.is_file():
            raw = f.read_bytes()
            assert b"<script>" not in raw and b"<?php" not in raw, f


def test_error_paths_are_problems_without_echo(files_api):
    api = files_api
    s = session(api)
    cases = [
        s.get(api.url + "/files", params={"path": PROBE}),
        s.get(api.url + "/files", params={"path": "/Team", "limit": PROBE}),
        s.get(api.url + "/files", params={"path": "/Team", "cursor": PROBE}),
        s.get(api.url + "/files/stat", params={"path": "/Team/../../etc/passwd"}),
        s.get(api.url + "/files/stat"),
        s.get(api.url + "/files/stat?path=%zz"),
        s.post(api.url + "/files/mkdir", data=PROBE),
        s.post(api.url + "/files/mkdir", json={"path": "/Team/" + PROBE + "\x00"}),
        s.post(api.url + "/files/move", json={"from": PROBE}),
        s.post(api.url + "/recycle/restore", json={"id": PROBE}),
        s.get(api.url + "/files/content", params={"path": "/Secret/x"}),
        s.put(api.url + "/files/content", params={"path": "/Secret/" + PROBE}, data=b"x"),
        s.put(api.url + "/files/content", params={"path": "/Team/x"}, data=b"x",
              headers={"Content-Encoding": "gzip"}),
        s.put(api.url + "/files/content", params={"path": "/Team/x"}, data=b"x",
              headers={"If-None-Match": '"abc"'}),
        s.delete(api.url + "/files", params={"path": "/Secret"}),
    ]
    for r in cases:
        assert r.status_code >= 400, r.request.url
        assert_problem(r, r.status_code)
    # Without a token: 401 everywhere, before anything else is looked at.
    r = requests.get(api.url + "/files", params={"path": "/Team"}, verify=api.ca, timeout=10)
    assert_problem(r, 401)
    r = requests.put(api.url + "/files/content", params={"path": "/Team/x"}, data=b"x" * 1000,
                     verify=api.ca, timeout=10)
    assert_problem(r, 401)
    assert_problem(get(api, "/files/stat", path="/Team/x"), 404)


def generated_blocks(size):
    """`size` bytes of incompressible data, made again identically on each call."""
    seed = hashlib.sha256(b"coffer big file").digest()
    block = bytearray(hashlib.shake_256(seed).digest(1 << 20))
    for i in range(size >> 20):
        block[:8] = i.to_bytes(8, "little")  # no two blocks alike
        yield bytes(block)


def test_big_streamed_upload_and_download_keep_server_memory_flat(files_api, tmp_path):
    """5 GiB (1 GiB in sanitizer builds) goes up as a chunked body from a pipe and
    comes down into a pipe: nothing is held whole, on either side."""
    api = files_api
    size = big_file_bytes()
    digest = hashlib.sha256()
    for block in generated_blocks(size):
        digest.update(block)
    pid = api.server.proc.pid
    base = rss_kib(pid)
    with PeakRss(pid) as up:
        curl = api.popen("-T", "-", "-H", "Repr-Digest: sha-256=:" +
                         base64.b64encode(digest.digest()).decode() + ":",
                         "-w", "%{http_code}", "-o", str(tmp_path / "up.json"),
                         api.url + "/files/content?path=/Team/big.bin", stdin=subprocess.PIPE)
        for block in generated_blocks(size):
            curl.stdin.write(block)
        curl.stdin.close()
        code = curl.stdout.read()
        assert curl.wait(timeout=600) == 0 and code == b"201", (code, (tmp_path / "up.json").read_bytes())
    got, length = hashlib.sha256(), 0
    with PeakRss(pid) as down:
        curl = api.popen("-o", "-", api.url + "/files/content?path=/Team/big.bin")
        while chunk := curl.stdout.read(1 << 22):
            got.update(chunk)
            length += len(chunk)
        assert curl.wait(timeout=600) == 0
    assert length == size
    assert got.digest() == digest.digest()
    print(f"rss KiB: base {base}, upload peak {up.peak}, download peak {down.peak}")
    try:
        if sanitized():
            return  # ASan's quarantine holds freed memory: RSS says nothing there
        # Memory does not follow the file: well under 1/8 of a GiB more than at rest.
        assert up.peak - base < 128 * 1024, (base, up.peak)
        assert down.peak - base < 128 * 1024, (base, down.peak)
    finally:
        drop_big_blobs(api.server.data)


def drop_big_blobs(data):
    """The test's own disk space back: the stored copy is not needed any more."""
    for path in data.rglob("*"):
        if path.is_file() and path.stat().st_size > (1 << 28):
            path.unlink()


def test_shutdown_lets_a_download_in_flight_finish(files_api, tmp_path):
    api = files_api
    data = os.urandom(3 << 20)
    assert put(api, "/Team/slow.bin", data).status_code == 201
    out = tmp_path / "slow.bin"
    # About 3 s at 1 MiB/s; the grace period is 10 s.
    curl = subprocess.Popen(["curl", "-sS", "--cacert", api.ca, "-H",
                             "Authorization: Bearer " + api.token, "--limit-rate", "1M",
                             "-o", str(out), "-w", "%{http_code}",
                             api.url + "/files/content?path=/Team/slow.bin"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1)
    api.server.proc.send_signal(signal.SIGTERM)
    stdout, stderr = curl.communicate(timeout=30)
    assert stdout == b"200", stderr
    assert out.read_bytes() == data
    assert api.server.proc.wait(timeout=30) == 0


def test_an_upload_cut_mid_body_leaves_nothing(files_api):
    api = files_api
    head = (f"PUT /api/v1/files/content?path=/Team/cut.bin HTTP/1.1\r\n"
            f"Host: {api.server.host}\r\nAuthorization: Bearer {api.token}\r\n"
            f"Content-Length: {10 << 20}\r\n\r\n").encode()
    with api.server.tls_socket() as s:
        s.sendall(head + os.urandom(1 << 20))
        time.sleep(0.5)
    time.sleep(0.5)
    assert_problem(get(api, "/files/stat", path="/Team/cut.bin"), 404)
    listing = get(api, "/files", path="/Team").json()["items"]
    assert "cut.bin" not in [e["name"] for e in listing]


def test_a_declared_length_over_the_file_limit_is_refused_before_the_body(data_dir,
                                                                          server_factory):
    import re
    from files_fixture import USER_PASSWORD, Api, make_token, setup_alice
    config = data_dir / "coffer.toml"
    text = config.read_text()
    text, n = re.subn(r"(?m)^max_file_bytes = .*$", "max_file_bytes = 1000", text)
    assert n == 1
    config.write_text(text)
    setup_alice(data_dir)
    server = server_factory()
    api = Api(server, make_token(server, "alice", USER_PASSWORD))
    assert_problem(put(api, "/Team/big.bin", b"x" * 1001), 413)  # by its Content-Length
    assert put(api, "/Team/ok.bin", b"x" * 1000).status_code == 201
    assert_problem(put(api, "/Team/chunked.bin", iter([b"x" * 600, b"y" * 600])), 413)
    assert_problem(get(api, "/files/stat", path="/Team/chunked.bin"), 404)
