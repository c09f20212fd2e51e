// A real browser for the tests that must see what one does with a page: Debian's Chromium
// (deploy/debian-packages.txt), driven by playwright-core. The browser is the distribution's;
// never `playwright install`.
//
//   launchChromium()            the headless browser (close it in an after hook)
//   watchedPage(context)        a page and `seen`: every dialog (dismissed), console message,
//                               uncaught error, and call of alert/confirm/prompt/print
//   visit(watched, url)         loads the page and waits for the network to settle; the response
//   scriptSigns(seen)           what in `seen` shows that script ran, or tried to
//   inspectDom(page)            what an injection would leave in the DOM, and the page's text
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT_MS = 30_000;

export async function launchChromium() {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} does not exist: install Debian's chromium package (it is in deploy/debian-packages.txt, which ./casecall test installs)`,
  );
  // --no-sandbox: Chromium's sandbox refuses to run as root, as the tests do in CI containers.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], timeout: TIMEOUT_MS });
}

// A new page of `context` whose every sign of script is recorded in `seen`. The calls of
// alert, confirm, prompt and print are reported through a binding installed before any of the
// page's own code could run (Playwright's init scripts are not subject to the page's CSP), and
// still go through, so that a dialog shows as well.
export async function watchedPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const seen = { dialogs: [], console: [], errors: [], calls: [] };
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()} "${dialog.message()}" on ${page.url()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('console', (message) => {
    const where = message.location();
    seen.console.push({ type: message.type(), text: message.text(), url: where?.url || page.url() });
  });
  page.on('pageerror', (error) => seen.errors.push(`${error.message} on ${page.url()}`));
  await page.exposeBinding('__casecallScriptRan', ({ frame }, what) => {
    seen.calls.push(`${what} on ${frame.url()}`);
  });
  await page.addInitScript(() => {
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
      const original = window[name];
      window[name] = function watched(...args) {
        window.__casecallScriptRan(`${name}(${args.map(String).join(', ')})`);
        return original.apply(this, args);
      };
    }
  });
  return { page, seen };
}

// Loads `url` and waits until the page and everything it asks for have come and nothing moves
// on the network (an image's error handler, had one got into the page, would have fired by
// then). Returns Playwright's response for the document.
export async function visit({ page }, url) {
  const response = await page.goto(url, { waitUntil: 'networkidle', timeout: TIMEOUT_MS });
  assert.ok(response, `no response for ${url}`);
  return response;
}

// Chromium asks every site for /favicon.ico by itself and reports the 404 of one that has none
// (as the public site has none) in the page's console. Nothing in the page asked for it.
function isFaviconMiss(message) {
  let path;
  try {
    path = new URL(message.url).pathname;
  } catch {
    return false;
  }
  return path === '/favicon.ico' && message.text.startsWith('Failed to load resource');
}

// What in `seen` shows that script ran, or tried to: a dialog, a watched call, an uncaught
// error, and any console message (but the browser's own favicon miss). The pages under test
// carry no script of their own, so nothing may write to the console; a script refused by the
// CSP shows up here too, as Chromium's "Executing inline script/event handler violates the
// following Content Security Policy directive" error, and an injected image's failed load as
// "Failed to load resource".
export function scriptSigns(seen) {
  return [
    ...seen.dialogs.map((d) => `dialog: ${d}`),
    ...seen.calls.map((c) => `called: ${c}`),
    ...seen.errors.map((e) => `page error: ${e}`),
    ...seen.console.filter((m) => !isFaviconMiss(m)).map((m) => `console.${m.type}: ${m.text} (${m.url})`),
  ];
}

// What the page's DOM holds, as the browser parsed it: its scripts, any inline event handler,
// the images' sources, every javascript: URL (in an attribute, or as the protocol a link
// resolves to), the links, the visible text, the title, the first h1 and the paragraphs.
export function inspectDom(page) {
  return page.evaluate(() => {
    const elements = [...document.querySelectorAll('*')];
    const describe = (el) => `<${el.localName}${[...el.attributes].map((a) => ` ${a.name}="${a.value}"`).join('')}>`;
    const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'srcdoc'];
    return {
      scripts: [...document.scripts].map((s) => ({ type: s.getAttribute('type'), src: s.getAttribute('src'), text: s.textContent })),
      handlers: elements.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).map(describe),
      images: [...document.images].map((img) => img.getAttribute('src')),
      javascriptUrls: [
        ...elements.filter((el) => urlAttributes.some((n) => /^\s*javascript:/i.test(el.getAttribute(n) ?? ''))).map(describe),
        ...[...document.querySelectorAll('a[href], area[href]')].filter((a) => a.protocol === 'javascript:').map(describe),
      ],
      embedded: [...document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv]')].map(describe),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
      text: document.body.innerText,
      title: document.title,
      h1: document.querySelector('h1')?.textContent ?? null,
      paragraphs: [...document.querySelectorAll('p')].map((p) => p.textContent),
      jsonLd: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => s.textContent),
    };
  });
}
