"""The sign-in defender against a real password-guessing tool over HTTPS: hydra
(Debian) guesses a password at POST /api/v1/auth/login from 127.0.0.1 with a word
list that holds the right password late. The account locks for that address and
the address is banned before the right password is tried; the right password
then fails from there, while 127.0.0.2 can still sign in."""
import json
import subprocess

from conftest import coffer_bin

PASSWORD = "quartz-meadow-lantern-harbor-57"


def cli(server, *args, stdin=None):
    return subprocess.run([coffer_bin(), "--data", str(server.data), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def login_from(server, source, password):
    """Signs in with curl bound to `source`; returns the HTTP status."""
    body = json.dumps({"username": "alice", "password": password})
    p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--interface",
                        source, "--cacert", str(server.data / "tls/cert.pem"), "-H",
                        "Content-Type: application/json", "--data-binary", body,
                        f"{server.url}/api/v1/auth/login"],
                       capture_output=True, text=True, timeout=30)
    return int(p.stdout or 0)


def test_hydra_is_stopped_before_the_right_password(server, tmp_path):
    made = cli(server, "user", "add", "alice", "--password-file", "-", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    words = [f"guess-number-{i:02d}" for i in range(40)] + [PASSWORD]
    wordlist = tmp_path / "words.txt"
    wordlist.write_text("\n".join(words) + "\n")
    form = ('/api/v1/auth/login:{"username"\\:"^USER^","password"\\:"^PASS^"}'
            ':H=Content-Type\\: application/json:F=invalid user name')
    p = subprocess.run(["hydra", "-l", "alice", "-P", str(wordlist), "-t", "4", "-s",
                        str(server.port), "-I", "-f", "127.0.0.1", "https-post-form", form],
                       capture_output=True, text=True, timeout=300)
    assert "1 valid password found" not in p.stdout and PASSWORD not in p.stdout, p.stdout
    records = json.loads(cli(server, "--json", "activity", "--limit", "1000").stdout)
    actions = [r["action"] for r in records]
    assert "account.lock" in actions and "defender.ban" in actions
    checked = [r for r in records if r["action"] == "auth.password" and r["protocol"] == "https"
               and r["detail"].startswith("unauthenticated")]
    assert 1 <= len(checked) <= 10, checked  # passwords really checked before the ban
    assert "127.0.0.1" in cli(server, "ban", "list").stdout
    assert login_from(server, "127.0.0.1", PASSWORD) == 403
    assert login_from(server, "127.0.0.2", PASSWORD) == 200
