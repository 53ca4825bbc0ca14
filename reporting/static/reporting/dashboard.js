// The government dashboard's charts (reporting/templates/reporting/dashboard). The
// numbers come from the page's json_script element, the same ones its tables print;
// once a chart is drawn its table folds away (still one click from the reader), and
// without this script or Chart.js the tables simply stay open.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.Chart) return;
  var charts = JSON.parse(source.textContent);
  // Numbers the Indonesian way whatever the page's language: 1.234, 85,3%, Rp 5.000.
  var whole = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 0 });
  var decimal = new Intl.NumberFormat("id-ID", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var compact = new Intl.NumberFormat("id-ID", { notation: "compact", maximumFractionDigits: 1 });
  var colours = ["#0b6e4f", "#d98c1f", "#3b6fb6", "#a61b1b"];

  function text(value, kind) {
    if (value === null || value === undefined) return "–";
    if (kind === "money") return (value < 0 ? "-Rp " : "Rp ") + whole.format(Math.abs(value));
    if (kind === "percent") return decimal.format(value) + "%";
    if (kind === "days") return decimal.format(value);
    return whole.format(value);
  }

  function tick(value, kind) {
    if (kind === "percent") return whole.format(value) + "%";
    var shown = Math.abs(value) >= 10000 ? compact.format(value) : whole.format(value);
    return kind === "money" ? "Rp " + shown : shown;
  }

  function draw(canvas) {
    var spec = charts[canvas.getAttribute("data-chart")];
    if (!spec || !spec.series.length) return;
    var box = canvas.parentNode;
    if (spec.horizontal) box.style.height = spec.labels.length * 26 + 56 + "px";
    var kind = spec.series[0].kind;
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      // Whole people, claims and rupiah: no tick at 0,5.
      ticks: {
        callback: function (value) { return tick(value, kind); },
        maxTicksLimit: 6,
        precision: kind === "percent" ? 1 : 0
      }
    };
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, i) {
          var colour = colours[i % colours.length];
          return {
            label: series.label,
            data: series.values,
            kind: series.kind,
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: spec.type === "line" ? 2 : 0,
            pointRadius: 1.5,
            tension: 0.2
          };
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: spec.series.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + text(item.raw, item.dataset.kind);
              }
            }
          }
        },
        // A bar of an area below opens that area's dashboard (the table beside the
        // chart has the same links for keyboards and screen readers).
        onClick: function (event, elements) {
          if (elements.length && spec.links && spec.links[elements[0].index]) {
            window.location.href = spec.links[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          var linked = elements.length && spec.links && spec.links.length;
          event.native.target.style.cursor = linked ? "pointer" : "default";
        }
      }
    });
    var figure = box.parentNode;
    figure.classList.add("drawn");
    var details = figure.querySelector("details.chart-numbers");
    if (details) details.removeAttribute("open");
  }

  document.documentElement.classList.add("charts");
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
})();
