import { fileURLToPath, URL } from "node:url";

import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";
import vuetify from "vite-plugin-vuetify";

// Vuetify's plugin imports only the components and directives the app uses (tree-shaking).
export default defineConfig({
  plugins: [vue(), vuetify({ autoImport: true })],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  // The dev server pre-bundles a dependency when a page first imports it: each Vuetify
  // component a newly visited page uses would re-bundle and reload the page, losing what was
  // typed. Vuetify is ES modules, served as it is; the build is unaffected.
  optimizeDeps: { exclude: ["vuetify"] },
  build: {
    // Lazy-loaded routes become their own chunks; the vendor libraries get theirs, cached apart.
    rollupOptions: {
      output: {
        manualChunks: {
          vue: ["vue", "vue-router", "pinia"],
          vuetify: ["vuetify"],
        },
      },
    },
  },
});
