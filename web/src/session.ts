// Who is signed in, and where the sign-in flow stands.
import { reactive } from "vue";
import { call, get, onUnauthorized, post, setCsrfToken, type LoginAnswer, type Me } from "./api";

export type Phase = "loading" | "signin" | "mfa" | "enrol" | "change" | "ready";

export const session = reactive({
  phase: "loading" as Phase,
  me: null as Me | null,
  notice: "",
});

function accept(me: Me): void {
  session.me = me;
  setCsrfToken(me.csrf_token);
  if (me.mfa_enrolment_required) session.phase = "enrol";
  else if (me.mfa_pending) session.phase = "mfa";
  else session.phase = me.must_change_password ? "change" : "ready";
}

// After the second factor was given or enrolled: where the session stands now.
export async function refreshSession(): Promise<void> {
  accept(await get<Me>("/api/v1/me"));
}

export async function loadSession(): Promise<void> {
  try {
    accept(await call<Me>("GET", "/api/v1/me", { quiet401: true }));
  } catch {
    session.me = null;
    session.phase = "signin";
  }
}

async function afterLogin(answer: LoginAnswer): Promise<void> {
  if (answer.mfa_required || answer.mfa_enrolment_required) {
    // The pending session posts the code (or enrols) with this token.
    if (answer.csrf_token) setCsrfToken(answer.csrf_token);
    session.phase = answer.mfa_required ? "mfa" : "enrol";
    return;
  }
  if (answer.csrf_token) setCsrfToken(answer.csrf_token);
  // /me is the one source of the signed-in user and its CSRF token.
  accept(await get<Me>("/api/v1/me"));
}

export async function signIn(username: string, password: string): Promise<void> {
  const answer = await call<LoginAnswer>("POST", "/api/v1/auth/login", {
    body: { username, password },
    quiet401: true,
  });
  await afterLogin(answer);
}

export async function submitMfa(code: string): Promise<void> {
  const answer = await call<LoginAnswer>("POST", "/api/v1/auth/mfa", {
    body: { code },
    quiet401: true,
  });
  await afterLogin(answer);
}

export async function changePassword(current: string, next: string): Promise<void> {
  await post("/api/v1/me/password", { current_password: current, new_password: next });
  accept(await get<Me>("/api/v1/me"));
}

export async function signOut(): Promise<void> {
  try {
    await post("/api/v1/auth/logout");
  } finally {
    setCsrfToken("");
    session.me = null;
    session.phase = "signin";
    location.hash = "";
  }
}

onUnauthorized(() => {
  if (session.phase === "ready" || session.phase === "change" || session.phase === "enrol") {
    session.me = null;
    session.notice = "Your session has ended. Please sign in again.";
    session.phase = "signin";
  }
});
