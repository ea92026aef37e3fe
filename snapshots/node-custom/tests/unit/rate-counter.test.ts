import { MemoryRateCounter } from "../../src/utils/rate-counter";

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("MemoryRateCounter", () => {
  it("counts a client's requests in a window that starts at its first one", async () => {
    const time = clock();
    const counter = new MemoryRateCounter(60_000, time.now);
    expect(await counter.count("ip:203.0.113.1")).toEqual({ count: 1, remainingMs: 60_000 });
    time.advance(15_000);
    expect(await counter.count("ip:203.0.113.1")).toEqual({ count: 2, remainingMs: 45_000 });
    // Another client has a window of its own, from its own first request.
    expect(await counter.count("sub:user-1")).toEqual({ count: 1, remainingMs: 60_000 });
  });

  it("starts a new window, from 1, once the client's window has ended", async () => {
    const time = clock();
    const counter = new MemoryRateCounter(1_000, time.now);
    for (let i = 0; i < 5; i += 1) await counter.count("sub:user-1");
    time.advance(999);
    expect(await counter.count("sub:user-1")).toEqual({ count: 6, remainingMs: 1 });
    time.advance(1);
    expect(await counter.count("sub:user-1")).toEqual({ count: 1, remainingMs: 1_000 });
  });

  it("removes the clients whose window has ended, so memory holds one window's clients", async () => {
    const time = clock();
    const counter = new MemoryRateCounter(1_000, time.now);
    for (let i = 0; i < 100; i += 1) await counter.count(`ip:198.51.100.${i}`);
    expect(counter.size).toBe(100);
    time.advance(500);
    await counter.count("sub:late"); // its window ends 500 ms after the others'
    expect(counter.size).toBe(101);
    time.advance(500);
    await counter.count("sub:next");
    expect(counter.size).toBe(2); // "sub:late" (still in its window) and "sub:next"
    time.advance(1_000);
    await counter.count("sub:next");
    expect(counter.size).toBe(1);
  });
});
