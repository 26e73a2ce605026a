/**
 * Debian's Chromium, driven by playwright-core. Never a downloaded browser: CI installs the
 * `chromium` package with apt-get. Screenshots go to test-results/ as artefacts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { STALL_GUARD_MS } from './timeouts.js';

export const CHROMIUM = process.env.PUFA_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // A hang guard: launch resolves as soon as the browser is up, fails at once if it exits.
    timeout: STALL_GUARD_MS,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
