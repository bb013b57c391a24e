// The portfolio widget as an MCP resource (Apps SDK "skybridge" template). The HTML is built by
// scripts/build-widget.mjs into dist/widget/ and read once at start-up; resources are public.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../common/paths.js';
import { PORTFOLIO_WIDGET_URI } from './tools/widget-meta.js';

export const WIDGET_MIME_TYPE = 'text/html+skybridge';
export const DEFAULT_WIDGET_FILE = path.join(repoRoot, 'dist', 'widget', 'portfolio.html');

const widgetMeta = {
  'openai/widgetDescription': 'Shows the signed-in user\'s holdings and cash, lets them buy or sell shares, and walks them through approving larger trades on their phone.',
  'openai/widgetPrefersBorder': true,
  // the widget is one self-contained document: no fetches, no external scripts, styles or images
  'openai/widgetCSP': { connect_domains: [], resource_domains: [] },
};

export interface WidgetResources {
  list(): { uri: string; name: string; title: string; description: string; mimeType: string; _meta: Record<string, unknown> }[];
  /** the resources/read contents for a URI, or undefined when it is not ours */
  read(uri: string): { uri: string; mimeType: string; text: string; _meta: Record<string, unknown> }[] | undefined;
}

export function loadWidgetResources(file = DEFAULT_WIDGET_FILE): WidgetResources {
  let html: string;
  try {
    html = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`The portfolio widget is not built (${file} is missing): run npm run build`);
  }
  const entry = {
    uri: PORTFOLIO_WIDGET_URI,
    name: 'portfolio-widget',
    title: 'Portfolio',
    description: widgetMeta['openai/widgetDescription'],
    mimeType: WIDGET_MIME_TYPE,
    _meta: widgetMeta,
  };
  return {
    list: () => [entry],
    read: (uri) => (uri === PORTFOLIO_WIDGET_URI ? [{ uri, mimeType: WIDGET_MIME_TYPE, text: html, _meta: widgetMeta }] : undefined),
  };
}
