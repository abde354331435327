import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with nothing that reaches out to the
 * network on its own (this machine's closed network refuses it) and no
 * browser download ever. `extraArgs` adds to these (autoplay, say).
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
