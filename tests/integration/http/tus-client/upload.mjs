// Uploads a file to Coffer with tus-js-client (a tus client Coffer did not write),
// breaking the connection in the middle of a PATCH and resuming from the offset
// the server reports. Run by test_uploads.py:
//   node upload.mjs ENDPOINT TOKEN FILE TARGET_PATH
// Prints "resumed at N" and "done"; exits non-zero on any failure.
import { readFileSync } from "node:fs";
import * as tus from "tus-js-client";

const [endpoint, token, file, target] = process.argv.slice(2);
const data = readFileSync(file);
const chunkSize = 1024 * 1024;

function options(extra) {
  return {
    endpoint,
    chunkSize,
    retryDelays: [0, 300, 1000, 2000, 4000],
    headers: { Authorization: `Bearer ${token}` },
    metadata: { path: target },
    storeFingerprintForResuming: false,
    ...extra,
  };
}

function fail(err) {
  console.error(`failed: ${err}`);
  process.exit(1);
}

// First attempt: abort once more than 1.5 chunks are on the wire (mid-PATCH).
const firstUrl = await new Promise((resolve) => {
  const upload = new tus.Upload(
    data,
    options({
      onError: fail,
      onSuccess: () => fail("the first attempt should have been interrupted"),
      onProgress: (sent) => {
        if (sent > chunkSize * 1.5 && upload.url) {
          upload.abort(false).then(() => resolve(upload.url), fail);
        }
      },
    }),
  );
  upload.start();
});
console.log(`interrupted: ${firstUrl}`);

// Second attempt: the same upload URL; the client asks for the offset and resumes.
await new Promise((resolve) => {
  const upload = new tus.Upload(
    data,
    options({
      uploadUrl: firstUrl,
      onError: fail,
      onAfterResponse: (req, res) => {
        if (req.getMethod() === "HEAD") console.log(`resumed at ${res.getHeader("Upload-Offset")}`);
      },
      onSuccess: resolve,
    }),
  );
  upload.start();
});
console.log("done");
