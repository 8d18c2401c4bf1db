// Hash routing: the server serves "/" and the hashed assets only (exact
// routing), so every view lives after the "#".
import { reactive } from "vue";

export interface Route {
  name: string; // "files", "recycle", "account", "admin/users", ...
  params: URLSearchParams;
}

function parse(): Route {
  const raw = location.hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const name = (q < 0 ? raw : raw.slice(0, q)) || "files";
  return { name, params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

export const route = reactive<Route>(parse());

window.addEventListener("hashchange", () => {
  const r = parse();
  route.name = r.name;
  route.params = r.params;
});

export function href(name: string, params: Record<string, string> = {}): string {
  const qs = new URLSearchParams(params).toString();
  return `#/${name}${qs ? `?${qs}` : ""}`;
}

export function go(name: string, params: Record<string, string> = {}): void {
  location.hash = href(name, params);
}
