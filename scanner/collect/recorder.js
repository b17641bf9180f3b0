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
