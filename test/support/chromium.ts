import { type Browser, chromium } from "playwright-core";

/*
 * Debian's Chromium, headless, for the browser tests and the screenshot scripts (shared/TOOLCHAIN.md:
 * playwright cannot download browsers here; CI installs `chromium` with apt). The flags keep it from
 * reaching the network on its own.
 */

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
}
