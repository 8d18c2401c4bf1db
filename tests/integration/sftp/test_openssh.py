"""The OpenSSH sftp and scp clients against coffer, tried as a partner's script would."""
import hashlib
import subprocess

from conftest import SSH_OPTS, make_file


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_put_get_round_trip_and_listing(server, tmp_path):
    src = make_file(tmp_path / "report.bin", 20 * 1024 * 1024 + 123)
    back = tmp_path / "back.bin"
    out = server.sftp("alice", f"cd /A\nput {src} report.bin\nls -l\nget report.bin {back}\n")
    assert sha(src) == sha(back)
    assert b"report.bin" in out.stdout
    listing = server.coffer("files", "stat", "/A/report.bin", "--json").stdout.decode()
    assert hashlib.sha256(src.read_bytes()).hexdigest() in listing


def test_virtual_root_shows_only_granted_folders(server):
    out = server.sftp("alice", "ls -1 /\n").stdout.decode()
    names = [l.strip().lstrip("/") for l in out.splitlines() if not l.startswith("sftp>")]
    assert "A" in names and "B" not in names


def test_ungranted_folder_looks_exactly_like_a_missing_one(server, tmp_path):
    server.coffer("files", "put", __file__, "/B/secret.txt")
    hidden = server.sftp("alice", "ls /B\n", check=False)
    missing = server.sftp("alice", "ls /Nope\n", check=False)
    assert hidden.returncode != 0 and missing.returncode != 0
    assert hidden.stderr.replace(b"/B", b"X") == missing.stderr.replace(b"/Nope", b"X")
    got = server.sftp("alice", f"get /B/secret.txt {tmp_path}/x\n", check=False)
    assert got.returncode != 0 and not (tmp_path / "x").exists()


def test_scp_both_ways(server, tmp_path):
    src = make_file(tmp_path / "scp.bin", 3 * 1024 * 1024)
    base = ["scp", "-P", str(server.port), *SSH_OPTS, "-i", str(server.keys["alice"])]
    subprocess.run(base + [str(src), "alice@127.0.0.1:/A/scp.bin"], check=True, timeout=120)
    subprocess.run(base + ["alice@127.0.0.1:/A/scp.bin", str(tmp_path / "scp.back")], check=True,
                   timeout=120)
    assert sha(src) == sha(tmp_path / "scp.back")


def test_resume_with_reput_and_reget(server, tmp_path):
    full = make_file(tmp_path / "big.bin", 6 * 1024 * 1024)
    half = tmp_path / "half.bin"
    half.write_bytes(full.read_bytes()[: 2 * 1024 * 1024 + 7])
    server.sftp("alice", f"put {half} /A/resume.bin\n")
    server.sftp("alice", f"reput {full} /A/resume.bin\n")
    back = tmp_path / "resume.back"
    back.write_bytes(full.read_bytes()[:1000])
    server.sftp("alice", f"reget /A/resume.bin {back}\n")
    assert sha(back) == sha(full)


def test_folder_operations(server):
    out = server.sftp("alice", "mkdir /A/d1\nmkdir /A/d1/d2\nrename /A/d1 /A/d3\nls /A/d3\n"
                      "rmdir /A/d3/d2\nrmdir /A/d3\n")
    assert b"d2" in out.stdout
    server.sftp("alice", "mkdir /A/full\n")
    server.coffer("files", "put", __file__, "/A/full/f.txt")
    p = server.sftp("alice", "rmdir /A/full\n", check=False)
    assert p.returncode != 0  # OpenSSH's client prints only "Failure"


def test_links_are_refused_cleanly(server):
    server.coffer("files", "put", __file__, "/A/target.txt")
    p = server.sftp("alice", "ln -s /A/target.txt /A/link\n", check=False)
    assert p.returncode != 0
    assert b"unsupported" in p.stderr
    p = server.sftp("alice", "ln /A/target.txt /A/hard\n", check=False)
    assert p.returncode != 0


def test_times_are_preserved_with_put_p(server, tmp_path):
    src = make_file(tmp_path / "old.bin", 1000)
    import os
    os.utime(src, (1_500_000_000, 1_500_000_000))
    server.sftp("alice", f"put -p {src} /A/old.bin\n")
    client = server.paramiko("alice")
    try:
        assert client.open_sftp().stat("/A/old.bin").st_mtime == 1_500_000_000
    finally:
        client.close()


def test_quota_shows_in_df_and_stops_uploads(server, tmp_path):
    server.coffer("user", "add", "carol", "--password-file", "-", input=b"a long secret for C-3\n")
    server.coffer("folder", "add", "/C")
    server.coffer("grant", "/C", "carol", "list,read,write,delete")
    server.coffer("user", "quota", "carol", "4MiB")
    server.coffer("user", "key", "add", "carol", str(server.keys["alice"]) + ".pub")
    df = server.sftp("carol", "df /C\n", key=server.keys["alice"]).stdout.decode()
    avail_kib = int(df.strip().splitlines()[-1].split()[2])
    assert 3000 < avail_kib <= 4096
    big = make_file(tmp_path / "big.bin", 5 * 1024 * 1024)
    p = server.sftp("carol", f"put {big} /C/big.bin\n", key=server.keys["alice"], check=False)
    assert p.returncode != 0
    ls = server.coffer("files", "ls", "/C", "--json").stdout
    assert b"big.bin" not in ls


def test_shell_and_exec_are_refused_and_logged(server):
    base = ["ssh", "-p", str(server.port), *SSH_OPTS, "-i", str(server.keys["alice"]),
            "-o", "IdentitiesOnly=yes", "alice@127.0.0.1"]
    p = subprocess.run(base + ["id"], capture_output=True, timeout=30)
    assert p.returncode != 0
    p = subprocess.run(base + ["-T"], capture_output=True, timeout=30, input=b"id\n")
    assert p.returncode != 0
    p = subprocess.run(["ssh", "-p", str(server.port), *SSH_OPTS, "-i", str(server.keys["alice"]),
                        "-N", "-R", "127.0.0.1:40000:127.0.0.1:22", "-o", "ExitOnForwardFailure=yes",
                        "-o", "IdentitiesOnly=yes", "alice@127.0.0.1"],
                       capture_output=True, timeout=30)
    assert p.returncode != 0
    log = server.serve_log()
    assert "exec refused" in log and "shell refused" in log and "request refused" in log


def test_stalled_clients_do_not_hold_up_others(server):
    # Connections that never speak hold only their own threads (grace time 30 s).
    import socket
    import time
    stalled = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(5)]
    start = time.time()
    server.sftp("alice", "ls /A\n")
    assert time.time() - start < 20
    for s in stalled:
        s.close()
