// Builds the single-page app into plain files that coffer embeds and serves
// under a strict Content-Security-Policy (docs/web.md): no inline script, no
// eval, no inline style, nothing inlined as data: URIs, everything hashed.
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

export default defineConfig({
  plugins: [vue()],
  base: "/",
  build: {
    outDir: "dist", // the build script passes --outDir into the CMake build tree
    emptyOutDir: true,
    // Assets stay files: font-src and script-src allow 'self' only.
    assetsInlineLimit: 0,
    // One stylesheet file, linked from index.html.
    cssCodeSplit: false,
    // The polyfill would be injected as script; every browser we support has modulepreload.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2020",
    reportCompressedSize: false,
  },
});
