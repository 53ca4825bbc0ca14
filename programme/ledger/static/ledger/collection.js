/* The collection sheet, enhanced: the amount follows the months, a row edited is a
   row ticked, and a member card's QR code (camera or photo) finds its participant.
   The sheet works without this file; only the camera needs it. QR codes are read by
   the phone's own BarcodeDetector when it has one, else by the vendored jsQR, which
   is loaded only then. */
(function () {
  "use strict";
  var form = document.querySelector("form.sheet-form");
  var scan = document.getElementById("scan");
  if (!form) return;
  var tbody = form.querySelector("table.sheet tbody");

  function rupiah(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  /* Amount = months x the scheme's premium (data-premium, from the server). */
  form.addEventListener("input", function (event) {
    var input = event.target;
    var row = input.closest("tr[data-policy]");
    if (!row || !input.name) return;
    var tick = row.querySelector("input[name=pay]");
    if (input.name.indexOf("months-") === 0) {
      var months = parseInt(input.value, 10);
      var amount = row.querySelector("input[name^=amount-]");
      if (amount && months > 0) amount.value = rupiah(months * parseInt(row.dataset.premium, 10));
    }
    if (tick && input !== tick && input.value !== "") tick.checked = true;
  });

  if (!scan || !window.fetch || !document.createElement("canvas").getContext) return;
  scan.hidden = false;
  var status = document.getElementById("scan-status");
  var video = document.getElementById("scan-video");
  var startButton = document.getElementById("scan-camera");
  var stopButton = document.getElementById("scan-stop");
  var fileInput = document.getElementById("scan-file");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var busy = false;
  var jsqrLoading = null;
  var detector = null;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  if ("BarcodeDetector" in window) {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      detector = null;
    }
  }

  function loadJsqr() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!jsqrLoading) {
      jsqrLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = scan.dataset.jsqr;
        script.onload = function () { resolve(window.jsQR); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return jsqrLoading;
  }

  /* The text of a QR code in `source` (video, image or bitmap) of size w x h, or null. */
  function decode(source, w, h) {
    if (detector) {
      return detector.detect(source).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      }, function () { return decodeWithJsqr(source, w, h); });
    }
    return decodeWithJsqr(source, w, h);
  }

  function decodeWithJsqr(source, w, h) {
    return loadJsqr().then(function (jsQR) {
      var scale = Math.min(1, 1280 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
      return code ? code.data : null;
    });
  }

  function tokenOf(text) {
    var match = /\/kartu\/([A-Za-z0-9_-]{8,40})\/?(?:[?#].*)?$/.exec((text || "").trim());
    return match ? match[1] : null;
  }

  function markRow(row) {
    var tick = row.querySelector("input[name=pay]");
    if (tick) tick.checked = true;
    Array.prototype.forEach.call(tbody.querySelectorAll("tr.found"), function (r) {
      r.classList.remove("found");
    });
    row.classList.add("found");
    row.scrollIntoView({ block: "center" });
    var months = row.querySelector("input[name^=months-]");
    if (months) months.focus({ preventScroll: true });
  }

  function found(text) {
    var token = tokenOf(text);
    if (!token) {
      say(scan.dataset.msgNotCard, true);
      return Promise.resolve();
    }
    say(scan.dataset.msgLooking, false);
    return fetch(scan.dataset.lookup + encodeURIComponent(token) + "/", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          say(body.message || scan.dataset.msgFailed, true);
          return;
        }
        var row = tbody.querySelector('tr[data-policy="' + body.policy + '"]');
        if (!row) {
          var holder = document.createElement("tbody");
          holder.innerHTML = body.row.trim();
          row = holder.querySelector("tr");
          var empty = tbody.querySelector("tr.empty");
          if (empty) empty.remove();
          tbody.insertBefore(row, tbody.firstChild);
        }
        markRow(row);
        say(scan.dataset.msgFound + ": " + body.name, false);
      });
    }).catch(function () {
      say(scan.dataset.msgFailed, true);
    });
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
  }

  function tick() {
    if (!stream) return;
    if (busy || video.readyState < 2) {
      window.setTimeout(tick, 250);
      return;
    }
    busy = true;
    decode(video, video.videoWidth, video.videoHeight).then(function (text) {
      busy = false;
      if (text) {
        stopCamera();
        return found(text);
      }
      window.setTimeout(tick, 250);
    }, function () {
      busy = false;
      window.setTimeout(tick, 500);
    });
  }

  startButton.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(scan.dataset.msgCamera, true);
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        stopButton.hidden = false;
        say("", false);
        return video.play().then(tick);
      })
      .catch(function () {
        stopCamera();
        say(scan.dataset.msgCamera, true);
      });
  });
  stopButton.addEventListener("click", stopCamera);

  function imageOf(file) {
    if (window.createImageBitmap) return window.createImageBitmap(file);
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () { resolve(image); };
      image.onerror = reject;
      image.src = URL.createObjectURL(file);
    });
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    say(scan.dataset.msgLooking, false);
    imageOf(file)
      .then(function (image) {
        return decode(image, image.width, image.height);
      })
      .then(function (text) {
        fileInput.value = "";
        if (!text) {
          say(scan.dataset.msgNoCode, true);
          return;
        }
        return found(text);
      })
      .catch(function () {
        fileInput.value = "";
        say(scan.dataset.msgNoCode, true);
      });
  });
})();
