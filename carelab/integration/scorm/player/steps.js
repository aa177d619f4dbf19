/* CareLab SCORM player: how each kind of step looks (text, quiz, reflection, case, lab,
   and a workshop's poll or discussion, which on one's own is something to think about). */
"use strict";
var CareLab = window.CareLab || {};
window.CareLab = CareLab;

CareLab.steps = {
  text: function (step, box) {
    CareLab.blocks(box, step.body);
    step.sources.forEach(function (s) { CareLab.citation(box, s.citation, s.url, "Source: "); });
  },
  quiz: function (step, box, ctx) {
    CareLab.blocks(box, step.intro);
    CareLab.steps.questions(step.questions, box, ctx);
  },
  questions: function (questions, box, ctx) {
    questions.forEach(function (q, index) {
      box.appendChild(CareLab.questionView(q, {
        number: index + 1, total: questions.length, seed: ctx.state.seed,
        saved: ctx.state.answers[q.key], answer: ctx.answer
      }));
    });
  },
  reflection: function (step, box, ctx) {
    var el = CareLab.el;
    CareLab.blocks(box, step.prompt);
    CareLab.blocks(box, step.guidance);
    box.appendChild(el("p", { className: "notice" }, "⚠ Write nothing that could identify a patient: no names, " +
      "dates of birth, NHS or hospital numbers."));
    var saved = ctx.state.reflections[step.id] || {};
    var areas = {};
    step.fields.forEach(function (field) {
      var id = "r-" + step.id + "-" + field.name;
      box.appendChild(el("label", { for: id }, field.label));
      box.appendChild(el("p", { className: "hint", id: id + "-hint" }, field.hint));
      var area = el("textarea", { id: id, rows: 4, maxlength: 5000, "aria-describedby": id + "-hint" });
      area.value = saved[field.name] || "";
      areas[field.name] = area;
      box.appendChild(area);
    });
    var button = box.appendChild(el("button", { type: "button", className: "primary" }, "Save my reflection"));
    var status = box.appendChild(el("p", { className: "status", role: "status" }));
    if (ctx.state.done.indexOf(step.id) >= 0) status.textContent = "✓ Saved.";
    button.addEventListener("click", function () {
      var texts = {};
      Object.keys(areas).forEach(function (name) { texts[name] = areas[name].value.trim(); });
      status.textContent = ctx.reflect(step, texts);
    });
  },
  "case": function (step, box, ctx) {
    var el = CareLab.el, c = step.case;
    if (step.focus.length) {
      var focus = box.appendChild(el("div", { className: "focus" }));
      focus.appendChild(el("h3", null, "What to look for"));
      CareLab.blocks(focus, step.focus, 4);
    }
    box.appendChild(el("h3", null, c.title));
    box.appendChild(el("p", { className: "caption" }, c.setting));
    CareLab.blocks(box, c.summary, 4);
    if (c.timeline.length) {
      box.appendChild(el("h4", null, "Timeline"));
      var list = box.appendChild(el("ul"));
      c.timeline.forEach(function (e) {
        var li = list.appendChild(el("li"));
        li.appendChild(el("strong", null, e.date + ": "));
        CareLab.inline(li, e.event);
        if (e.cite) li.appendChild(document.createTextNode(" " + e.cite));
      });
    }
    c.sections.forEach(function (s) {
      box.appendChild(el("h4", null, s.heading));
      CareLab.blocks(box, s.body, 5);
      if (s.cite) box.appendChild(el("p", { className: "source" }, s.cite));
    });
    if (c.figures.length) {
      box.appendChild(el("h4", null, "Key figures"));
      var figures = box.appendChild(el("ul", { className: "figures" }));
      c.figures.forEach(function (f) {
        var li = figures.appendChild(el("li"));
        li.appendChild(el("strong", null, f.value));
        li.appendChild(el("span", null, " " + f.label));
        if (f.note) li.appendChild(el("span", { className: "caveat" }, " Caveat: " + f.note));
        li.appendChild(el("span", { className: "source" }, " " + f.cite));
      });
    }
    [["What to notice", c.notice, "ul"], ["Discussion questions", c.discussion, "ol"]].forEach(function (part) {
      if (!part[1].length) return;
      box.appendChild(el("h4", null, part[0]));
      var items = box.appendChild(el(part[2]));
      part[1].forEach(function (item) { CareLab.inline(items.appendChild(el("li")), item); });
    });
    if (step.questions.length) {
      box.appendChild(el("h4", null, "Questions on the case"));
      CareLab.steps.questions(step.questions, box, ctx);
    }
    box.appendChild(el("h4", null, "References"));
    c.references.forEach(function (r) {
      var p = CareLab.citation(box, r.citation, r.url, r.label + " ");
      if (r.note) p.appendChild(document.createTextNode(" Note: " + r.note));
    });
  },
  lab: function (step, box) {
    var el = CareLab.el;
    box.appendChild(el("p", null, "Indicator Lab: " + step.scenario)).className = "caption";
    CareLab.blocks(box, step.prompt);
    box.appendChild(el("h3", null, "What the scenario shows"));
    CareLab.blocks(box, step.notice);
    var live = box.appendChild(el("div", { className: "notice" }));
    live.appendChild(el("p", null, "The Indicator Lab is interactive and runs on the CareLab site, not inside this package."));
    if (step.url) {
      var p = live.appendChild(el("p"));
      p.appendChild(CareLab.link(step.url, "Open this scenario in the Indicator Lab"));
    } else {
      live.appendChild(el("p", null, "If your organisation runs CareLab, open its Indicator Lab and choose the scenario “" +
        step.scenario + "”. Otherwise, read what the scenario shows above."));
    }
  },
  group: function (step, box) {
    var el = CareLab.el;
    CareLab.blocks(box, step.prompt);
    if (step.options.length) {
      var list = box.appendChild(el("ul"));
      step.options.forEach(function (o) { CareLab.inline(list.appendChild(el("li")), o); });
    }
    box.appendChild(el("p", { className: "notice" }, step.note));
  }
};
