// ESLint flat config: Vue's recommended rules and typed TypeScript rules; formatting is Prettier's.
import skipFormatting from "@vue/eslint-config-prettier/skip-formatting";
import { defineConfigWithVueTs, vueTsConfigs } from "@vue/eslint-config-typescript";
import pluginVue from "eslint-plugin-vue";

export default defineConfigWithVueTs(
  {
    ignores: [
      "dist/",
      "coverage/",
      "test-results/",
      "playwright-report/",
      "public/",
      // Generated from api/openapi.json by `npm run api:types`; vue-tsc still checks it.
      "src/types/api.ts",
    ],
  },
  pluginVue.configs["flat/recommended"],
  vueTsConfigs.recommendedTypeChecked,
  skipFormatting,
);
