// Injected in every frame before any page script: reports each document.cookie
// write (and cookieStore.set) with the URL of the script that made it, so the
// scanner knows the lifetime a script *asked for*, not only what was stored.
(() => {
  if (window.__cookiescanInstalled) return;
  window.__cookiescanInstalled = true;
  // Looked up at call time: the binding may be installed after this script.
  const report = (payload) => {
    const binding = window.__cookiescanCookieWrite;
    if (typeof binding === 'function') binding(payload);
  };
  const callerUrl = () => {
    const stack = (new Error()).stack || '';
    const lines = stack.split('\n').slice(1);
    for (const line of lines) {
      if (line.includes('__cookiescan')) continue;
      const m = line.match(/(https?:\/\/[^\s()]+?):\d+:\d+/);
      if (m) return m[1];
    }
    return location.href;
  };
  const desc = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (desc && desc.set) {
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(value) {
        try { report({line: String(value), script: callerUrl(), page: location.href}); } catch (e) {}
        return desc.set.call(this, value);
      },
    });
  }
  // Dwell after load, driven by the page: timers a page script schedules with a delay while
  // the page loads (a cookie written 2 s after load) are tracked until they fire or are
  // cleared; the scanner asks how long the longest still has to run, up to its cap. Timers
  // scheduled after load (polling loops, heartbeats) and our own init scripts' are not counted.
  const pendingTimers = new Map();  // id -> [due (performance.now() ms), delay ms]
  let loadDone = false;
  const originalSetTimeout = window.setTimeout;
  const originalClearTimeout = window.clearTimeout;
  window.addEventListener('load', () => originalSetTimeout.call(window, () => { loadDone = true; }, 0));
  const fromPageScript = () => /https?:\/\/[^\s()]+?:\d+:\d+/.test(((new Error()).stack || '').split('\n').slice(2).join('\n'));
  window.setTimeout = function (handler, delay, ...args) {
    if (loadDone || typeof handler !== 'function' || !(delay > 0) || delay > 60000 || !fromPageScript()) {
      return originalSetTimeout.call(this, handler, delay, ...args);
    }
    let id;
    const run = function (...a) { pendingTimers.delete(id); return handler.apply(this, a); };
    id = originalSetTimeout.call(this, run, delay, ...args);
    pendingTimers.set(id, [performance.now() + delay, delay]);
    return id;
  };
  window.clearTimeout = function (id) { pendingTimers.delete(id); return originalClearTimeout.call(this, id); };
  // Milliseconds until the last pending load-time timer with a delay up to `capMs` fires (0: none).
  Object.defineProperty(window, '__cookiescanPendingTimers', {value: (capMs) => {
    const now = performance.now();
    let longest = 0;
    for (const [due, delay] of pendingTimers.values()) {
      if (delay <= capMs) longest = Math.max(longest, due - now);
    }
    return Math.max(0, Math.ceil(longest));
  }});
  if (window.cookieStore && window.cookieStore.set) {
    const original = window.cookieStore.set.bind(window.cookieStore);
    window.cookieStore.set = function (a, b) {
      try {
        const o = typeof a === 'object' ? a : {name: a, value: b};
        let line = `${o.name}=${o.value}`;
        if (o.expires) line += `; expires=${new Date(o.expires).toUTCString()}`;
        if (o.domain) line += `; domain=${o.domain}`;
        if (o.path) line += `; path=${o.path}`;
        report({line, script: callerUrl(), page: location.href});
      } catch (e) {}
      return original(a, b);
    };
  }
})();
