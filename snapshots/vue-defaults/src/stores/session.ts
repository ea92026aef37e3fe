import { defineStore } from "pinia";
import { computed, ref } from "vue";

const STORAGE_KEY = "access-token";

/**
 * Who is signed in: the bearer token sent to the backend. Kept in sessionStorage, so it lasts
 * as long as the tab and no longer.
 */
export const useSessionStore = defineStore("session", () => {
  const token = ref<string | null>(sessionStorage.getItem(STORAGE_KEY));
  const signedIn = computed(() => token.value !== null);

  function signIn(newToken: string): void {
    const trimmed = newToken.trim();
    if (trimmed === "") throw new Error("an access token cannot be blank");
    token.value = trimmed;
    sessionStorage.setItem(STORAGE_KEY, trimmed);
  }

  function signOut(): void {
    token.value = null;
    sessionStorage.removeItem(STORAGE_KEY);
  }

  return { token, signedIn, signIn, signOut };
});
