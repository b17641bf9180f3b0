/* SYNTHETIC font enumeration (cookiescan fixture web): measures one string under many
   font families, as font-probing fingerprinters do; plus the WebGL renderer and an
   offline audio render. */
(function () {
  var families = ["Arial", "Verdana", "Helvetica", "Tahoma", "Trebuchet MS", "Times New Roman", "Georgia",
    "Garamond", "Courier New", "Brush Script MT", "Palatino", "Bookman", "Comic Sans MS", "Impact", "Lucida Console",
    "Lucida Sans", "Monaco", "Optima", "Futura", "Gill Sans", "Calibri", "Cambria", "Candara", "Consolas",
    "Constantia", "Corbel", "Franklin Gothic", "Segoe UI", "Segoe Print", "Ubuntu", "DejaVu Sans", "Liberation Serif",
    "Noto Sans", "Roboto", "Open Sans", "Lato", "Montserrat", "Source Sans Pro", "Fira Sans", "PT Sans",
    "Droid Sans", "Cantarell", "Oxygen", "Baskerville", "Didot", "Rockwell", "Century Gothic", "Avenir",
    "Menlo", "Andale Mono", "Arial Black", "Geneva", "Hoefler Text", "Skia", "Papyrus"];
  var ctx = document.createElement("canvas").getContext("2d");
  var widths = [];
  for (var i = 0; i < families.length; i++) {
    ctx.font = "72px '" + families[i] + "', monospace";
    widths.push(ctx.measureText("mmmmmmmmmmlli").width);
  }
  var info = "";
  var gl = document.createElement("canvas").getContext("webgl");
  if (gl) {
    var ext = gl.getExtension("WEBGL_debug_renderer_info");
    if (ext) info = gl.getParameter(ext.UNMASKED_VENDOR_WEBGL) + "/" + gl.getParameter(ext.UNMASKED_RENDERER_WEBGL);
  }
  var audio = new OfflineAudioContext(1, 5000, 44100);
  var osc = audio.createOscillator();
  osc.type = "triangle";
  osc.frequency.value = 10000;
  var comp = audio.createDynamicsCompressor();
  osc.connect(comp);
  comp.connect(audio.destination);
  osc.start(0);
  audio.startRendering().then(function (buffer) {
    var sum = 0, data = buffer.getChannelData(0);
    for (var j = 4500; j < 5000; j++) sum += Math.abs(data[j]);
    new Image().src = "https://cdn.fp-vendor.test/collect?f=" + widths.length + "&g=" + encodeURIComponent(info) + "&a=" + sum;
  });
})();
