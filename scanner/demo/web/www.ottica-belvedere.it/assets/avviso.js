/* SYNTHETIC fixture site: a hand-made cookie notice (no consent library). It stores the choice
   in the first-party cookie "consenso_cookie" and loads Google Analytics only after "Accetta tutto". */
(function () {
  "use strict";
  function choice() { var m = document.cookie.match(/(?:^|; )consenso_cookie=([^;]*)/); return m && m[1]; }
  function loadAnalytics() {
    var s = document.createElement("script"); s.async = true;
    s.src = "https://www.googletagmanager.com/gtag/js?id=G-BELVEDERE"; document.head.appendChild(s);
  }
  function decide(value) {
    document.cookie = "consenso_cookie=" + value + "; max-age=15552000; path=/; Secure; SameSite=Lax";
    document.getElementById("avviso-cookie").remove();
    if (value === "si") loadAnalytics();
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (choice() === "si") { loadAnalytics(); return; }
    if (choice()) return;
    var box = document.createElement("div");
    box.id = "avviso-cookie";
    box.setAttribute("role", "dialog");
    box.style.cssText = "position:fixed;bottom:0;left:0;right:0;background:#fff;border-top:2px solid #333;padding:1em";
    box.innerHTML = "<p>Questo sito utilizza cookie tecnici e, con il suo consenso, cookie analitici per " +
      "statistiche sulle visite. Consulti la nostra informativa sui cookie.</p>" +
      "<button id='accetta'>Accetta tutto</button> <button id='rifiuta'>Rifiuta</button>";
    document.body.appendChild(box);
    document.getElementById("accetta").addEventListener("click", function () { decide("si"); });
    document.getElementById("rifiuta").addEventListener("click", function () { decide("no"); });
  });
  // PLANTED before_consent / after_refusal: an A/B test id written three seconds after load,
  // whatever the visitor chose (the policy lists it among the analytics cookies).
  setTimeout(function () {
    document.cookie = "vetrina_ab=" + (Math.random() < 0.5 ? "A" : "B") + "; max-age=2592000; path=/; Secure; SameSite=Lax";
  }, 3000);
})();
