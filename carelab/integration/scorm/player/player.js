/* CareLab SCORM player: the module's state, the pages, and what is reported to the LMS.
   State (answers, reflections, finished steps, the attempt's shuffle seed) is kept in
   cmi.suspend_data and the place in cmi.core.lesson_location, and both are committed the
   moment an answer is given, so a learner who leaves resumes where they were. The score
   counts each question's first answer; status is passed or failed by the module's pass
   mark once every required step is done (completed for a module without questions). */
"use strict";
(function () {
  var CareLab = window.CareLab;
  var el = CareLab.el, scorm = CareLab.scorm;
  var module = JSON.parse(document.getElementById("carelab-content").textContent);
  var SUSPEND_MAX = 4096;
  var READ_ONLY = ["text", "case", "lab", "group"];
  var IDENTIFIERS = [[/\b\d{3}[ -]?\d{3}[ -]?\d{4}\b/, "an NHS number"], [/\b(dob|d\.o\.b|born on)\b/i, "a date of birth"],
    [/\b\d{1,2}[\/.-]\d{1,2}[\/.-]\d{2,4}\b/, "a full date"], [/\b(mrn|hospital (number|no))\b/i, "a hospital number"]];
  var startedAt = Date.now();
  var shownAt = Date.now();
  var interactions = 0;
  var finished = false;
  var state;
  var questions = [];
  module.steps.forEach(function (step) { (step.questions || []).forEach(function (q) { questions.push([step.id, q]); }); });

  function fresh(attempt) {
    return { v: module.version, n: attempt, seed: Math.floor(Math.random() * 2147483647), at: "overview",
      done: [], answers: {}, reflections: {} };
  }

  function stepDone(step) {
    if (step.questions && step.questions.length && step.questions.every(function (q) { return state.answers[q.key]; })) return true;
    return state.done.indexOf(step.id) >= 0;
  }

  function result() {
    var total = 0;
    questions.forEach(function (pair) { var a = state.answers[pair[1].key]; if (a) total += a.s; });
    var score = questions.length ? total / questions.length : 1;
    var missing = module.steps.filter(function (s) { return s.required && !stepDone(s); });
    var passed = questions.length === 0 || score >= module.passMark - 1e-9;
    var status = missing.length ? "incomplete" : questions.length === 0 ? "completed" : passed ? "passed" : "failed";
    return { score: score, missing: missing, status: status };
  }

  function suspendData() {
    var text = JSON.stringify(state);
    if (text.length <= SUSPEND_MAX) return [text, false];
    var lean = JSON.parse(text);
    Object.keys(lean.answers).forEach(function (key) { lean.answers[key].r = lean.answers[key].f; });
    text = JSON.stringify(lean);
    if (text.length <= SUSPEND_MAX) return [text, false];
    lean.reflections = {};
    return [JSON.stringify(lean), true];
  }

  function save() {
    var now = result();
    var data = suspendData();
    scorm.set("cmi.suspend_data", data[0]);
    scorm.set("cmi.core.lesson_location", String(state.at));
    scorm.set("cmi.core.lesson_status", now.status);
    if (now.status !== "incomplete") {
      scorm.set("cmi.core.score.min", "0");
      scorm.set("cmi.core.score.max", "100");
      scorm.set("cmi.core.score.raw", String(Math.round(now.score * 1000) / 10));
    }
    scorm.commit();
    return data[1];
  }

  function answer(q, response) {
    var grade = CareLab.grade(q, response);
    var record = state.answers[q.key];
    if (record) {
      record.r = response;
    } else {
      record = state.answers[q.key] = { f: response, r: response, s: grade.score, c: grade.correct };
      var form = CareLab.interaction(q, response);
      var prefix = "cmi.interactions." + interactions + ".";
      interactions += 1;
      scorm.set(prefix + "id", q.iid);
      scorm.set(prefix + "type", form.type);
      scorm.set(prefix + "time", scorm.clock(new Date()));
      scorm.set(prefix + "weighting", "1");
      scorm.set(prefix + "correct_responses.0.pattern", form.pattern);
      scorm.set(prefix + "student_response", form.response);
      scorm.set(prefix + "result", grade.correct ? "correct" : "wrong");
      scorm.set(prefix + "latency", scorm.timespan(Date.now() - shownAt));
    }
    save();
    renderContents();
    return record;
  }

  function reflect(step, texts) {
    var all = Object.keys(texts).map(function (k) { return texts[k]; });
    if (!all.some(Boolean)) return "⚠ Write at least one part of the reflection before saving it.";
    state.reflections[step.id] = texts;
    if (state.done.indexOf(step.id) < 0) state.done.push(step.id);
    var dropped = save();
    renderContents();
    var message = "✓ Saved at " + scorm.clock(new Date()).slice(0, 5) + ".";
    var found = IDENTIFIERS.filter(function (p) { return all.some(function (t) { return p[0].test(t); }); });
    if (found.length) {
      message += " ⚠ Your reflection may contain " + found.map(function (p) { return p[1]; }).join(", ") +
        ". Please check it identifies no patient, and edit it if it does.";
    }
    if (dropped) {
      message += " ⚠ The learning system keeps only a little text for resuming, so your reflection will not " +
        "be here after you leave: copy it somewhere to keep it.";
    }
    return message;
  }

  var ctx = { answer: answer, reflect: reflect };

  function viewIndex() { return typeof state.at === "number" ? state.at : -1; }

  function go(view) {
    var step = module.steps[viewIndex()];
    if (step && READ_ONLY.indexOf(step.kind) >= 0 && state.done.indexOf(step.id) < 0) state.done.push(step.id);
    state.at = view;
    shownAt = Date.now();
    save();
    render();
    var heading = document.getElementById("view-heading");
    heading.focus();
    window.scrollTo(0, 0);
  }

  function renderContents() {
    var list = document.getElementById("step-list");
    list.textContent = "";
    var add = function (label, view, done) {
      var li = list.appendChild(el("li"));
      var button = li.appendChild(el("button", { type: "button", className: "link" }, label));
      if (done) button.appendChild(el("span", { className: "done" }, " ✓ done"));
      if (view === state.at) button.setAttribute("aria-current", "step");
      button.addEventListener("click", function () { go(view); });
    };
    add("About this module", "overview", false);
    module.steps.forEach(function (step, index) { add(step.title, index, stepDone(step)); });
    add("Your result", "results", false);
    var at = viewIndex();
    document.getElementById("progress").textContent = at >= 0
      ? "Step " + (at + 1) + " of " + module.steps.length
      : state.at === "results" ? "Your result" : module.steps.length + " steps · about " + module.minutes + " minutes";
  }

  function overview(box) {
    CareLab.blocks(box, module.summary);
    box.appendChild(el("h3", null, "You will be able to"));
    var list = box.appendChild(el("ul"));
    module.objectives.forEach(function (o) { list.appendChild(el("li", null, o)); });
    box.appendChild(el("p", null, "About " + module.minutes + " minutes. To pass, finish every required step and score at least " +
      Math.round(module.passMark * 100) + "% on the questions (your first answer to each counts)."));
  }

  function results(box) {
    var now = result();
    var words = { incomplete: "Not finished yet", completed: "✓ Completed", passed: "✓ Passed", failed: "✗ Not passed" };
    box.appendChild(el("p", { className: "verdict result-" + now.status }, words[now.status]));
    if (questions.length) {
      box.appendChild(el("p", null, "Your score: " + Math.round(now.score * 100) + "% (the pass mark is " +
        Math.round(module.passMark * 100) + "%), from your first answer to each of " + questions.length + " questions."));
    }
    if (now.missing.length) {
      box.appendChild(el("p", null, "Still to do:"));
      var list = box.appendChild(el("ul"));
      now.missing.forEach(function (step) {
        var button = list.appendChild(el("li")).appendChild(el("button", { type: "button", className: "link" }, step.title));
        button.addEventListener("click", function () { go(module.steps.indexOf(step)); });
      });
    }
    if (now.status === "failed") {
      box.appendChild(el("p", null, "You can start the module again: a new attempt, with your answers cleared."));
      var again = box.appendChild(el("button", { type: "button" }, "Start again"));
      again.addEventListener("click", function () { state = fresh(state.n + 1); go("overview"); });
    }
    var exit = box.appendChild(el("button", { type: "button", className: "primary", id: "finish" }, "Finish and close"));
    exit.addEventListener("click", function () {
      finish();
      var main = document.getElementById("view");
      main.textContent = "";
      main.appendChild(el("h2", { id: "view-heading", tabindex: "-1" }, "Finished"));
      main.appendChild(el("p", { role: "status" }, scorm.lastError() ? "The learning system reported a problem: " + scorm.lastError()
        : "Your result has been sent to your learning system. You can close this window."));
      document.getElementById("pager").hidden = true;
      document.getElementById("view-heading").focus();
    });
  }

  function render() {
    var box = document.getElementById("view");
    box.textContent = "";
    ctx.state = state;
    var at = viewIndex();
    var step = module.steps[at];
    var title = step ? step.title : state.at === "results" ? "Your result" : module.title;
    box.appendChild(el("h2", { id: "view-heading", tabindex: "-1" }, title));
    if (step && !step.required) box.appendChild(el("p", { className: "caption" }, "Optional step"));
    if (step) CareLab.steps[step.kind](step, box, ctx);
    else if (state.at === "results") results(box);
    else overview(box);
    var prev = document.getElementById("prev"), next = document.getElementById("next");
    prev.hidden = state.at === "overview";
    next.hidden = state.at === "results";
    next.textContent = at === module.steps.length - 1 ? "See your result" : state.at === "overview" ? "Start" : "Next";
    renderContents();
  }

  function finish() {
    if (finished) return;
    finished = true;
    var now = result();
    scorm.set("cmi.core.session_time", scorm.timespan(Date.now() - startedAt));
    scorm.set("cmi.core.exit", now.status === "passed" || now.status === "completed" ? "" : "suspend");
    save();
    scorm.finish();
  }

  function start() {
    document.title = module.title;
    document.getElementById("title").textContent = module.title;
    var connected = scorm.start();
    if (!connected) {
      document.getElementById("lms-note").textContent = "No learning system found: this module runs, but your " +
        "progress and score are not recorded.";
    }
    var saved = null;
    try { saved = JSON.parse(scorm.get("cmi.suspend_data") || "null"); } catch (e) { saved = null; }
    state = saved && saved.v === module.version && saved.answers ? saved : fresh(1);
    var location = scorm.get("cmi.core.lesson_location");
    if (location !== "") state.at = /^\d+$/.test(location) ? Math.min(Number(location), module.steps.length - 1) : location;
    if (state.at !== "overview" && state.at !== "results" && typeof state.at !== "number") state.at = "overview";
    interactions = Number(scorm.get("cmi.interactions._count")) || 0;
    document.getElementById("prev").addEventListener("click", function () {
      var at = viewIndex();
      go(state.at === "results" ? module.steps.length - 1 : at <= 0 ? "overview" : at - 1);
    });
    document.getElementById("next").addEventListener("click", function () {
      var at = viewIndex();
      go(at === module.steps.length - 1 ? "results" : at + 1);
    });
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
    if (connected) save();
    render();
  }

  start();
})();
