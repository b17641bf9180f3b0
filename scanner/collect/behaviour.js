// Injected in every frame before any page script: watches the APIs browser
// fingerprinting reads and reports a script once it crosses the published
// thresholds (Englehardt & Narayanan 2016, as OpenWPM and The Markup's Blacklight
// apply them; see docs/behaviour.md). Counting happens here so that only
// verdicts cross to the scanner, never the drawn text or pixels.
(() => {
  if (window.__cookiescanBehaviourInstalled) return;
  window.__cookiescanBehaviourInstalled = true;
  const MIN_CANVAS_SIDE = 16;
  const MIN_TEXT_CHARS = 10;
  const MIN_TEXT_COLOURS = 2;
  const MIN_FONTS = 50;
  const MIN_MEASURES = 50;
  const UNMASKED_VENDOR = 0x9245;
  const UNMASKED_RENDERER = 0x9246;

  const report = (payload) => {
    const binding = window.__cookiescanBehaviour;
    if (typeof binding === 'function') { try { binding(payload); } catch (e) {} }
  };
  // Script URLs on the stack, innermost first; init scripts have no URL, so they never appear.
  const stackUrls = () => {
    const out = [];
    for (const line of ((new Error()).stack || '').split('\n').slice(1)) {
      const m = line.match(/(https?:\/\/[^\s()]+?):\d+:\d+/);
      if (m && !out.includes(m[1])) out.push(m[1]);
    }
    return out;
  };
  const seen = new Set();
  const emit = (technique, detail) => {
    const urls = stackUrls();
    const script = urls[0] || location.href;
    const key = technique + ' ' + script;
    if (seen.has(key)) return;
    seen.add(key);
    report({technique, script, initiator: urls[urls.length - 1] || script, page: location.href, detail});
  };
  const wrap = (proto, name, before) => {
    if (!proto || typeof proto[name] !== 'function') return;
    const original = proto[name];
    proto[name] = function (...args) {
      try { before(this, args); } catch (e) {}
      return original.apply(this, args);
    };
  };

  // -- canvas: text drawn with 2+ colours or 10+ distinct characters, then read back,
  //    on a canvas of at least 16x16 never saved/restored nor listened to.
  const canvasState = new WeakMap();
  const stateOf = (canvas) => {
    let s = canvasState.get(canvas);
    if (!s) { s = {chars: new Set(), colours: new Set(), excluded: false}; canvasState.set(canvas, s); }
    return s;
  };
  const C2D = window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype;
  for (const [name, styleProp] of [['fillText', 'fillStyle'], ['strokeText', 'strokeStyle']]) {
    wrap(C2D, name, (ctx, args) => {
      if (!ctx.canvas) return;
      const s = stateOf(ctx.canvas);
      for (const ch of String(args[0])) s.chars.add(ch);
      s.colours.add(String(ctx[styleProp]));
    });
  }
  for (const name of ['save', 'restore']) {
    wrap(C2D, name, (ctx) => { if (ctx.canvas) stateOf(ctx.canvas).excluded = true; });
  }
  const canvasAddListener = window.HTMLCanvasElement && HTMLCanvasElement.prototype;
  if (canvasAddListener) {
    const original = EventTarget.prototype.addEventListener;
    canvasAddListener.addEventListener = function (...args) {
      try { stateOf(this).excluded = true; } catch (e) {}
      return original.apply(this, args);
    };
  }
  const canvasRead = (canvas, how, w, h) => {
    const s = canvasState.get(canvas);
    if (!s || s.excluded || s.chars.size === 0) return;
    if (canvas.width < MIN_CANVAS_SIDE || canvas.height < MIN_CANVAS_SIDE) return;
    if (w < MIN_CANVAS_SIDE || h < MIN_CANVAS_SIDE) return;
    if (s.chars.size < MIN_TEXT_CHARS && s.colours.size < MIN_TEXT_COLOURS) return;
    emit('canvas', `${how} ${w}x${h}, ${s.colours.size} colours, ${s.chars.size} distinct characters`);
  };
  wrap(window.HTMLCanvasElement && HTMLCanvasElement.prototype, 'toDataURL',
       (canvas) => canvasRead(canvas, 'toDataURL', canvas.width, canvas.height));
  wrap(window.HTMLCanvasElement && HTMLCanvasElement.prototype, 'toBlob',
       (canvas) => canvasRead(canvas, 'toBlob', canvas.width, canvas.height));
  wrap(C2D, 'getImageData', (ctx, args) => {
    if (ctx.canvas) canvasRead(ctx.canvas, 'getImageData', Math.abs(args[2] | 0), Math.abs(args[3] | 0));
  });

  // -- fonts: one context measures the same text under 50+ distinct fonts, 50+ times.
  const fontState = new WeakMap();
  wrap(C2D, 'measureText', (ctx, args) => {
    let s = fontState.get(ctx);
    if (!s) { s = {fonts: new Set(), counts: new Map(), done: false}; fontState.set(ctx, s); }
    if (s.done) return;
    s.fonts.add(String(ctx.font));
    const text = String(args[0]);
    const n = (s.counts.get(text) || 0) + 1;
    s.counts.set(text, n);
    if (s.fonts.size >= MIN_FONTS && n >= MIN_MEASURES) {
      s.done = true;
      emit('fonts', `measureText ${n} times over ${s.fonts.size} fonts`);
    }
  });

  // -- webgl: the unmasked vendor or renderer of the graphics card.
  for (const GL of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    wrap(GL && GL.prototype, 'getParameter', (gl, args) => {
      if (args[0] === UNMASKED_VENDOR || args[0] === UNMASKED_RENDERER) {
        emit('webgl', `getParameter(${args[0] === UNMASKED_VENDOR ? 'UNMASKED_VENDOR_WEBGL' : 'UNMASKED_RENDERER_WEBGL'})`);
      }
    });
  }

  // -- audio: an oscillator rendered offline, or read through an analyser.
  const withOscillator = new WeakSet();
  const Base = window.BaseAudioContext || window.AudioContext;
  wrap(Base && Base.prototype, 'createOscillator', (ctx) => withOscillator.add(ctx));
  wrap(window.OfflineAudioContext && OfflineAudioContext.prototype, 'startRendering', (ctx) => {
    if (withOscillator.has(ctx)) emit('audio', 'OfflineAudioContext rendering an oscillator');
  });
  for (const name of ['getFloatFrequencyData', 'getByteFrequencyData']) {
    wrap(window.AnalyserNode && AnalyserNode.prototype, name, (node) => {
      if (withOscillator.has(node.context)) emit('audio', `AnalyserNode.${name} of an oscillator`);
    });
  }
})();
