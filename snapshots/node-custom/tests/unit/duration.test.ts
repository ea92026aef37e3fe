import { readableDuration } from "../../src/utils/duration";

describe("readableDuration", () => {
  it.each([
    [500, "500 ms"],
    [999, "999 ms"],
    [1_000, "1 s"],
    [5_000, "5 s"],
    [1_500, "1.5 s"],
    [60_000, "1 min"],
    [120_000, "2 min"],
    [90_000, "90 s"],
  ])("writes %d ms as '%s'", (ms, words) => {
    expect(readableDuration(ms)).toBe(words);
  });
});
