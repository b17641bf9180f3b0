// Preloaded with `node --import` before @slashgear/gdpr-cookie-scanner's CLI, so the peer
// runs the same browser as cookiescan and reaches the local fixture web:
//   PEER_CHROMIUM=/usr/bin/chromium PEER_RESOLVER_RULES="MAP * 127.0.0.1:PORT" \
//   node --import ./benchmarks/peer_chromium.mjs node_modules/@slashgear/gdpr-cookie-scanner/dist/cli.js scan URL
// Only the launch is changed (executable, host resolver rules, certificate errors ignored);
// the peer's own flow, waits and flags are untouched (unless PEER_EXTRA_ARGS adds flags).
import { chromium } from "playwright";

const executablePath = process.env.PEER_CHROMIUM || undefined;
const rules = process.env.PEER_RESOLVER_RULES;
// Only for the fairness check of peers.py --peer-same-flags: cookiescan's own --disable-features.
const extra = (process.env.PEER_EXTRA_ARGS || "").split("|").filter(Boolean);
const launch = chromium.launch.bind(chromium);

chromium.launch = async (options = {}) => {
  const args = [...(options.args || [])];
  if (rules) args.push(`--host-resolver-rules=${rules}`);
  args.push(...extra);
  const browser = await launch({ ...options, args, ...(executablePath ? { executablePath } : {}) });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (contextOptions = {}) => newContext({ ...contextOptions, ignoreHTTPSErrors: true });
  return browser;
};
