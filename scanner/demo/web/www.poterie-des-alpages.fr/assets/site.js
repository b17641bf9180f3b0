/* SYNTHETIC fixture site script (cookiescan untuned fixture web).
   The basket id is written two seconds after load, as shops that wait for their
   cart widget do: a scan that stops at the load event never sees it. */
(function () {
  "use strict";
  setTimeout(function () {
    if (!/(?:^|; )panier_id=/.test(document.cookie)) {
      document.cookie = "panier_id=" + Math.random().toString(36).slice(2) + "; max-age=604800; path=/; Secure; SameSite=Lax";
    }
  }, 2000);
})();
