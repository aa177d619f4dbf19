/* CareLab SCORM player: talking to the LMS through the SCORM 1.2 run-time API.
   The API is found as the SCORM 1.2 RTE says: an object named API on this window's parent
   chain (up to 500 levels), then on the opener's chain. Without one the module still runs,
   and says that nothing is being recorded. */
"use strict";
var CareLab = window.CareLab || {};
window.CareLab = CareLab;

CareLab.scorm = (function () {
  var api = null;
  var started = false;
  var finished = false;
  var lastError = "";

  function search(win) {
    var tries = 0;
    while (win && !win.API && win.parent && win.parent !== win && tries < 500) {
      tries += 1;
      win = win.parent;
    }
    try { return win && win.API ? win.API : null; } catch (e) { return null; }
  }

  function find() {
    var found = null;
    try { found = search(window); } catch (e) { found = null; }
    if (!found) {
      try { if (window.opener) found = search(window.opener); } catch (e2) { found = null; }
    }
    return found;
  }

  function check(result, what) {
    if (result === true || result === "true") return true;
    var code = api.LMSGetLastError();
    lastError = what + ": " + code + " " + api.LMSGetErrorString(code);
    if (window.console) window.console.warn("SCORM " + lastError);
    return false;
  }

  return {
    start: function () {
      api = find();
      if (!api) return false;
      started = check(api.LMSInitialize(""), "LMSInitialize");
      return started;
    },
    connected: function () { return started && !finished; },
    get: function (name) {
      if (!started || finished) return "";
      var value = api.LMSGetValue(name);
      var code = String(api.LMSGetLastError());
      return code === "0" ? String(value) : "";
    },
    set: function (name, value) {
      if (!started || finished) return false;
      return check(api.LMSSetValue(name, String(value)), "LMSSetValue " + name);
    },
    commit: function () {
      if (!started || finished) return false;
      return check(api.LMSCommit(""), "LMSCommit");
    },
    finish: function () {
      if (!started || finished) return false;
      finished = true;
      return check(api.LMSFinish(""), "LMSFinish");
    },
    lastError: function () { return lastError; },
    /* HHHH:MM:SS.SS, as cmi.core.session_time takes it (CMITimespan). */
    timespan: function (ms) {
      var centis = Math.max(0, Math.round(ms / 10));
      var hours = Math.min(9999, Math.floor(centis / 360000));
      var minutes = Math.floor((centis % 360000) / 6000);
      var seconds = (centis % 6000) / 100;
      function pad(n, width) { n = String(n); while (n.length < width) n = "0" + n; return n; }
      return pad(hours, 4) + ":" + pad(minutes, 2) + ":" + pad(seconds.toFixed(2), 5);
    },
    /* HH:MM:SS, the time of day of an interaction (CMITime). */
    clock: function (date) {
      function pad(n) { return n < 10 ? "0" + n : String(n); }
      return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
    }
  };
})();
