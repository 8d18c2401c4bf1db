"""The HTTPS listener at its edges: TLS policy, headers, limits, timeouts, shutdown."""
import json
import socket
import ssl
import subprocess
import time

import pytest
import requests

from conftest import read_all

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=",
}


def assert_secure_headers(headers):
    for name, must_contain in SECURITY_HEADERS.items():
        assert must_contain in headers.get(name, ""), (name, dict(headers))
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "server" not in {k.lower() for k in headers}


def get(server, path, **kw):
    return requests.get(server.url + path, verify=str(server.data / "tls/cert.pem"),
                        timeout=10, **kw)


def raw_request(server, request: bytes, timeout=10) -> bytes:
    with server.tls_socket() as s:
        s.sendall(request)
        return read_all(s, timeout)


def test_serve_prints_the_url_and_answers_status(server):
    assert f"Listening: https://127.0.0.1:{server.port}/api/v1/" in server.banner
    assert "SFTP is disabled" in server.banner
    r = get(server, "/api/v1/status")  # verifies the init certificate (SAN 127.0.0.1)
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["content-type"] == "application/json"
    assert_secure_headers(r.headers)


def test_unknown_routes_are_404_problems_that_never_echo_input(server):
    bodies = set()
    for path in ["/index.html", "/api/v1/nothing", "/api/v1/status/",
                 "/api/v1/%2e%2e/%2e%2e/etc/passwd", "/human2.aspx?<script>x</script>",
                 "/api/v1/" + "A" * 2000, "/api/v1/'%20OR%201=1--"]:
        r = get(server, path)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json"
        assert_secure_headers(r.headers)
        doc = r.json()
        assert doc["status"] == 404 and doc["title"] == "Not Found"
        for piece in ("etc", "passwd", "aspx", "script", "AAAA", "OR", "api"):
            assert piece not in r.text, (path, r.text)
        bodies.add(r.text)
    # Sent raw: clients would normalise these before sending.
    for target in [b"/api/v1/status/../status", b"/api/v1/./status", b"/api/v1//status",
                   b"/api/v1/status/..%2f..%2fetc/passwd"]:
        out = raw_request(server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                                  b"Connection: close\r\n\r\n")
        head, _, body = out.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 404"), target
        assert b"nosniff" in head and b"default-src 'none'" in head
        bodies.add(body.decode())
    assert len(bodies) == 1  # the same answer whatever was asked


def test_wrong_method_is_405_with_allow(server):
    r = requests.delete(server.url + "/api/v1/status", verify=str(server.data / "tls/cert.pem"),
                        timeout=10)
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert_secure_headers(r.headers)


def test_curl_sees_the_same_headers(server):
    out = subprocess.run(["curl", "-sS", "-D", "-", "-o", "/dev/null", "--cacert",
                          str(server.data / "tls/cert.pem"), server.url + "/api/v1/missing"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    head = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip()
            for line in out.splitlines()[1:] if ":" in line}
    assert out.startswith("HTTP/1.1 404")
    assert_secure_headers(head)


def test_keep_alive_serves_several_requests_on_one_connection(server):
    with requests.Session() as s:
        for _ in range(5):
            r = s.get(server.url + "/api/v1/status", timeout=10,
                      verify=str(server.data / "tls/cert.pem"))
            assert r.status_code == 200
    with server.tls_socket() as s:
        req = b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req + req + req.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        out = read_all(s)
    assert out.count(b"HTTP/1.1 200") == 3


def test_request_head_at_the_limit_passes_and_one_byte_over_gets_431(server_factory):
    server = server_factory(max_header_bytes=4096)
    base = b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: "
    # The limit covers the request line and every header line, up to and with the blank line.
    pad = 4096 - len(base) - len(b"\r\n\r\n")
    ok = raw_request(server, base + b"a" * pad + b"\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200"), ok[:100]
    over = raw_request(server, base + b"a" * (pad + 1) + b"\r\n\r\n")
    assert over.startswith(b"HTTP/1.1 431"), over[:100]
    assert b"application/problem+json" in over and b"nosniff" in over
    huge = get(server, "/api/v1/status", headers={"X-Huge": "b" * 100_000})
    assert huge.status_code == 431


def test_json_body_over_the_limit_gets_413(server_factory):
    server = server_factory(max_json_body_bytes=1024)
    out = raw_request(server, b"POST /api/v1/status HTTP/1.1\r\nHost: x\r\n"
                              b"Content-Length: 1025\r\n\r\n" + b"{" * 1025)
    assert out.startswith(b"HTTP/1.1 413"), out[:100]
    ok = raw_request(server, b"POST /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             b"Content-Length: 1024\r\n\r\n" + b"{" * 1024)
    assert ok.startswith(b"HTTP/1.1 405"), ok[:100]  # read in full, then routed


@pytest.mark.parametrize("request_bytes", [
    b"GET /api/v1/status HTTP/1.1\r\nHost x\r\n\r\n",
    b"GET /api/v1/status HTTP/9.9\r\n\r\n",
    b"\x16\x03\x01garbage\r\n\r\n",
    b"GET /api/v1/status HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    b"GET /api/v1/status HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"GET /api/v1/status HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET\x00 / HTTP/1.1\r\n\r\n",
])
def test_malformed_requests_get_400_and_a_closed_connection(server, request_bytes):
    out = raw_request(server, request_bytes)
    assert out.startswith(b"HTTP/1.1 400"), out[:120]
    assert b"application/problem+json" in out


def test_absolute_form_targets_and_unknown_methods_are_refused(server):
    out = raw_request(server, b"GET https://evil/api/v1/status HTTP/1.1\r\nHost: x\r\n"
                              b"Connection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400")
    out = raw_request(server, b"TRACE /api/v1/status HTTP/1.1\r\nHost: x\r\n"
                              b"Connection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 501")


def test_slow_client_is_disconnected_at_the_read_timeout(server):
    # read_timeout_seconds = 2: a head trickled in slower than that is cut off.
    with server.tls_socket() as s:
        start = time.time()
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\n")
        closed = False
        for _ in range(20):
            time.sleep(0.5)
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                closed = True
                break
            s.settimeout(0.01)
            try:
                if s.recv(1) == b"":
                    closed = True
                    break
            except (socket.timeout, ssl.SSLWantReadError):
                pass
            except (ssl.SSLError, ConnectionResetError, OSError):
                closed = True
                break
        elapsed = time.time() - start
    assert closed and 1.5 <= elapsed <= 5, elapsed


def test_idle_keep_alive_connection_is_closed_at_the_idle_timeout(server):
    with server.tls_socket() as s:
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        start = time.time()
        out = read_all(s, timeout=15)
        elapsed = time.time() - start
    assert out.startswith(b"HTTP/1.1 200")
    assert 2.5 <= elapsed <= 6, elapsed  # idle_timeout_seconds = 3


def test_connections_per_address_are_capped(server_factory):
    server = server_factory(max_connections_per_address=2)
    held = [server.tls_socket(), server.tls_socket()]
    try:
        with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
            extra = server.tls_socket()
            extra.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(1) != b""
        for s in held:
            s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(12) == b"HTTP/1.1 200"
    finally:
        for s in held:
            s.close()
    time.sleep(0.5)  # the slots free up once the server sees the close
    assert get(server, "/api/v1/status").status_code == 200


def test_total_connections_are_capped(server_factory):
    server = server_factory(max_connections=1)
    with server.tls_socket() as first:
        with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
            extra = server.tls_socket()
            extra.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(1) != b""
        first.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert first.recv(12) == b"HTTP/1.1 200"


def test_tls_below_1_2_is_refused(server):
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        server.tls_socket(minimum_version=ssl.TLSVersion.TLSv1,
                          maximum_version=ssl.TLSVersion.TLSv1_1, ciphers="ALL:@SECLEVEL=0")


@pytest.mark.parametrize("cipher", ["AES256-GCM-SHA384", "AES128-SHA", "ECDHE-ECDSA-AES128-SHA",
                                    "ECDHE-ECDSA-AES256-SHA384"])
def test_tls_1_2_without_ecdhe_and_aead_is_refused(server, cipher):
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        server.tls_socket(maximum_version=ssl.TLSVersion.TLSv1_2, ciphers=cipher)


def test_tls_1_2_ecdhe_aead_and_1_3_are_accepted(server):
    with server.tls_socket(maximum_version=ssl.TLSVersion.TLSv1_2,
                           ciphers="ECDHE-ECDSA-AES128-GCM-SHA256") as s:
        assert s.version() == "TLSv1.2"
    with server.tls_socket() as s:
        assert s.version() == "TLSv1.3"


def test_stop_closes_idle_connections_and_exits_cleanly(server):
    idle = server.tls_socket()
    idle.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
    assert idle.recv(12) == b"HTTP/1.1 200"
    start = time.time()
    assert server.stop() == 0
    assert time.time() - start < 1.5  # idle keep-alive waits are cut, not waited out
    idle.close()


def test_unknown_http_setting_stops_the_server(data_dir):
    config = data_dir / "coffer.toml"
    config.write_text(config.read_text().replace("[http]\n", "[http]\nlisten_adress = \"0.0.0.0\"\n"))
    p = subprocess.run([__import__("conftest").coffer_bin(), "--data", str(data_dir), "serve"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "listen_adress" in p.stderr


def test_head_answers_carry_no_body_so_keep_alive_stays_in_step(server):
    with server.tls_socket() as s:
        s.sendall(b"HEAD /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        out = read_all(s)
    first, _, rest = out.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 405")  # no HEAD route yet
    assert rest.startswith(b"HTTP/1.1 200"), rest[:80]
    assert rest.endswith(b'{"status":"ok"}')
