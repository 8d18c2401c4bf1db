import { reactive } from "vue";

export interface Toast {
  id: number;
  kind: "ok" | "error";
  text: string;
}

export const toasts = reactive<Toast[]>([]);
let next = 1;

export function notify(text: string, kind: Toast["kind"] = "ok"): void {
  const id = next++;
  toasts.push({ id, kind, text });
  setTimeout(() => dismiss(id), kind === "error" ? 8000 : 4000);
}

export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
