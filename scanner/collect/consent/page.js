// Runs in a page frame (main world). One object of helpers; every entry point
// takes one argument object. Searches the document and its open shadow roots.
({
  roots() {
    const out = [document];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.shadowRoot) { out.push(el.shadowRoot); walk(el.shadowRoot); }
      }
    };
    walk(document);
    return out;
  },
  all(selector) {
    const found = [];
    for (const root of this.roots()) {
      try { found.push(...root.querySelectorAll(selector)); } catch (e) { return []; }
    }
    return found;
  },
  visible(el) {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    return true;
  },
  // {selectors, globals, marks} -> which exist / are visible; which globals are defined.
  probe(arg) {
    const exists = {}, shown = {}, globals = {}, marks = {};
    for (const s of arg.selectors || []) {
      const els = this.all(s);
      exists[s] = els.length > 0;
      shown[s] = els.some((el) => this.visible(el));
    }
    for (const g of arg.globals || []) globals[g] = typeof window[g] !== "undefined";
    for (const m of arg.marks || []) {
      marks[m] = this.all(`[data-cookiescan-banner="${m}"],[data-cookiescan-pick="${m}"]`).some((el) => this.visible(el));
    }
    return {exists, shown, globals, marks, loaded: document.readyState === "complete"};
  },
  norm(text) {
    return (text || "").replace(/[\u2019`´]/g, "'").replace(/\s+/g, " ").trim().toLowerCase()
      .replace(/^[\s›»>×✓✔·•\-–—]+|[\s›»>×✓✔·•.!:\-–—]+$/g, "");
  },
  parentOf(el) { return el.parentElement || (el.getRootNode() && el.getRootNode().host) || null; },
  // The closest ancestor that reads like a consent notice (within a bounded size).
  container(el, words) {
    const re = new RegExp(words, "i");
    let node = el, best = null;
    for (let i = 0; node && i < 12; i++) {
      node = this.parentOf(node);
      if (!node || node === document.body || node === document.documentElement) break;
      const text = node.innerText || node.textContent || "";
      if (text.length > 6000) break;
      if (re.test(text)) { best = node; break; }
    }
    if (!best && re.test((document.title || "") + " " + (document.body ? document.body.innerText.slice(0, 3000) : ""))
        && window !== window.top) best = document.body;  // a consent iframe: the frame is the notice
    return best;
  },
  // {kinds: {kind: {lang: [phrases]}}, words, token}: the best visible button of the first kind
  // that has one, inside something that reads like a consent notice. Marks it and its container.
  pick(arg) {
    const clickable = "button,[role=button],a,input[type=button],input[type=submit],[onclick]";
    const candidates = this.all(clickable).filter((el) => this.visible(el));
    for (const kind of arg.order) {
      let best = null;
      for (const el of candidates) {
        const label = this.norm(el.value && el.tagName === "INPUT" ? el.value : (el.innerText || el.textContent));
        const text = label || this.norm(el.getAttribute("aria-label"));
        if (!text || text.length > 60) continue;
        for (const [lang, phrases] of Object.entries(arg.kinds[kind])) {
          phrases.forEach((p, rank) => {
            const exact = text === p;
            const loose = !exact && p.includes(" ") && (text.startsWith(p + " ") || text.endsWith(" " + p));
            if (!exact && !loose) return;
            const score = rank * 2 + (loose ? 1 : 0);
            if (best && best.score <= score) return;
            const box = this.container(el, arg.words);
            if (!box) return;
            best = {el, box, score, lang, phrase: p, text};
          });
        }
      }
      if (best) {
        best.el.setAttribute("data-cookiescan-pick", arg.token);
        best.box.setAttribute("data-cookiescan-banner", arg.token);
        return {kind, lang: best.lang, phrase: best.phrase, text: best.text.slice(0, 60)};
      }
    }
    return null;
  },
  // Mark the notice around an element a rule or an override is about to click.
  markAround(el, arg) {
    const box = this.container(el, arg.words) || el;
    box.setAttribute("data-cookiescan-banner", arg.token);
  },
  tcString() {
    return new Promise((resolve) => {
      if (typeof window.__tcfapi !== "function") return resolve(null);
      let done = false;
      try {
        window.__tcfapi("getTCData", 2, (data, ok) => { done = true; resolve(ok && data ? (data.tcString || "") : null); });
      } catch (e) { return resolve(null); }
      setTimeout(() => { if (!done) resolve(null); }, 500);
    });
  },
  storage() {
    const out = {};
    try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); out[k] = localStorage.getItem(k); } }
    catch (e) {}
    return out;
  },
})
