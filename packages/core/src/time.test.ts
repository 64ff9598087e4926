import { describe, expect, it } from "vitest";
import { isoMonth, isoTime, isoTimeCompact } from "./time.js";

describe("how an instant is written", () => {
  it("keeps milliseconds in stored times, so string order is time order", () => {
    // Prepare
    const times = [Date.parse("2026-11-10T11:30:05Z"), Date.parse("2026-11-10T11:30:05.250Z")];

    // Act
    const written = times.map(isoTime);

    // Assess
    expect(written).toEqual(["2026-11-10T11:30:05.000Z", "2026-11-10T11:30:05.250Z"]);
    expect([...written].sort()).toEqual(written);
  });

  it("drops only zero milliseconds for people, and names the UTC month", () => {
    // Act
    const whole = isoTimeCompact(Date.parse("2026-11-10T11:30:05Z"));
    const fraction = isoTimeCompact(Date.parse("2026-11-10T11:30:05.250Z"));
    const month = isoMonth(Date.parse("2026-12-31T23:59:59.999Z"));

    // Assess
    expect([whole, fraction, month]).toEqual(["2026-11-10T11:30:05Z", "2026-11-10T11:30:05.250Z", "2026-12"]);
  });
});
