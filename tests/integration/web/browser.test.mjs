// Browser tests: Debian's Chromium driven by playwright-core against the real
// `coffer serve`. They sign in (and through the forced password change),
// browse, make a folder, upload by the picker and watch progress reach 100%,
// compare the SHA-256 shown and the downloaded bytes, delete and restore, and
// have an administrator create a user who then sees only their folders; every
// page must run with zero Content-Security-Policy violations. A test whose
// API routes the server does not have yet is skipped and says which.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_PASSWORD, Server } from "./server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const { chromium } = createRequire(join(root, "web/package.json"))("playwright-core");
const artifacts = process.env.COFFER_WEB_ARTIFACTS || join(root, "build/web-test-artifacts");
mkdirSync(artifacts, { recursive: true });

let server;
let browser;
const have = {};
const violations = []; // CSP violations and page errors, from every page of every test
let adminPassword = ADMIN_PASSWORD;
let carolPassword = "";

// Skips test `t` (and returns true) when the server lacks a route it needs.
function lacks(t, ...needs) {
  const missing = needs.filter((n) => !have[n]);
  if (missing.length === 0) return false;
  t.skip(`the server has no ${missing.map((n) => ROUTE_PROBES[n][1]).join(", ")} yet`);
  return true;
}

// A route that exists answers anything but 404 (405 for a method it lacks, 401 unsigned).
const ROUTE_PROBES = {
  login: ["/api/v1/auth/login", "sign-in (POST /api/v1/auth/login)"],
  files: ["/api/v1/files", "file routes (GET /api/v1/files)"],
  admin: ["/api/v1/admin/users", "admin routes (GET /api/v1/admin/users)"],
  mfa: ["/api/v1/me/mfa", "second-factor routes (GET /api/v1/me/mfa)"],
};

async function newPage() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content.Security.Policy|CSP violation|Refused to/i.test(msg.text())) {
      violations.push(`${page.url()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => violations.push(`${page.url()}: page error: ${err.message}`));
  page.setDefaultTimeout(20_000);
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

const mainNav = (page) => page.getByRole("navigation", { name: "Main" });

// Waits for the signed-in shell; fails with the form's message if one shows instead.
async function reachShell(page) {
  try {
    await mainNav(page).waitFor();
  } catch (e) {
    await shot(page, "failed-" + Date.now());
    const alert = page.getByRole("alert");
    if (await alert.count()) assert.fail(`still on the form: ${await alert.first().textContent()}`);
    throw e;
  }
}

// TOTP as an authenticator app computes it (RFC 6238: HMAC-SHA-1, 30 s, 6 digits).
// The server accepts each step once per user, so nextCode() never reuses one.
const mfaSecrets = {}; // user -> base32 secret read from the enrolment page
const lastStep = {};
function totpAt(secret, step) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
async function nextCode(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    for (const step of [now, now + 1]) {
      if (step > (lastStep[secret] ?? -1)) {
        lastStep[secret] = step;
        return totpAt(secret, step);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200));
  }
}

// On the enrolment page: reads the secret shown, confirms with a code, returns the recovery codes.
async function enrolInPage(page, user, shots = false) {
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secretBox = page.getByTestId("mfa-secret");
  await secretBox.waitFor();
  const secret = (await secretBox.textContent()).replace(/\s+/g, "");
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(await secretBox.getAttribute("data-secret"), secret);
  const qr = page.getByRole("img", { name: /QR code/ });
  assert.match(await qr.getAttribute("src"), /^data:image\/svg\+xml;base64,/);
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code image renders under the CSP");
  if (shots) await shot(page, "mfa-enrol");
  mfaSecrets[user] = secret;
  await page.getByLabel("Code from the app").fill(await nextCode(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const list = page.getByTestId("recovery-codes");
  await list.waitFor();
  const codes = (await list.getByRole("listitem").allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10);
  if (shots) await shot(page, "mfa-recovery-codes");
  await page.getByRole("button", { name: /I have saved them/ }).click();
  return codes;
}

// Signs in; enrols the second factor when the account must, gives a code when
// it has one, and when the server asks for a new password, sets `newPassword`.
async function signIn(page, user, password, newPassword) {
  await page.goto(server.url + "/");
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const forced = page.getByRole("heading", { name: "Choose a new password" });
  const enrol = page.getByRole("heading", { name: "Set up two-step verification" });
  const askCode = page.getByRole("heading", { name: "Two-step verification", exact: true });
  let result = password;
  for (let i = 0; i < 4; i++) {
    await Promise.race([mainNav(page).waitFor(), forced.waitFor(), enrol.waitFor(), askCode.waitFor()]);
    if (await mainNav(page).isVisible()) return result;
    if (await enrol.isVisible()) {
      await enrolInPage(page, user);
      await enrol.waitFor({ state: "detached" });
    } else if (await askCode.isVisible()) {
      assert.ok(mfaSecrets[user], `${user} was asked for a code`);
      await page.getByLabel("Verification code").fill(await nextCode(mfaSecrets[user]));
      await page.getByRole("button", { name: "Verify" }).click();
      await askCode.waitFor({ state: "detached" });
    } else {
      assert.ok(newPassword, `${user} was asked to change the password`);
      await page.getByLabel("Current password").fill(password);
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("Repeat the new password").fill(newPassword);
      await page.getByRole("button", { name: "Change password" }).click();
      await reachShell(page);
      result = newPassword;
    }
  }
  await reachShell(page);
  return result;
}

before(async () => {
  server = new Server();
  server.cli("folder", "add", "/Projects");
  const out = server.cli("user", "add", "carol");
  carolPassword = out.match(/One-time password: (\S+)/)[1];
  server.cli("grant", "/Projects", "carol", "list,read,write,delete");
  await server.start();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  for (const [name, [path]] of Object.entries(ROUTE_PROBES)) {
    have[name] = (await context.request.get(server.url + path)).status() !== 404;
  }
  await context.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the page is served exactly, under the strict CSP, with hashed assets cached", async () => {
  const page = await newPage();
  const res = await page.goto(server.url + "/");
  const h = res.headers();
  const csp = h["content-security-policy"];
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
    "img-src 'self' data:", "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
  }
  assert.ok(!csp.includes("unsafe"), csp);
  assert.equal(h["cache-control"], "no-store");
  assert.equal(h["x-content-type-options"], "nosniff");
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  assert.doesNotMatch(html, /\sstyle=|<style/, "no inline style");
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => a.endsWith(".js")) && assets.some((a) => a.endsWith(".css")), html);
  for (const a of assets) {
    const r = await page.request.get(server.url + a);
    assert.equal(r.status(), 200, a);
    assert.equal(r.headers()["cache-control"], "public, max-age=31536000, immutable", a);
  }
  // Exact routing: no index.html alias, no catch-all for client-side paths.
  for (const p of ["/index.html", "/files", "/assets/", "/assets/../index.html"]) {
    assert.equal((await page.request.get(server.url + p)).status(), 404, p);
  }
  await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
  await shot(page, "sign-in");
  await page.context().close();
});

test("sign-in: a wrong password is refused with one message; the administrator signs in", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login")) return;
  const page = await newPage();
  await page.goto(server.url + "/");
  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "not correct" }).waitFor();
  // After a failure the account waits before the next check (docs/security.md).
  await new Promise((resolve) => setTimeout(resolve, 2500));
  // Administrators must enrol a second factor at their first sign-in.
  await page.getByLabel("Password", { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Set up two-step verification" }).waitFor();
  await shot(page, "mfa-required");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.getByTestId("mfa-secret").waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  adminPassword = await signIn(page, "admin", ADMIN_PASSWORD, "Copper-window-8812-falcon");
  await assert.doesNotReject(mainNav(page).getByRole("link", { name: "Users" }).waitFor());
  await shot(page, "home");
  // The account page lists this very session.
  await page.getByTestId("account-link").click();
  await page.getByText("This session").waitFor();
  await shot(page, "account");
  await page.context().close();
});

test("a user who must change the password is made to, and then reaches the files", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login")) return;
  const page = await newPage();
  await page.goto(server.url + "/");
  await page.getByLabel("User name").fill("carol");
  await page.getByLabel("Password", { exact: true }).fill(carolPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await shot(page, "forced-password-change");
  await page.getByLabel("Current password").fill(carolPassword);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the new password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("alert").waitFor(); // the policy refuses it; still on the form
  carolPassword = "Orchid-lantern-7719-meadow";
  await page.getByLabel("New password", { exact: true }).fill(carolPassword);
  await page.getByLabel("Repeat the new password").fill(carolPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await reachShell(page);
  assert.equal(await mainNav(page).getByRole("link", { name: "Users" }).count(), 0, "carol is no administrator");
  await page.context().close();
});

test("browse, new folder, upload by picker to 100%, SHA-256, download, delete and restore", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login", "files")) return;
  const page = await newPage();
  await signIn(page, "admin", adminPassword);
  await page.getByRole("link", { name: "Projects" }).click();
  await page.getByRole("navigation", { name: "Breadcrumbs" }).getByText("Projects").waitFor();

  await page.getByRole("button", { name: "New folder" }).click();
  await page.getByLabel("Folder name").fill("Reports");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name: "Reports" }).click();
  await page.getByText("This folder is empty.").waitFor();

  const files = [
    { name: "q3.csv", mimeType: "text/csv", buffer: Buffer.from("region,total\nnorth,12\nsouth,30\n".repeat(2000)) },
    { name: "photo.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(3 * 1024 * 1024 + 17, 7) },
  ];
  // The uploads go through tus (resumable), not the streamed-PUT fallback.
  const uploadRequests = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path === "/api/v1/uploads" || path === "/api/v1/files/content") uploadRequests.push(`${r.method()} ${path}`);
  });
  await page.getByTestId("file-picker").setInputFiles(files);
  for (const f of files) {
    const item = page.locator(`[data-upload="${f.name}"]`);
    await item.getByTestId("upload-state").filter({ hasText: "Done" }).waitFor({ timeout: 60_000 });
    assert.equal(await item.getByTestId("upload-percent").textContent(), "100%");
  }
  assert.equal(uploadRequests.filter((r) => r === "POST /api/v1/uploads").length, files.length, uploadRequests.join());
  assert.ok(uploadRequests.includes("PATCH /api/v1/uploads"), uploadRequests.join());
  assert.ok(!uploadRequests.includes("PUT /api/v1/files/content"), uploadRequests.join());
  await shot(page, "upload-done");
  for (const f of files) await page.locator(`tr[data-name="${f.name}"]`).waitFor();
  await shot(page, "folder");

  const csv = files[0];
  await page.getByRole("button", { name: `Details of ${csv.name}` }).click();
  const sha = createHash("sha256").update(csv.buffer).digest("hex");
  await page.getByTestId("sha256").filter({ hasText: sha }).waitFor();
  await shot(page, "details");
  await page.keyboard.press("Escape");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: `Download ${csv.name}` }).click(),
  ]);
  assert.equal(download.suggestedFilename(), csv.name);
  assert.ok(readFileSync(await download.path()).equals(csv.buffer), "downloaded bytes equal the uploaded ones");

  await page.getByRole("button", { name: `Delete ${csv.name}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await page.locator(`tr[data-name="${csv.name}"]`).waitFor({ state: "detached" });
  await page.getByRole("link", { name: "Recycle bin" }).click();
  await page.getByRole("button", { name: `Restore ${csv.name}` }).click();
  await page.getByRole("link", { name: "Back to files" }).click();
  await page.locator(`tr[data-name="${csv.name}"]`).waitFor();
  await page.context().close();
});

test("a user enrols TOTP on the account page, signs out and signs in again with a code", { timeout: 180_000 }, async (t) => {
  if (lacks(t, "login", "mfa")) return;
  assert.ok(carolPassword !== "", "carol exists");
  const page = await newPage();
  await signIn(page, "carol", carolPassword);
  await page.getByTestId("account-link").click();
  await page.getByTestId("mfa-link").click();
  await page.getByRole("heading", { name: "Two-step verification" }).waitFor();
  await page.getByText("Two-step verification is off.").waitFor();
  await shot(page, "mfa-off");
  const codes = await enrolInPage(page, "carol", true);
  await page.getByText("Recovery codes left: 10.").waitFor();
  await shot(page, "mfa-on");
  await page.getByRole("button", { name: "Sign out" }).click();

  // Signing in again asks for a code; the keyboard alone gets through.
  await page.getByLabel("User name").fill("carol");
  await page.getByLabel("Password", { exact: true }).fill(carolPassword);
  await page.keyboard.press("Enter");
  const askCode = page.getByRole("heading", { name: "Two-step verification", exact: true });
  await askCode.waitFor();
  await shot(page, "mfa-code");
  await page.getByLabel("Verification code").fill("000000");
  await page.keyboard.press("Enter");
  await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the account's delay after a failure
  await page.getByLabel("Verification code").fill(await nextCode(mfaSecrets.carol));
  await page.keyboard.press("Enter");
  await reachShell(page);
  await page.context().close();

  // A recovery code works once, too.
  const other = await newPage();
  await other.goto(server.url + "/");
  await other.getByLabel("User name").fill("carol");
  await other.getByLabel("Password", { exact: true }).fill(carolPassword);
  await other.getByRole("button", { name: "Sign in" }).click();
  await other.getByLabel("Verification code").fill(codes[0]);
  await other.getByRole("button", { name: "Verify" }).click();
  await reachShell(other);
  await other.context().close();
});

let davePassword = "";

test("an administrator creates a user and grants a folder in the admin pages; the user signs in", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login", "admin")) return;
  const page = await newPage();
  await signIn(page, "admin", adminPassword);
  await mainNav(page).getByRole("link", { name: "Users" }).click();
  await page.getByRole("button", { name: "New user" }).click();
  await page.getByLabel("User name").fill("dave");
  await page.getByLabel("Display name").fill("Dave Example");
  await page.getByRole("button", { name: "Create user" }).click();
  await page.getByRole("dialog", { name: "One-time password" }).waitFor();
  const generated = (await page.getByTestId("generated-password").textContent()).trim();
  assert.ok(generated.length >= 12, "a one-time password is shown");
  await page.getByRole("button", { name: "Done" }).click();
  await page.locator('tr[data-name="dave"]').waitFor();
  await shot(page, "admin-users");

  await mainNav(page).getByRole("link", { name: "Permissions" }).click();
  await page.getByLabel("Folder path").last().fill("/Dave-inbox");
  await page.getByRole("button", { name: "Create folder" }).click();
  await page.getByLabel("User name, or @group").fill("dave");
  await page.getByRole("button", { name: "Save permissions" }).click();
  await page.getByRole("cell", { name: "dave", exact: true }).waitFor();
  await shot(page, "admin-permissions");
  await page.context().close();

  const davePage = await newPage();
  davePassword = await signIn(davePage, "dave", generated, "Quartz-harbor-5531-violet");
  assert.equal(await mainNav(davePage).getByRole("link", { name: "Users" }).count(), 0, "dave is no administrator");
  await davePage.context().close();
});

test("the new user sees only the folder granted to them", { timeout: 60_000 }, async (t) => {
  if (lacks(t, "login", "admin", "files")) return;
  assert.ok(davePassword, "the previous test created dave");
  const page = await newPage();
  await signIn(page, "dave", davePassword);
  await page.getByRole("link", { name: "Dave-inbox" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Projects" }).count(), 0, "dave does not see /Projects");
  await page.context().close();
});

test("creating an administrator asks for a fresh code, then goes through", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login", "admin", "mfa")) return;
  const page = await newPage();
  await signIn(page, "admin", adminPassword);
  const signedInAt = Date.now();
  await mainNav(page).getByRole("link", { name: "Users" }).click();
  await page.getByRole("button", { name: "New user" }).click();
  await page.getByLabel("User name").fill("erin");
  await page.getByLabel("Administrator").check();
  // [mfa] fresh_seconds is 30 in this server: let the sign-in's code go stale.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 31_500 - (Date.now() - signedInAt))));
  await page.getByRole("button", { name: "Create user" }).click();
  const prompt = page.getByRole("dialog", { name: "Confirm it is you" });
  await prompt.waitFor();
  await shot(page, "reauth");
  await prompt.getByLabel("Verification code").fill(await nextCode(mfaSecrets.admin));
  await prompt.getByRole("button", { name: "Verify and continue" }).click();
  await page.getByRole("dialog", { name: "One-time password" }).waitFor();
  await page.getByRole("button", { name: "Done" }).click();
  await page.locator('tr[data-name="erin"]').getByText("Administrator").waitFor();
  await page.context().close();
});

test("an administrator sees a ban, lifts it, bans an address and adds and removes an IP rule", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login", "admin")) return;
  server.cli("ban", "add", "192.0.2.77", "--seconds", "3600"); // as the defender would
  const page = await newPage();
  await signIn(page, "admin", adminPassword);
  await mainNav(page).getByRole("link", { name: "Defender" }).click();
  await page.getByRole("heading", { name: "Defender" }).waitFor();
  const ban = page.locator('tr[data-ban="192.0.2.77"]');
  await ban.waitFor();
  assert.match(await ban.textContent(), /1/, "the ban count shows");

  // A rule, by keyboard: fill the labelled fields and submit with Enter.
  await page.getByLabel("Address or network").fill("198.51.100.0/24");
  await page.getByLabel("Rule", { exact: true }).selectOption("deny");
  await page.getByLabel("Comment").fill("scanner");
  await page.getByLabel("Comment").press("Enter");
  const rule = page.locator('tr[data-rule="198.51.100.0/24"]');
  await rule.waitFor();
  assert.match(await rule.textContent(), /Deny.*scanner/s);
  await page.getByLabel("Address to ban").fill("192.0.2.78");
  await page.getByLabel("Minutes").fill("5");
  await page.getByRole("button", { name: "Ban address" }).click();
  await page.locator('tr[data-ban="192.0.2.78"]').waitFor();
  await shot(page, "admin-defender");
  assert.match(server.cli("iprule", "list"), /198\.51\.100\.0\/24/, "the rule is in the store");

  await page.getByRole("button", { name: "Remove the rule for 198.51.100.0/24" }).click();
  await rule.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Lift the ban of 192.0.2.77" }).click();
  await ban.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Lift the ban of 192.0.2.78" }).click();
  await page.getByText("No address is banned.").waitFor();
  assert.doesNotMatch(server.cli("iprule", "list"), /198\.51\.100\.0/, "the rule is gone from the store");
  assert.doesNotMatch(server.cli("ban", "list"), /192\.0\.2\.7[78]/, "no ban is left");
  await page.context().close();
});

test("the activity page shows records, filters by user and exports the search as CSV", { timeout: 120_000 }, async (t) => {
  if (lacks(t, "login", "admin")) return;
  const page = await newPage();
  await signIn(page, "admin", adminPassword);
  await mainNav(page).getByRole("link", { name: "Activity" }).click();
  await page.getByRole("heading", { name: "Recent activity" }).waitFor();
  const rows = page.locator("table.grid tbody tr");
  await rows.first().filter({ hasNotText: "No activity matches." }).waitFor();
  const actors = async () => page.locator("table.grid tbody tr td:nth-child(2)").allTextContents();
  assert.ok(new Set(await actors()).size > 1, "records of several users show");
  await shot(page, "activity");

  await page.getByLabel("User", { exact: true }).fill("carol");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll("table.grid tbody tr td:nth-child(2)")];
    return cells.length > 0 && cells.every((c) => c.textContent.trim() === "carol");
  });
  const shown = (await actors()).length;
  await shot(page, "activity-filtered");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const lines = readFileSync(await download.path(), "utf8").trim().split(/\r?\n/);
  assert.match(lines[0], /actor/, "a header row");
  assert.ok(lines.length - 1 >= shown, `the CSV has every record shown (${lines.length - 1} >= ${shown})`);
  for (const line of lines.slice(1)) assert.match(line, /"carol"/, line);
  await page.context().close();
});

test("every page ran with zero CSP violations and no script errors", () => {
  writeFileSync(join(artifacts, "violations.txt"), violations.join("\n"));
  assert.deepEqual(violations, []);
});
