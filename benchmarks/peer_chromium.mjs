// Preloaded with `node --import` before @slashgear/gdpr-cookie-scanner's CLI, so the peer
// runs the same browser as cookiescan and reaches the local fixture web:
//   PEER_CHROMIUM=/usr/bin/chromium PEER_RESOLVER_RULES="MAP * 127.0.0.1:PORT" \
//   node --import ./benchmarks/peer_chromium.mjs node_modules/@slashgear/gdpr-cookie-scanner/dist/cli.js scan URL
// Only the launch is changed (executable, host resolver rules, certificate errors ignored);
// the peer's own flow, waits and flags are untouched.
import { chromium } from "playwright";

const executablePath = process.env.PEER_CHROMIUM || undefined;
const rules = process.env.PEER_RESOLVER_RULES;
const launch = chromium.launch.bind(chromium);

chromium.launch = async (options = {}) => {
  const args = [...(options.args || [])];
  if (rules) args.push(`--host-resolver-rules=${rules}`);
  const browser = await launch({ ...options, args, ...(executablePath ? { executablePath } : {}) });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (contextOptions = {}) => newContext({ ...contextOptions, ignoreHTTPSErrors: true });
  return browser;
};
