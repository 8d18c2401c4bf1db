// The upload queue: tus 1.0 against /api/v1/uploads (resumes after a dropped
// connection, and after a reload when the same file is chosen again), with a
// streamed PUT /api/v1/files/content as the fallback when the server offers no
// tus endpoint. A few uploads run at once; each has progress, speed and cancel.
import { reactive } from "vue";
import * as tus from "tus-js-client";
import { ApiError, csrfHeader, describe, joinPath, post, url } from "./api";

export type UploadState = "queued" | "uploading" | "done" | "error" | "cancelled";

export interface UploadItem {
  id: number;
  name: string;
  target: string;
  size: number;
  sent: number;
  speed: number; // bytes per second, smoothed
  state: UploadState;
  error: string;
  resumed: boolean;
}

interface Job {
  item: UploadItem;
  file: File;
  abort: () => void;
  sampleAt: number;
  sampleBytes: number;
}

const parallel = 3;
const chunkSize = 64 * 1024 * 1024;
export const uploads = reactive<UploadItem[]>([]);
const jobs = new Map<number, Job>();
const waiting: Job[] = [];
let running = 0;
let nextId = 1;
const settledListeners: Array<(item: UploadItem) => void> = [];

export function onUploadSettled(fn: (item: UploadItem) => void): void {
  settledListeners.push(fn);
}

export function enqueue(files: Array<{ file: File; target: string }>): void {
  for (const { file, target } of files) {
    const item = reactive<UploadItem>({
      id: nextId++,
      name: file.name,
      target,
      size: file.size,
      sent: 0,
      speed: 0,
      state: "queued",
      error: "",
      resumed: false,
    });
    uploads.unshift(item);
    const job: Job = { item, file, abort: () => finish(job, "cancelled"), sampleAt: 0, sampleBytes: 0 };
    jobs.set(item.id, job);
    waiting.push(job);
  }
  pump();
}

export function cancel(id: number): void {
  const job = jobs.get(id);
  if (!job) return;
  if (job.item.state === "queued") {
    waiting.splice(waiting.indexOf(job), 1);
    job.item.state = "cancelled";
    jobs.delete(id);
    return;
  }
  job.abort();
}

export function clearFinished(): void {
  for (let i = uploads.length - 1; i >= 0; i--) {
    if (uploads[i].state !== "queued" && uploads[i].state !== "uploading") uploads.splice(i, 1);
  }
}

function pump(): void {
  while (running < parallel && waiting.length > 0) {
    const job = waiting.shift()!;
    running++;
    job.item.state = "uploading";
    job.sampleAt = performance.now();
    startTus(job);
  }
}

function finish(job: Job, state: UploadState, error = ""): void {
  if (job.item.state !== "uploading") return;
  job.item.state = state;
  job.item.error = error;
  job.item.speed = 0;
  if (state === "done") job.item.sent = job.item.size;
  jobs.delete(job.item.id);
  running--;
  settledListeners.forEach((fn) => fn(job.item));
  pump();
}

function progress(job: Job, sent: number): void {
  job.item.sent = sent;
  const now = performance.now();
  const dt = (now - job.sampleAt) / 1000;
  if (dt >= 0.5) {
    const instant = (sent - job.sampleBytes) / dt;
    job.item.speed = job.item.speed ? job.item.speed * 0.6 + instant * 0.4 : instant;
    job.sampleAt = now;
    job.sampleBytes = sent;
  }
}

function startTus(job: Job): void {
  const upload = new tus.Upload(job.file, {
    endpoint: "/api/v1/uploads",
    chunkSize,
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
    metadata: { path: job.item.target },
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    fingerprint: async (file: File) =>
      ["coffer", job.item.target, file.size, file.lastModified].join("|"),
    onBeforeRequest: (req) => {
      for (const [k, v] of Object.entries(csrfHeader())) req.setHeader(k, v);
    },
    onProgress: (sent) => progress(job, sent),
    onSuccess: () => finish(job, "done"),
    onError: (err) => {
      const status = (err as tus.DetailedError).originalResponse?.getStatus() ?? 0;
      // No tus endpoint on this server: send the file as one streamed PUT instead.
      if ((status === 404 || status === 405 || status === 501) && job.item.sent === 0) {
        startPut(job);
        return;
      }
      finish(job, "error", status ? describe(new ApiError(status, "", "")) : "The connection was lost.");
    },
  });
  job.abort = () => {
    upload.abort(true).catch(() => undefined);
    finish(job, "cancelled");
  };
  upload
    .findPreviousUploads()
    .then((previous) => {
      if (previous.length > 0) {
        upload.resumeFromPreviousUpload(previous[0]);
        job.item.resumed = true;
      }
      if (job.item.state === "uploading") upload.start();
    })
    .catch(() => upload.start());
}

function startPut(job: Job): void {
  const xhr = new XMLHttpRequest();
  xhr.open("PUT", url("/api/v1/files/content", { path: job.item.target }));
  for (const [k, v] of Object.entries(csrfHeader())) xhr.setRequestHeader(k, v);
  xhr.setRequestHeader("Content-Type", "application/octet-stream");
  xhr.upload.onprogress = (e) => progress(job, e.loaded);
  xhr.onload = () => {
    if (xhr.status >= 200 && xhr.status < 300) finish(job, "done");
    else finish(job, "error", describe(new ApiError(xhr.status, xhr.statusText, "")));
  };
  xhr.onerror = () => finish(job, "error", "The connection was lost.");
  job.abort = () => {
    xhr.abort();
    finish(job, "cancelled");
  };
  xhr.send(job.file);
}

// Creates each folder in `paths` (parents first); one that exists is fine.
export async function ensureFolders(paths: string[]): Promise<void> {
  const sorted = [...new Set(paths)].sort((a, b) => a.split("/").length - b.split("/").length);
  for (const path of sorted) {
    try {
      await post("/api/v1/files/mkdir", { path });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
  }
}

// Walks dropped items (files and whole folders) into files with their paths
// relative to the drop.
export async function filesFromDrop(items: DataTransferItemList): Promise<Array<{ file: File; rel: string }>> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(items)) {
    const entry = item.kind === "file" ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  const out: Array<{ file: File; rel: string }> = [];
  async function walk(entry: FileSystemEntry, prefix: string): Promise<void> {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, rel: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      let batch: FileSystemEntry[];
      do {
        batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      } while (batch.length > 0);
    }
  }
  for (const e of entries) await walk(e, "");
  return out;
}

// Uploads files whose names may hold sub-folders ("a/b/c.txt") into `folder`,
// creating the sub-folders first.
export async function uploadInto(folder: string, files: Array<{ file: File; rel: string }>): Promise<void> {
  const folders: string[] = [];
  for (const { rel } of files) {
    const parts = rel.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.push(joinPath(folder, parts.slice(0, i).join("/")));
  }
  await ensureFolders(folders);
  enqueue(files.map(({ file, rel }) => ({ file, target: joinPath(folder, rel) })));
}
