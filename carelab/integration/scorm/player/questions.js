/* CareLab SCORM player: marking answers as the app does (carelab/learning/grading.py).
   A choice question gives partial credit by option weights; a ranking by the normalised
   Spearman footrule; numeric and short answers may match a known wrong answer and get its
   feedback. The first answer to a question is the one that counts for the score. */
"use strict";
var CareLab = window.CareLab || {};
window.CareLab = CareLab;

CareLab.Invalid = function (message) { this.message = message; };

CareLab.random = function (seed, text) {
  var h = 2166136261 >>> 0;
  var s = String(seed) + ":" + text;
  for (var i = 0; i < s.length; i += 1) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
  return function () {
    h = (h + 0x6D2B79F5) >>> 0;
    var t = h;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

CareLab.shuffled = function (count, seed, text) {
  var order = [];
  for (var i = 0; i < count; i += 1) order.push(i);
  var next = CareLab.random(seed, text);
  for (var j = count - 1; j > 0; j -= 1) {
    var k = Math.floor(next() * (j + 1));
    var t = order[j]; order[j] = order[k]; order[k] = t;
  }
  return order;
};

CareLab.optionOrder = function (q, seed) {
  if (!q.shuffle) return q.options.map(function (o, i) { return i; });
  return CareLab.shuffled(q.options.length, seed, q.key);
};

CareLab.itemOrder = function (q, seed) {
  var order = CareLab.shuffled(q.items.length, seed, q.key);
  var sorted = order.every(function (item, place) { return item === place; });
  return sorted ? order.reverse() : order;
};

CareLab.parseNumber = function (text) {
  var cleaned = String(text).trim().replace(/[ \u00a0]/g, "");
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(cleaned)) cleaned = cleaned.replace(/,/g, "");
  else if (/^-?\d+,\d+$/.test(cleaned)) cleaned = cleaned.replace(",", ".");
  cleaned = cleaned.replace(/%$/, "");
  var value = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned) ? Number(cleaned) : NaN;
  if (cleaned === "" || isNaN(value)) {
    throw new CareLab.Invalid("'" + text + "' is not a number. Type digits, e.g. 3.5");
  }
  if (!isFinite(value)) throw new CareLab.Invalid("Type a finite number, e.g. 3.5");
  return value;
};

CareLab.normalText = function (text, caseSensitive) {
  var spaced = String(text).split(/\s+/).filter(Boolean).join(" ");
  return caseSensitive ? spaced : spaced.toLowerCase();
};

CareLab.footrule = function (order) {
  var away = 0;
  order.forEach(function (item, place) { away += Math.abs(place - item); });
  return [away, Math.floor(order.length * order.length / 2)];
};

function numbered(items, order) {
  return order.map(function (item, place) { return (place + 1) + ". " + items[item]; }).join(" · ");
}

/* {score, correct, feedback (blocks), lines (text), chosen} for a response, or Invalid. */
CareLab.grade = function (q, response) {
  var i;
  if (q.kind === "single_choice" || q.kind === "multiple_choice") {
    if (!Array.isArray(response) || response.length === 0) {
      throw new CareLab.Invalid("Choose an option before checking your answer.");
    }
    if (q.kind === "single_choice" && response.length !== 1) throw new CareLab.Invalid("Choose one option.");
    var total = 0;
    response.forEach(function (index) { total += q.options[index].weight; });
    var right = [];
    q.options.forEach(function (o, index) { if (o.correct) right.push(index); });
    var same = right.length === response.length && right.every(function (x) { return response.indexOf(x) >= 0; });
    var score = Math.round(Math.min(1, Math.max(0, total / 100)) * 10000) / 10000;
    return { score: score, correct: same, feedback: null, lines: null };
  }
  if (q.kind === "true_false") {
    if (response !== true && response !== false) throw new CareLab.Invalid("Choose true or false.");
    var ok = response === q.answer;
    return { score: ok ? 1 : 0, correct: ok, feedback: response ? q.feedbackTrue : q.feedbackFalse, lines: null };
  }
  if (q.kind === "numeric") {
    var value = CareLab.parseNumber(response);
    var okNumber = Math.abs(value - q.answer) <= q.tolerance + 1e-9;
    var feedback = null;
    if (!okNumber) {
      for (i = 0; i < q.wrong.length; i += 1) {
        if (Math.abs(value - q.wrong[i].answer) <= q.wrong[i].tolerance + 1e-9) { feedback = q.wrong[i].feedback; break; }
      }
    }
    return { score: okNumber ? 1 : 0, correct: okNumber, feedback: feedback, lines: null };
  }
  if (q.kind === "short_text") {
    var given = CareLab.normalText(response, q.caseSensitive);
    if (!given) throw new CareLab.Invalid("Type an answer before checking it.");
    var matches = function (source) { return new RegExp(source).test(given); };
    var okText = q.accepted.some(matches);
    var said = null;
    if (!okText) {
      for (i = 0; i < q.wrong.length; i += 1) {
        if (matches(q.wrong[i].pattern)) { said = q.wrong[i].feedback; break; }
      }
    }
    return { score: okText ? 1 : 0, correct: okText, feedback: said, lines: null };
  }
  if (q.kind === "ranking") {
    var result = CareLab.footrule(response);
    var away = result[0], most = result[1];
    var rankScore = 1 - away / most;
    var inPlace = response.filter(function (item, place) { return item === place; }).length;
    var lines = ["Your order: " + numbered(q.items, response)];
    if (away) {
      var all = q.items.map(function (x, index) { return index; });
      lines.push("The right order: " + numbered(q.items, all));
      lines.push(inPlace + " of " + q.items.length + " items in their right place. Partial credit: your items are " +
        away + " place" + (away === 1 ? "" : "s") + " away from their right places in all, of at most " + most +
        " for " + q.items.length + " items, so the score is 1 − " + away + "/" + most + " = " +
        Math.round(rankScore * 100) + "%.");
    }
    return { score: Math.round(rankScore * 10000) / 10000, correct: away === 0, feedback: null, lines: lines };
  }
  throw new CareLab.Invalid("This question cannot be marked.");
};

/* The answer in SCORM 1.2 interaction form: type, student_response, correct pattern. */
CareLab.interaction = function (q, response) {
  var letter = function (index) { return "abcdefghijklmnopqrstuvwxyz".charAt(index); };
  if (q.kind === "single_choice" || q.kind === "multiple_choice") {
    var right = [];
    q.options.forEach(function (o, index) { if (o.correct) right.push(letter(index)); });
    return { type: "choice", response: response.slice().sort().map(letter).join(","), pattern: right.join(",") };
  }
  if (q.kind === "true_false") {
    return { type: "true-false", response: response ? "t" : "f", pattern: q.answer ? "t" : "f" };
  }
  if (q.kind === "numeric") {
    return { type: "numeric", response: String(CareLab.parseNumber(response)), pattern: String(q.answer) };
  }
  if (q.kind === "ranking") {
    return {
      type: "sequencing",
      response: response.map(letter).join(","),
      pattern: q.items.map(function (x, index) { return letter(index); }).join(",")
    };
  }
  return { type: "fill-in", response: String(response).slice(0, 255), pattern: String(q.shown).slice(0, 255) };
};
