import { defineConfig } from "vite";

// The shell lives at /app/ on Arca's origin (DESIGN §7). The output directory is chosen by the
// caller (web/CMakeLists.txt passes <build>/web/dist); hashed bundles go to assets/, which
// arca serve caches as immutable. No inline scripts or styles: the CSP forbids them.
export default defineConfig({
  base: "/app/",
  build: {
    outDir: "dist", // web/CMakeLists.txt passes --outDir <build>/web/dist
    emptyOutDir: true,
    assetsDir: "assets",
    assetsInlineLimit: 0,
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
});
