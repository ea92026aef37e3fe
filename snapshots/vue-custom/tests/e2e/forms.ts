import type { Page } from "@playwright/test";

import type { Field, ResourceDefinition } from "../../src/types/resource";

// What the live browser test types into a resource's form, by the kind of each field: values
// every field of that kind takes, the one-line texts marked with the run so that they are the
// run's own.

/** A value of the field's kind, as the user types or picks it; `mark` names the run. */
export function typedValue(field: Field, mark: string): string {
  switch (field.kind) {
    case "string":
    case "text":
      return mark.slice(0, field.maxLength);
    case "integer":
      return "42";
    case "decimal": {
      const whole = field.precision > field.scale ? "1" : "0";
      return field.scale > 0 ? `${whole}.5` : whole;
    }
    case "date":
      return "2024-02-29";
    case "datetime":
      return "2024-02-29T10:30";
    case "enum":
      return field.values.at(-1) ?? "";
    default:
      return "";
  }
}

/** Fills the form's input of each field: a reference picks the first item offered. */
export async function fillForm(page: Page, resource: ResourceDefinition, mark: string) {
  for (const field of Object.values(resource.fields)) {
    const value = typedValue(field, mark);
    if (field.kind === "boolean") {
      await page.getByLabel(field.label, { exact: true }).check();
    } else if (field.kind === "enum") {
      // A select's input lies under its field: the keyboard opens the menu, as the list's does.
      await page.getByRole("combobox", { name: field.label, exact: true }).press("Enter");
      await page.getByRole("option", { name: value, exact: true }).click();
    } else if (field.kind === "reference") {
      await page.getByRole("combobox", { name: field.label, exact: true }).click();
      await page.getByRole("option").first().click();
    } else {
      await page.getByLabel(field.label, { exact: true }).fill(value);
    }
  }
}
