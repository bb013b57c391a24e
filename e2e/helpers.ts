// What the journeys do over and over: read a sign-in code from the local inbox, sign in on the auth
// server's pages, watch pages for console errors, save screenshots, read a QR code from pixels.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type APIRequestContext, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { urls } from './stack.js';

export const USER = 'alice@demo.example';

type Mail = { id: number; to: string; code: string | null };

/** the newest mail id in the user's inbox, so a later code can be told apart from an old one */
export async function lastMailId(request: APIRequestContext, to = USER): Promise<number> {
  const res = await request.get(`${urls.auth}/mail?format=json&to=${encodeURIComponent(to)}`);
  expect(res.ok()).toBeTruthy();
  const { messages } = (await res.json()) as { messages: Mail[] };
  return messages[0]?.id ?? 0;
}

/** waits for a code mailed after `afterId` and returns it */
export async function codeFromInbox(request: APIRequestContext, afterId: number, to = USER): Promise<string> {
  let code: string | null = null;
  await expect.poll(async () => {
    const res = await request.get(`${urls.auth}/mail?format=json&to=${encodeURIComponent(to)}`);
    const { messages } = (await res.json()) as { messages: Mail[] };
    code = messages.find((m) => m.id > afterId && m.code)?.code ?? null;
    return code;
  }, { message: `a sign-in code mailed to ${to}`, intervals: [100, 200, 250] }).toMatch(/^\d{6}$/);
  return code!;
}

/** fills the auth server's two-step sign-in form (email, then the emailed code) on `page` */
export async function signInWithEmailCode(page: Page, request: APIRequestContext, email = USER): Promise<void> {
  const before = await lastMailId(request, email);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await expect(page.getByText(`We sent a 6-digit code to ${email}`)).toBeVisible();
  await page.getByLabel('Code').fill(await codeFromInbox(request, before, email));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Collects console errors and uncaught exceptions of every page of a context (the host page, its
 * widget iframes and the sign-in popups). Nothing is filtered: a 404 for a favicon counts too.
 */
export function watchConsole(context: BrowserContext): string[] {
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`${page.url()} console: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => errors.push(`${page.url()} pageerror: ${err.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return errors;
}

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

/** attaches a screenshot to the test; with E2E_UPDATE_SCREENSHOTS=1 also writes docs/screenshots/<docName>.png */
export async function shot(page: Page, testInfo: TestInfo, name: string, docName?: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  if (docName && process.env.E2E_UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(docsDir, { recursive: true });
    fs.copyFileSync(file, path.join(docsDir, `${docName}.png`));
  }
}

const jsQrPath = createRequire(import.meta.url).resolve('jsqr');

/**
 * The phone's camera: decodes a PNG (a screenshot of the QR code as the browser drew it) with jsQR,
 * running inside a blank page of the phone's context. Returns the text the code carries, or null.
 */
export async function scanQr(phone: BrowserContext, png: Buffer): Promise<string | null> {
  const camera = await phone.newPage();
  try {
    await camera.addScriptTag({ path: jsQrPath });
    return await camera.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const jsQR = (window as unknown as { jsQR: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null }).jsQR;
      return jsQR(data, width, height)?.data ?? null;
    }, png.toString('base64'));
  } finally {
    await camera.close();
  }
}
