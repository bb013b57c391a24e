// The two HTML documents the host serves: the app shell (the UI itself is the bundled host.js) and the
// page the sign-in popup lands on, which hands the outcome to the opener and closes.
const ICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#10a37f"/>' +
  '<path d="M9 16h14M16 9v14" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>',
)}`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that is safe inside a <script> element */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function appShell(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${ICON}">
<link rel="stylesheet" href="/assets/host.css">
<script type="module" src="/assets/host.js"></script>
</head>
<body>
<div id="app" class="app"><noscript>This host needs JavaScript.</noscript></div>
</body>
</html>`;
}

export interface CallbackOutcome {
  ok: boolean;
  error?: string;
  description?: string;
  traceId?: string;
}

export function callbackPage(outcome: CallbackOutcome): string {
  const heading = outcome.ok ? 'Signed in' : outcome.error === 'access_denied' ? 'Access denied' : 'Sign-in failed';
  const text = outcome.ok ? 'You can close this window; the host continues in the other one.' : outcome.description ?? outcome.error ?? '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${heading} · Lab Host</title>
<link rel="icon" href="${ICON}">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; color: #1f2328; display: grid; place-items: center; min-height: 90vh; margin: 0; background: #f6f7f9; }
  main { background: #fff; border: 1px solid #e3e6ea; border-radius: 14px; padding: 28px 32px; max-width: 420px; text-align: center; }
  h1 { font-size: 20px; margin: 0 0 8px; color: ${outcome.ok ? '#0f7b5f' : '#b42318'}; }
</style>
</head>
<body>
<main data-testid="oauth-callback"><h1>${heading}</h1><p>${escapeHtml(text)}</p></main>
<script>
  (function () {
    var message = Object.assign({ type: 'lab-host:oauth' }, ${scriptJson(outcome)});
    // the opener may be gone (a browser that severs it); the channel reaches the host page either way
    try { new BroadcastChannel('lab-host-oauth').postMessage(message); } catch (e) {}
    try { if (window.opener) window.opener.postMessage(message, location.origin); } catch (e) {}
    setTimeout(function () { window.close(); }, ${outcome.ok ? 300 : 2500});
  })();
</script>
</body>
</html>`;
}
