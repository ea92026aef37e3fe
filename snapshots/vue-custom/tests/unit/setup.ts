import { cleanup, configure } from "@testing-library/vue";
import { afterEach } from "vitest";

// Vuetify measures its layout with ResizeObserver, which jsdom does not have.
class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoResizeObserver;
// Vuetify's overlays (the delete dialog) read `visualViewport?.…`, which throws while the name
// is not defined at all; null is what a browser without one would give.
globalThis.visualViewport ??= null;

// Rendering the whole app with Vuetify in jsdom is slow on a busy machine (CI runners, tests in
// parallel): give findBy/waitFor 5 s instead of 1 s before they give up.
configure({ asyncUtilTimeout: 5_000 });

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
