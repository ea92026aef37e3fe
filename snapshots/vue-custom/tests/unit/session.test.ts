import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it } from "vitest";

import { useSessionStore } from "@/stores/session";

describe("the session store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("starts signed out", () => {
    expect(useSessionStore().signedIn).toBe(false);
    expect(useSessionStore().token).toBeNull();
  });

  it("keeps the trimmed token for the rest of the tab's life", () => {
    useSessionStore().signIn("  abc.def.ghi \n");

    setActivePinia(createPinia()); // as after a page reload
    const session = useSessionStore();
    expect(session.signedIn).toBe(true);
    expect(session.token).toBe("abc.def.ghi");
  });

  it("forgets the token on sign out", () => {
    useSessionStore().signIn("abc.def.ghi");
    useSessionStore().signOut();

    setActivePinia(createPinia());
    expect(useSessionStore().signedIn).toBe(false);
  });

  it("refuses a blank token", () => {
    expect(() => useSessionStore().signIn("   ")).toThrow("blank");
    expect(useSessionStore().signedIn).toBe(false);
  });
});
