import { aliases, mdi } from "vuetify/iconsets/mdi-svg";
import { createVuetify } from "vuetify";

/** Vuetify with SVG icons (only the icons used end up in the bundle) and the app's theme. */
export function createAppVuetify() {
  return createVuetify({
    icons: { defaultSet: "mdi", aliases, sets: { mdi } },
    theme: {
      defaultTheme: "light",
      themes: { light: { colors: { primary: "#1867c0", secondary: "#5cbbf6" } } },
    },
  });
}
