// Entry point of the portfolio widget (bundled into one HTML document by scripts/build-widget.mjs).
import './styles.css';
import { bridge, onGlobalsChange } from './bridge.js';
import { createApp } from './app.js';

const root = document.getElementById('app')!;
const app = createApp(root);
let started = false;

function startWhenReady() {
  if (started || !bridge()) return;
  started = true;
  app.start();
}

onGlobalsChange(() => (started ? app.globalsChanged() : startWhenReady()));
app.showConnecting();
startWhenReady();
// a host may inject window.openai after this script without announcing it
if (!started) window.addEventListener('load', startWhenReady, { once: true });
