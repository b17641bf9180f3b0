/* SYNTHETIC third-party session recorder (cookiescan fixture web): the real rrweb library
   records the page (DOM, mouse, inputs) and the events are uploaded every 300 ms. */
(function () {
  var events = [];
  var s = document.createElement("script");
  s.src = "https://cdn.jsdelivr.net/npm/rrweb@2.2.2/dist/rrweb.umd.min.cjs";
  s.onload = function () {
    rrweb.record({emit: function (event) { events.push(event); }});
    setInterval(function () {
      if (!events.length) return;
      var batch = JSON.stringify(events.splice(0, events.length));
      fetch("https://rec.replay-vendor.test/ingest", {method: "POST", body: batch, mode: "no-cors", keepalive: batch.length < 60000});
    }, 300);
  };
  document.head.appendChild(s);
})();
