// Starts the real `coffer serve` on a free loopback port with a fresh data
// directory (the same way as tests/integration/http/conftest.py), and runs
// the coffer CLI against that data directory.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ADMIN_PASSWORD = "correct-horse-battery-staple-42";
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function cofferBin() {
  return process.env.COFFER_BIN || join(root, "build/release/src/coffer/coffer");
}

// Changes documented default `key = value` lines inside [section] only.
function setSettings(text, section, settings) {
  const start = text.indexOf(`\n[${section}]\n`);
  if (start < 0) throw new Error(`no [${section}] in coffer.toml`);
  let end = text.indexOf("\n[", start + 1);
  if (end < 0) end = text.length;
  let body = text.slice(start, end);
  for (const [key, value] of Object.entries(settings)) {
    const re = new RegExp(`^${key} = .*$`, "m");
    if (!re.test(body)) throw new Error(`no ${key} in [${section}]`);
    body = body.replace(re, `${key} = ${value}`);
  }
  return text.slice(0, start) + body + text.slice(end);
}

export class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "coffer-web-"));
    this.data = join(this.dir, "data");
    const pw = join(this.dir, "admin-password");
    writeFileSync(pw, ADMIN_PASSWORD + "\n");
    execFileSync(cofferBin(), ["init", "--data", this.data, "--admin-password-file", pw], {
      stdio: "pipe",
      timeout: 120_000,
    });
    const config = join(this.data, "coffer.toml");
    let text = setSettings(readFileSync(config, "utf8"), "http", { port: 0 });
    // The shortest allowed freshness, so the re-authentication prompt can be tested.
    text = setSettings(text, "mfa", { fresh_seconds: 30 });
    writeFileSync(config, setSettings(text, "sftp", { enabled: "false" }));
  }

  // Runs `coffer --data DIR ARGS...` and returns its standard output.
  cli(...args) {
    return execFileSync(cofferBin(), ["--data", this.data, ...args], { stdio: "pipe", timeout: 60_000 }).toString();
  }

  start() {
    this.proc = spawn(cofferBin(), ["--data", this.data, "serve"], { stdio: ["ignore", "pipe", "pipe"] });
    let banner = "";
    this.proc.stderr.on("data", (d) => (this.stderr = (this.stderr ?? "") + d));
    return new Promise((resolveStart, reject) => {
      const timer = setTimeout(() => {
        this.proc.kill("SIGKILL");
        reject(new Error(`server did not start: ${banner}${this.stderr ?? ""}`));
      }, 30_000);
      this.proc.stdout.on("data", (d) => {
        banner += d;
        const m = banner.match(/Listening: https:\/\/(\S+):(\d+)\//);
        if (m && !this.url) {
          clearTimeout(timer);
          this.url = `https://${m[1]}:${m[2]}`;
          resolveStart(this);
        }
      });
      this.proc.on("exit", (code) => {
        clearTimeout(timer);
        if (!this.url) reject(new Error(`server exited ${code}: ${banner}${this.stderr ?? ""}`));
      });
    });
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), 30_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
