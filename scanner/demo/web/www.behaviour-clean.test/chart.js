/* SYNTHETIC first-party chart (cookiescan fixture web). */
(function () {
  var data = [["Lundi", 32, "#1f77b4"], ["Mardi", 41, "#ff7f0e"], ["Mercredi", 28, "#2ca02c"],
              ["Jeudi", 45, "#d62728"], ["Vendredi", 38, "#9467bd"]];
  var canvas = document.getElementById("chart"), ctx = canvas.getContext("2d");
  ctx.font = "14px sans-serif";
  data.forEach(function (d, i) {
    ctx.save();
    ctx.fillStyle = d[2];
    ctx.fillRect(40 + i * 85, 200 - d[1] * 4, 60, d[1] * 4);
    ctx.fillText(d[0] + " (" + d[1] + ")", 40 + i * 85, 225);
    ctx.restore();
  });
  document.getElementById("export").src = canvas.toDataURL("image/png");
  var spark = document.getElementById("spark").getContext("2d");
  spark.fillStyle = "#333";
  spark.fillText("tendance 7 jours", 0, 10);
  spark.fillStyle = "#c00";
  spark.fillText("+12 %", 90, 10);
  spark.getImageData(0, 0, 120, 12);
})();
