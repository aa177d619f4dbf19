/* CareLab SCORM player: one question on the page, its inputs, and its feedback.
   Inputs have labels, a ranking is ordered with Move up / Move down buttons (keyboard and
   screen reader friendly), and the verdict is said in words and a symbol, never by colour. */
"use strict";
var CareLab = window.CareLab || {};
window.CareLab = CareLab;

CareLab.questionView = function (q, ctx) {
  var el = CareLab.el;
  var base = "q-" + q.iid;
  var section = el("section", { className: "question", "aria-labelledby": base + "-title" });
  section.appendChild(el("h3", { id: base + "-title" }, "Question " + ctx.number + " of " + ctx.total));
  var prompt = CareLab.blocks(el("div", { className: "prompt", id: base + "-prompt" }), q.prompt, 4);
  section.appendChild(prompt);
  var saved = ctx.saved;
  var last = saved ? saved.r : null;
  var read;  // returns the response the inputs hold
  var form = el("div", { className: "answer" });

  function choiceGroup(legendText, type, entries) {
    var fieldset = el("fieldset");
    fieldset.setAttribute("aria-describedby", base + "-prompt");
    fieldset.appendChild(el("legend", null, legendText));
    var inputs = [];
    entries.forEach(function (entry, place) {
      var id = base + "-" + place;
      var row = el("div", { className: "choice" });
      var input = el("input", { type: type, id: id, name: base, value: String(entry.value) });
      inputs.push({ input: input, value: entry.value });
      var label = el("label", { for: id });
      if (typeof entry.label === "string") label.textContent = entry.label;
      else CareLab.inline(label, entry.label);
      row.appendChild(input);
      row.appendChild(label);
      fieldset.appendChild(row);
    });
    form.appendChild(fieldset);
    return inputs;
  }

  if (q.kind === "single_choice" || q.kind === "multiple_choice") {
    var one = q.kind === "single_choice";
    var order = CareLab.optionOrder(q, ctx.seed);
    var inputs = choiceGroup(one ? "Choose one answer" : "Choose every answer that applies",
      one ? "radio" : "checkbox",
      order.map(function (index) { return { value: index, label: q.options[index].text }; }));
    inputs.forEach(function (x) { x.input.checked = Array.isArray(last) && last.indexOf(x.value) >= 0; });
    read = function () {
      return inputs.filter(function (x) { return x.input.checked; }).map(function (x) { return x.value; });
    };
  } else if (q.kind === "true_false") {
    var tf = choiceGroup("True or false?", "radio", [{ value: "true", label: "True" }, { value: "false", label: "False" }]);
    tf.forEach(function (x) { x.input.checked = last !== null && String(last) === x.value; });
    read = function () {
      var picked = tf.filter(function (x) { return x.input.checked; });
      return picked.length ? picked[0].value === "true" : null;
    };
  } else if (q.kind === "numeric" || q.kind === "short_text") {
    var row = el("div", { className: "text-answer" });
    row.appendChild(el("label", { for: base + "-input" }, q.kind === "numeric" ? "Your answer (a number)" : "Your answer"));
    var input = el("input", {
      type: "text", id: base + "-input", inputmode: q.kind === "numeric" ? "decimal" : null,
      autocomplete: "off", maxlength: q.kind === "numeric" ? 50 : 500, "aria-describedby": base + "-prompt"
    });
    if (last !== null && last !== undefined) input.value = String(last);
    row.appendChild(input);
    if (q.unit) row.appendChild(el("span", { className: "unit" }, q.unit));
    form.appendChild(row);
    read = function () { return input.value; };
  } else if (q.kind === "ranking") {
    var current = Array.isArray(last) ? last.slice() : CareLab.itemOrder(q, ctx.seed);
    form.appendChild(el("p", { id: base + "-how" }, "Put the items in order, the first at the top: use Move up and Move down."));
    var list = el("ol", { className: "ranking", "aria-describedby": base + "-how" });
    var announce = el("p", { className: "sr-only", "aria-live": "polite" });
    var draw = function (focusItem, direction) {
      list.textContent = "";
      current.forEach(function (item, place) {
        var li = el("li");
        li.appendChild(el("span", { className: "place", "aria-hidden": "true" }, (place + 1) + "."));
        li.appendChild(el("span", { className: "item" }, q.items[item]));
        [["up", -1, "Move up"], ["down", 1, "Move down"]].forEach(function (spec) {
          var button = el("button", { type: "button", className: "move", "data-item": item, "data-move": spec[0],
            "aria-label": spec[2] + ": " + q.items[item] }, spec[0] === "up" ? "↑ Up" : "↓ Down");
          var target = place + spec[1];
          button.disabled = target < 0 || target >= current.length;
          button.addEventListener("click", function () {
            current.splice(place, 1);
            current.splice(target, 0, item);
            draw(item, spec[0]);
            announce.textContent = q.items[item] + " is now " + (target + 1) + " of " + current.length + ".";
          });
          li.appendChild(button);
        });
        list.appendChild(li);
      });
      if (focusItem !== undefined) {
        var again = list.querySelector('[data-item="' + focusItem + '"][data-move="' + direction + '"]');
        if (again && again.disabled) again = list.querySelector('[data-item="' + focusItem + '"]:not([disabled])');
        if (again) again.focus();
      }
    };
    draw();
    form.appendChild(list);
    form.appendChild(announce);
    read = function () { return current.slice(); };
  }
  section.appendChild(form);

  var error = el("p", { className: "error", role: "alert", id: base + "-error" });
  var check = el("button", { type: "button", className: "primary check" }, saved ? "Check again" : "Check answer");
  var feedback = el("div", { className: "feedback", "aria-live": "polite", id: base + "-feedback" });
  section.appendChild(check);
  section.appendChild(error);
  section.appendChild(feedback);

  function showFeedback(record) {
    feedback.textContent = "";
    var grade = CareLab.grade(q, record.r);
    var verdict = grade.correct ? "✓ Right" : grade.score > 0 ? "◐ Partly right (" + Math.round(grade.score * 100) + "%)" : "✗ Not right";
    feedback.className = "feedback " + (grade.correct ? "right" : grade.score > 0 ? "partial" : "wrong");
    feedback.appendChild(el("p", { className: "verdict" }, verdict));
    if (q.options) {
      var list = el("ul", { className: "option-feedback" });
      CareLab.optionOrder(q, ctx.seed).forEach(function (index) {
        var option = q.options[index];
        var chosen = record.r.indexOf(index) >= 0;
        if (!chosen && !option.correct) return;
        var li = el("li");
        var tags = (chosen ? "Your choice" : "Not chosen") + (option.correct ? " · a right answer" : " · not right");
        li.appendChild(el("strong", null, tags + ": "));
        CareLab.inline(li, option.text);
        if (chosen && option.feedback.length) CareLab.blocks(li, option.feedback, 4);
        list.appendChild(li);
      });
      feedback.appendChild(list);
    }
    if (grade.feedback && grade.feedback.length) CareLab.blocks(feedback, grade.feedback, 4);
    (grade.lines || []).forEach(function (line) { feedback.appendChild(el("p", null, line)); });
    if (!grade.correct && q.kind === "short_text") feedback.appendChild(el("p", null, "An accepted answer: " + q.shown));
    if (!grade.correct && q.kind === "numeric") {
      feedback.appendChild(el("p", null, "The answer: " + q.answer + (q.unit ? " " + q.unit : "") +
        (q.tolerance ? " (± " + q.tolerance + ")" : "")));
    }
    if (!grade.correct && q.kind === "true_false") feedback.appendChild(el("p", null, "The answer: " + (q.answer ? "true" : "false")));
    feedback.appendChild(el("h4", null, "Why"));
    CareLab.blocks(feedback, q.explanation, 4);
    if (q.source) CareLab.citation(feedback, q.source.citation, q.source.url, "Source: ");
    feedback.appendChild(el("p", { className: "counts" },
      "Your first answer counts for the score: " + Math.round(record.s * 100) + "%. You can change your answer and check again to learn."));
  }

  check.addEventListener("click", function () {
    error.textContent = "";
    try {
      var record = ctx.answer(q, read());
      check.textContent = "Check again";
      showFeedback(record);
    } catch (problem) {
      if (!(problem instanceof CareLab.Invalid)) throw problem;
      error.textContent = "⚠ " + problem.message;
    }
  });
  if (saved) showFeedback(saved);
  return section;
};
