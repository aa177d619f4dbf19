/* A stand-in LMS page for CareLab's SCORM tests: scorm-again's Scorm12API as window.API (as
   an LMS provides it), the package's launch page in an iframe, and every commit recorded.
   The query string's `cmi` may carry the cmi data of an earlier session (JSON), as an LMS
   restores it on a resumed launch. */
"use strict";
(function () {
  var given = new URLSearchParams(window.location.search).get("cmi");
  var earlier = given ? JSON.parse(given) : null;
  window.commits = [];
  window.setValues = [];
  window.API = new Scorm12API({ autocommit: false, logLevel: 4 });
  if (earlier) window.API.loadFromJSON(earlier, "cmi");
  window.API.on("LMSSetValue.cmi.*", function (element, value) { window.setValues.push([element, value]); });
  window.API.on("LMSCommit", function () { window.commits.push(JSON.parse(JSON.stringify(window.API.cmi))); });
  window.lmsCmi = function () { return JSON.parse(JSON.stringify(window.API.cmi)); };
  window.addEventListener("DOMContentLoaded", function () {
    document.getElementById("sco").src = "package/index.html";
  });
})();
