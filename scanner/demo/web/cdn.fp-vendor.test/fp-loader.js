/* SYNTHETIC third-party fingerprinter (cookiescan fixture web): loads the real FingerprintJS
   library and sends the visitor id home. */
(function () {
  var s = document.createElement("script");
  s.src = "https://cdn.jsdelivr.net/npm/@fingerprintjs/fingerprintjs@5.2.0/dist/fp.umd.min.js";
  s.onload = function () {
    FingerprintJS.load({monitoring: false}).then(function (fp) { return fp.get(); }).then(function (result) {
      new Image().src = "https://cdn.fp-vendor.test/collect?vid=" + encodeURIComponent(result.visitorId);
    });
  };
  document.head.appendChild(s);
})();
