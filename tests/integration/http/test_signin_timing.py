"""An unknown user and a wrong password cost the same: the answer and its
timing at POST /api/v1/auth/login do not tell whether an account exists.

Bound: the medians of 15 alternating attempts each differ by less than 25% of
the slower median or 50 ms, whichever is larger. Both paths run one Argon2id
verification (a dummy hash for unknown users), so the real difference is far
below this; the margin absorbs a loaded CI machine."""
import statistics
import subprocess
import time

import requests

from conftest import coffer_bin

ATTEMPTS = 15


def attempt(server, user):
    start = time.perf_counter()
    r = requests.post(server.url + "/api/v1/auth/login", json={"username": user,
                      "password": "definitely-not-the-password"},
                      verify=str(server.data / "tls/cert.pem"), timeout=30)
    elapsed = time.perf_counter() - start
    assert r.status_code == 403
    return elapsed, r.text


def test_unknown_user_and_wrong_password_take_the_same_time(server):
    # Never ban this address, so every attempt takes the path under test.
    subprocess.run([coffer_bin(), "--data", str(server.data), "iprule", "add", "allow",
                    "127.0.0.1"], check=True, capture_output=True, timeout=60)
    attempt(server, "admin")  # warm up the connection path
    unknown, wrong, bodies = [], [], set()
    for _ in range(ATTEMPTS):
        t, body = attempt(server, "nobody-here")
        unknown.append(t)
        bodies.add(body)
        t, body = attempt(server, "admin")
        wrong.append(t)
        bodies.add(body)
    assert len(bodies) == 1
    a, b = statistics.median(unknown), statistics.median(wrong)
    bound = max(0.25 * max(a, b), 0.050)
    print(f"median unknown user {a * 1000:.1f} ms, wrong password {b * 1000:.1f} ms, "
          f"bound {bound * 1000:.1f} ms")
    assert abs(a - b) < bound, (a, b)
