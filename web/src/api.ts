// The REST API client (docs/api.md). Sessions ride on the __Host- cookie that
// the browser keeps; every state-changing call carries the CSRF token that
// sign-in and GET /api/v1/me return.

export interface Me {
  name: string;
  display_name: string;
  admin: boolean;
  must_change_password: boolean;
  mfa_enabled: boolean;
  mfa_pending?: boolean; // the session still owes a code
  mfa_enrolment_required?: boolean; // the session must enrol a second factor first
  csrf_token: string;
}

export type Perm = "list" | "read" | "write" | "delete" | "share" | "manage";

export interface Entry {
  id: number;
  name: string;
  path: string;
  type: "file" | "folder";
  size: number;
  sha256: string;
  created_at: number;
  modified_at: number;
  perms: Perm[];
  deleted_at?: number;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export interface LoginAnswer {
  user?: Me;
  csrf_token?: string;
  mfa_required?: boolean;
  mfa_enrolment_required?: boolean;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public title: string,
    public detail: string,
  ) {
    super(detail || title || `HTTP ${status}`);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

let csrfToken = "";
// Asked when a sensitive action needs a fresh second factor (the 403 whose
// detail starts with REAUTH_DETAIL); resolves true once the user re-authenticated.
let reauthHandler: (() => Promise<boolean>) | null = null;
export const REAUTH_DETAIL = "re-authentication needed";
export function onReauthNeeded(fn: () => Promise<boolean>): void {
  reauthHandler = fn;
}
const unauthorizedListeners: Array<() => void> = [];

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function csrfHeader(): Record<string, string> {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

// Called when a signed-in call answers 401 (the session ended elsewhere).
export function onUnauthorized(fn: () => void): void {
  unauthorizedListeners.push(fn);
}

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export async function call<T>(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; quiet401?: boolean; noReauth?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (stateChanging.has(method)) Object.assign(headers, csrfHeader());
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url(path, options.query), {
    method,
    headers,
    body,
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!res.ok) {
    let title = res.statusText;
    let detail = "";
    try {
      const p = await res.json();
      title = p.title ?? title;
      detail = p.detail ?? "";
    } catch {
      // not a problem document
    }
    if (res.status === 401 && !options.quiet401) unauthorizedListeners.forEach((fn) => fn());
    if (res.status === 403 && detail.startsWith(REAUTH_DETAIL) && reauthHandler && !options.noReauth) {
      if (await reauthHandler()) return call<T>(method, path, { ...options, noReauth: true });
    }
    throw new ApiError(res.status, title, detail);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, query?: Query) => call<T>("GET", path, { query });
// Without `body` nothing is sent (the API reads bodies strictly).
export const post = <T>(path: string, body?: unknown, query?: Query) =>
  call<T>("POST", path, { body, query });
export const put = <T>(path: string, body?: unknown, query?: Query) =>
  call<T>("PUT", path, { body, query });
export const patch = <T>(path: string, body?: unknown, query?: Query) =>
  call<T>("PATCH", path, { body, query });
export const del = <T>(path: string, query?: Query) => call<T>("DELETE", path, { query });

// A message for people: the problem's constant detail, else its title.
export function describe(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 404 && !e.detail) return "Not found, or you have no access to it.";
    if (e.status === 403 && !e.detail) return "You do not have permission to do that.";
    return e.detail || e.title || `The server answered ${e.status}.`;
  }
  if (e instanceof TypeError) return "The server could not be reached.";
  return e instanceof Error ? e.message : String(e);
}

export function downloadUrl(path: string): string {
  return url("/api/v1/files/content", { path });
}

export function joinPath(folder: string, name: string): string {
  return folder === "/" ? `/${name}` : `${folder}/${name}`;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
