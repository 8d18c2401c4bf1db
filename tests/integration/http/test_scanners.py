"""Outside scanners find nothing: testssl.sh (Debian) reports no weak protocol,
cipher or vulnerability, and sqlmap (Debian) finds no injection in the sign-in
form or the API's parameters. The generated certificate is self-signed, so the
findings about its chain of trust and revocation are expected and the only ones
allowed."""
import json
import subprocess

import pytest

from conftest import coffer_bin

# Findings that only say the certificate made at init is self-signed.
SELF_SIGNED = {"cert_chain_of_trust", "cert_revocation", "DNS_CAArecord", "OCSP_stapling",
               "cert_trust"}
BAD = {"LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN"}


def cli(server, *args):
    return subprocess.run([coffer_bin(), "--data", str(server.data), *args],
                          capture_output=True, text=True, timeout=60)


def test_testssl_reports_no_weakness(server_factory, tmp_path):
    # Default limits: testssl opens many connections from one address.
    server = server_factory()
    report = tmp_path / "testssl.json"
    subprocess.run(["testssl", "--quiet", "--color", "0", "--warnings", "off",
                    "--jsonfile-pretty", str(report), "-p", "-s", "-f", "-U", "-S", "-h",
                    f"127.0.0.1:{server.port}"], capture_output=True, timeout=600)
    doc = json.loads(report.read_text())
    findings = [f for section in doc["scanResult"] for value in section.values()
                if isinstance(value, list) for f in value]
    assert len(findings) > 50  # the scan really ran
    bad = [(f["id"], f["severity"], f["finding"]) for f in findings
           if f.get("severity") in BAD and f["id"] not in SELF_SIGNED]
    assert not bad, bad
    offered = {f["id"]: f["finding"] for f in findings if f["id"].startswith(("SSL", "TLS1"))}
    for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        assert offered.get(old, "not offered").startswith("not offered"), offered
    assert offered["TLS1_2"].startswith("offered") and offered["TLS1_3"].startswith("offered")


def sqlmap(tmp_path, url, *extra):
    p = subprocess.run(["sqlmap", "-u", url, "--batch", "--level=1", "--risk=1", "--threads=4",
                        # A busy machine's slow answer must not pass for a sleeping database.
                        "--time-sec=10", "--disable-coloring", "--output-dir", str(tmp_path / "sqlmap"), *extra],
                       capture_output=True, text=True, timeout=900)
    out = p.stdout + p.stderr
    assert "do not appear to be injectable" in out, out[-3000:]
    assert "identified the following injection point" not in out
    assert "is vulnerable" not in out


@pytest.fixture
def scanned(server):
    # sqlmap sends hundreds of failing sign-ins: keep its address from being banned.
    assert cli(server, "iprule", "add", "allow", "127.0.0.1").returncode == 0
    return server


def test_sqlmap_finds_no_injection_in_the_sign_in_form(scanned, tmp_path):
    sqlmap(tmp_path, scanned.url + "/api/v1/auth/login",
           "--data", '{"username":"*","password":"guess-x"}',
           "--headers", "Content-Type: application/json")
    sqlmap(tmp_path, scanned.url + "/api/v1/auth/login",
           "--data", '{"username":"admin","password":"*"}',
           "--headers", "Content-Type: application/json")


def test_sqlmap_finds_no_injection_in_api_parameters(scanned, tmp_path):
    made = cli(scanned, "token", "create", "--user", "admin", "--name", "scan",
               "--scopes", "read,write,admin")
    token = made.stdout.strip().splitlines()[-1]
    auth = f"Authorization: Bearer {token}"
    # Ids that name nothing: the scan must not revoke its own token.
    sqlmap(tmp_path, scanned.url + "/api/v1/me/tokens?id=999", "--method", "DELETE",
           "-p", "id", "--ignore-code", "404", "--headers", auth)
    sqlmap(tmp_path, scanned.url + "/api/v1/me/sessions?id=999", "--method", "DELETE",
           "-p", "id", "--ignore-code", "404", "--headers", auth)
    sqlmap(tmp_path, scanned.url + "/api/v1/me/tokens",
           "--data", '{"name":"*","scopes":["read"]}', "--headers",
           auth + "\nContent-Type: application/json")
