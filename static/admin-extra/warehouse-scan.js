// The warehouse page's camera scan: reads the RMA slip's QR code or barcode and opens the parcel.
// It fills the page's RMA field and sends its form, exactly as a person or a barcode scanner
// typing the code and Enter would: the page works without this file.
(function () {
  "use strict";

  var FORMATS = ["qr_code", "code_128"];
  var FRAME_INTERVAL_MS = 150;

  var panel = document.getElementById("asm-camera");
  var form = document.querySelector("form.asm-scan");
  if (!panel || !form) {
    return;
  }
  var field = form.querySelector('input[name="rma"]');
  var start = document.getElementById("asm-scan-start");
  var stop = document.getElementById("asm-scan-stop");
  var statusLine = document.getElementById("asm-scan-status");
  var video = document.getElementById("asm-scan-video");
  var stream = null;
  var timer = null;

  function say(key, extra) {
    statusLine.textContent = panel.dataset[key] + (extra ? " " + extra : "");
  }

  // The browser's own reader where it has one for these formats, else the vendored ZXing.
  function nativeReader() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (supported) {
      var wanted = FORMATS.filter(function (format) { return supported.indexOf(format) !== -1; });
      if (!wanted.length) {
        return null;
      }
      var detector = new window.BarcodeDetector({ formats: wanted });
      return function (source) {
        return detector.detect(source).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }, function () { return null; });
  }

  function loadZxing() {
    if (window.ZXing) {
      return Promise.resolve(window.ZXing);
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = panel.dataset.decoderSrc;
      script.onload = function () { resolve(window.ZXing); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function zxingReader() {
    return loadZxing().then(function (ZXing) {
      var hints = new Map();
      hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat.QR_CODE, ZXing.BarcodeFormat.CODE_128]);
      hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
      var reader = new ZXing.MultiFormatReader();
      reader.setHints(hints);
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (source) {
        if (!source.videoWidth) {
          return Promise.resolve(null);
        }
        canvas.width = source.videoWidth;
        canvas.height = source.videoHeight;
        context.drawImage(source, 0, 0, canvas.width, canvas.height);
        try {
          var luminance = new ZXing.HTMLCanvasElementLuminanceSource(canvas);
          var bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(luminance));
          return Promise.resolve(reader.decodeWithState(bitmap).getText());
        } catch (nothingFound) {
          return Promise.resolve(null);
        } finally {
          reader.reset();
        }
      };
    });
  }

  function chooseReader() {
    return nativeReader().then(function (reader) { return reader || zxingReader(); });
  }

  function stopCamera() {
    window.clearTimeout(timer);
    timer = null;
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function watch(read) {
    read(video).then(function (code) {
      if (!stream) {
        return;
      }
      if (code && code.trim()) {
        say("textFound", code.trim());
        stopCamera();
        field.value = code.trim();
        form.submit();
        return;
      }
      timer = window.setTimeout(function () { watch(read); }, FRAME_INTERVAL_MS);
    }, function () {
      timer = window.setTimeout(function () { watch(read); }, FRAME_INTERVAL_MS);
    });
  }

  function startCamera() {
    say("textOpening");
    start.hidden = true;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (opened) {
        stream = opened;
        video.srcObject = stream;
        video.hidden = false;
        stop.hidden = false;
        return video.play();
      })
      .then(chooseReader)
      .then(function (read) {
        say("textLooking");
        watch(read);
      })
      .catch(function () {
        stopCamera();
        say("textDenied");
      });
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say("textUnsupported");
    return;
  }
  start.hidden = false;
  start.addEventListener("click", startCamera);
  stop.addEventListener("click", function () {
    stopCamera();
    statusLine.textContent = "";
    field.focus();
  });
})();
