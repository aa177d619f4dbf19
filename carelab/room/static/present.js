"use strict";
// The presenter screen: follows the presenter view (server-sent events read with fetch, so
// the token goes in a header, never a URL) and paces the room with the keyboard.
// Author and participant text is inserted with textContent only.
// To add a result kind or a block, add one render function to RESULTS or BLOCKS below.
(function () {
const body = document.body;
const code = body.dataset.code;
const API = "/room/api/presenter/";
const STORE_KEY = "carelab.presenter." + code;
const $ = (id) => document.getElementById(id);
const screen = $("screen");
let token = takeToken();
let view = null;
let clockOffset = 0;
let qrChoice = null;
let stopped = false;

// The token arrives in the URL's fragment (never sent to a server); it is kept in this
// tab's sessionStorage, so a reload still works, and taken off the address bar, which the
// room can see on the projector.
function takeToken() {
let found = "";
try { found = decodeURIComponent(location.hash.slice(1)); } catch (e) { found = ""; }
if (found) {
try { sessionStorage.setItem(STORE_KEY, found); } catch (e) { /* private mode */ }
history.replaceState(null, "", location.pathname);
return found;
}
try { return sessionStorage.getItem(STORE_KEY) || ""; } catch (e) { return ""; }
}

function el(tag, className, text) {
const made = document.createElement(tag);
if (className) made.className = className;
if (text !== undefined) made.textContent = text;
return made;
}

// Step text is Markdown: drawn as paragraphs and lists, **bold** as bold, a link as its
// words; everything else as the text it is (never parsed as HTML).
const LIST_ITEM = /^([-*]|\d+[.)])\s+/;
function inline(parent, text) {
const parts = text.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").split(/\*\*(.+?)\*\*/);
parts.forEach((part, i) => {
if (part) parent.append(i % 2 ? el("strong", "", part) : document.createTextNode(part));
});
}

function prose(box, text) {
box.replaceChildren();
String(text || "").split(/\n\s*\n/).forEach((block) => {
const lines = block.split("\n").map((line) => line.trim()).filter(Boolean);
if (!lines.length) return;
if (lines.every((line) => LIST_ITEM.test(line))) {
const list = el("ul");
lines.forEach((line) => {
const item = el("li");
inline(item, line.replace(LIST_ITEM, ""));
list.append(item);
});
box.append(list);
} else {
const paragraph = el("p");
inline(paragraph, lines.join(" "));
box.append(paragraph);
}
});
}

// A long prompt, text body or explanation shrinks (a question's to 0.9 rem, a text step's
// and an explanation to 0.7 rem) until it fits its fixed box, rather than being cut off.
function fit(box, start, least) {
box.style.fontSize = "";
for (let size = start; box.scrollHeight > box.clientHeight + 1 && size > least; size -= 0.05) {
box.style.fontSize = size.toFixed(2) + "rem";
}
}

function fitPrompt() {
const text = screen.classList.contains("text-step");
fit($("prompt"), text ? 1.2 : 1.3, text ? 0.7 : 0.9);
fit($("explanation"), 1, 0.7);
}

function percent(share) { return Math.round(share * 100) + "%"; }

function number(value) {
if (typeof value !== "number" || !isFinite(value)) return String(value);
return String(Number(value.toPrecision(4)));
}

// Keeps a box's rows between views of the same step and kind, so that only the bars'
// transforms change (and animate) and nothing moves. Rebuilds them when `key` changes.
function keep(box, key, count, make) {
if (box.dataset.key !== key || box.firstChild === null) {
box.replaceChildren();
const holder = make.holder();
for (let i = 0; i < count; i++) holder.append(make.row(i));
box.append(...make.before(), holder);
box.dataset.key = key;
void holder.offsetWidth; // start new bars from zero, so they grow in
}
return box.querySelector("[data-rows]");
}

function barRow() {
const row = el("div", "bar-row");
const track = el("div", "track");
track.append(el("div", "fill"));
track.setAttribute("aria-hidden", "true");
row.append(el("span", "bar-label"), track, el("span", "bar-value"));
return row;
}

function setBar(row, label, share, value, right) {
row.classList.toggle("right", right);
row.querySelector(".bar-label").textContent = label;
row.querySelector(".fill").style.transform = "scaleX(" + Math.max(0, Math.min(1, share)) + ")";
row.querySelector(".bar-value").textContent = value;
}

function holder(className, rows) {
return () => {
const made = el("div", className);
made.dataset.rows = "";
if (rows) made.style.gridTemplateRows = rows;
return made;
};
}

function columnRow() {
const column = el("div", "column");
const track = el("div", "column-track");
track.append(el("div", "column-fill"));
track.setAttribute("aria-hidden", "true");
column.append(track, el("span", "column-value"), el("span", "column-label"));
return column;
}

function setColumn(column, label, share, value) {
column.querySelector(".column-fill").style.transform = "scaleY(" + Math.max(0, Math.min(1, share)) + ")";
column.querySelector(".column-value").textContent = value;
column.querySelector(".column-label").textContent = label;
}

function summaryLine(box) {
return box.querySelector(".summary");
}

// Bars for single and multiple choice and the Lab vote: count and percentage as text on
// every bar; the right answer named in words (and ✓) once revealed, not by colour alone.
// Before the results are revealed the options stand in their rows with empty bars, so the
// reveal only grows the bars and nothing moves.
function renderBars(box, results, current, hidden) {
const counts = results.counts || [];
const lab = current.step.kind === "lab" ? " lab" : "";
const rows = keep(box, "bars:" + current.step_index + ":" + counts.length, counts.length, {
before: () => [el("p", "summary")],
holder: holder("bars" + lab, "repeat(" + counts.length + ", minmax(0, 3.4rem))"),
row: barRow,
});
counts.forEach((count, i) => {
const right = current.answer_revealed && count.correct === true;
const label = (right ? "✓ " : "") + count.label + (right ? " (right answer)" : "");
const value = hidden ? "" : count.count + " · " + percent(count.share);
setBar(rows.children[i], label, hidden ? 0 : count.share, value, right);
});
summaryLine(box).textContent = hidden
? "Results are hidden. They appear here when revealed."
: "Answers to each option, and the share of the " + results.answered + " who answered";
}

// The options with empty bars, for a choice step whose results are not yet revealed.
function unrevealed(current) {
const right = (current.step.answer && current.step.answer.options) || [];
const counts = current.step.options.map((label, i) => ({
index: i, label: label, count: 0, share: 0, correct: right.includes(i),
}));
return { counts: counts, answered: current.answered };
}

// A scale's distribution: one column per point, the mean and the ends' meanings as text.
function renderScale(box, results, current) {
const counts = results.counts || [];
const rows = keep(box, "scale:" + current.step_index + ":" + counts.length, counts.length, {
before: () => [el("p", "summary")],
holder: holder("columns"),
row: columnRow,
});
const most = Math.max(1, ...counts.map((c) => c.count));
let total = 0;
counts.forEach((count, i) => {
total += Number(count.label) * count.count;
setColumn(rows.children[i], count.label, count.count / most, count.count + " · " + percent(count.share));
});
const step = current.step;
const ends = counts.length ? counts[0].label + " = " + (step.scale_low || "lowest") + ", " +
counts[counts.length - 1].label + " = " + (step.scale_high || "highest") : "";
const mean = results.answered ? "Mean " + number(total / results.answered) + " · " : "";
summaryLine(box).textContent = mean + ends;
}

// A numeric poll: the histogram as columns, with the median, n and range as text.
function renderNumeric(box, results, current) {
const summary = results.numeric;
const bins = summary ? summary.bins : [];
const rows = keep(box, "numeric:" + current.step_index + ":" + bins.length, bins.length, {
before: () => [el("p", "summary")],
holder: holder("columns"),
row: columnRow,
});
const unit = current.step.unit ? " " + current.step.unit : "";
if (!summary) {
summaryLine(box).textContent = "No answers yet.";
return;
}
summaryLine(box).textContent = "Median " + number(summary.median) + unit + " · n = " + summary.n +
" · range " + number(summary.min) + " to " + number(summary.max) + unit;
const most = Math.max(1, ...bins.map((b) => b.count));
bins.forEach((bin, i) => {
const label = bins.length === 1 ? number(bin.low) : number(bin.low) + "–" + number(bin.high);
setColumn(rows.children[i], label, bin.count / most, String(bin.count));
});
}

// Open answers: the most used words, each with how many answers used it.
const WORD_SLOTS = 16;
function renderWords(box, results, current) {
const words = results.words || [];
const rows = keep(box, "words:" + current.step_index, WORD_SLOTS, {
before: () => [el("p", "summary")],
holder: holder("words"),
row: barRow,
});
const most = Math.max(1, ...words.map((w) => w.count));
for (let i = 0; i < WORD_SLOTS; i++) {
const row = rows.children[i];
const word = words[i];
row.style.visibility = word ? "visible" : "hidden";
if (word) setBar(row, word.word, word.count / most, String(word.count), false);
}
summaryLine(box).textContent = words.length
? "Most used words, with the number of answers using each"
: "No words yet.";
}

// A ranking: items best first, each bar longer the better its mean rank (1 = top), the
// mean rank as text on every bar.
function renderRanking(box, results, current) {
const items = results.ranking ? results.ranking.items : [];
const size = current.step.options.length;
const rows = keep(box, "ranking:" + current.step_index + ":" + size, size, {
before: () => [el("p", "summary")],
holder: holder("bars", "repeat(" + size + ", minmax(0, 3.4rem))"),
row: barRow,
});
summaryLine(box).textContent = results.ranking
? "Mean rank (1 = top) from " + results.ranking.n + " rankings, best first; the number on each bar"
: "No rankings yet.";
for (let i = 0; i < size; i++) {
const item = items[i], row = rows.children[i];
row.style.visibility = item ? "visible" : "hidden";
if (!item) continue;
const right = current.answer_revealed && item.right_place !== null;
const label = (i + 1) + ". " + item.label + (right ? " (right place " + item.right_place + ")" : "");
setBar(row, label, (size + 1 - item.mean_rank) / size, item.mean_rank.toFixed(2), false);
}
}

// A re-vote: each option (or ranked item) twice, the first vote and the re-vote, named in
// words on every bar; who changed, and the share right before and after once revealed.
function renderShift(box, results, current) {
const shift = results.shift;
const ranked = shift.ranks.length > 0;
const pairs = ranked ? shift.ranks : shift.options;
const count = pairs.length * 2;
const rows = keep(box, "shift:" + current.step_index + ":" + count, count, {
before: () => [el("p", "summary")],
holder: holder("bars shift", "repeat(" + count + ", minmax(0, 2.4rem))"),
row: barRow,
});
let line = shift.changed + " of " + shift.both + " who voted twice changed their answer";
if (current.answer_revealed && shift.right_first !== null) {
line += " · right: " + percent(shift.right_first) + " in the first vote, " +
percent(shift.right_second || 0) + " in the re-vote";
}
summaryLine(box).textContent = line;
const size = pairs.length;
const rank = (m) => (m === null ? 0 : (size + 1 - m) / size);
const mean = (m) => (m === null ? "–" : m.toFixed(2));
pairs.forEach((p, i) => {
const first = rows.children[2 * i], second = rows.children[2 * i + 1];
second.classList.add("second");
if (ranked) {
setBar(first, p.label + " · first vote", rank(p.first_mean), mean(p.first_mean), false);
setBar(second, "re-vote", rank(p.second_mean), mean(p.second_mean), false);
return;
}
const right = current.answer_revealed && p.correct === true;
const name = (right ? "✓ " : "") + p.label + (right ? " (right answer)" : "");
setBar(first, name + " · first vote", p.first_share, p.first + " · " + percent(p.first_share), right);
setBar(second, "re-vote", p.second_share, p.second + " · " + percent(p.second_share), right);
});
}

const RESULTS = {
single: renderBars,
multiple: renderBars,
lab: renderBars,
scale: renderScale,
numeric: renderNumeric,
open: renderWords,
ranking: renderRanking,
revote: renderShift,
};

// Blocks other parts of the room add to the view (questions from the floor, leaderboard,
// self-paced progress): name -> function (box, block, view), drawn when the block is not null.
const BLOCKS = {};

// Self-paced progress: per step a bar of the phones that reached it, and as text how many
// reached and answered it; how many finished above. A long plan shows its questions only.
BLOCKS.progress = function renderProgress(box, block) {
const all = block.steps || [];
const steps = all.length > 12 ? all.filter((s) => s.answerable) : all;
const joined = block.joined || 0;
const rows = keep(box, "progress:" + steps.length, steps.length, {
before: () => [el("h2", "block-title", "Self-paced progress"), el("p", "summary")],
holder: holder("bars pace-bars", "repeat(" + steps.length + ", minmax(0, 2.4rem))"),
row: barRow,
});
summaryLine(box).textContent = block.finished + " of " + joined + " finished · each bar: how many reached the step";
steps.forEach((s, i) => {
const value = s.reached + " of " + joined + (s.answerable ? " · " + s.answered + " answered" : "");
setBar(rows.children[i], s.index + 1 + ". " + s.title, joined ? s.reached / joined : 0, value, false);
});
};

// Quiz mode: the top of the leaderboard (at most 10, never the bottom of the table), only
// while the facilitator reveals it; place, name and points as text, ties sharing a place.
BLOCKS.leaderboard = function (box, block) {
box.replaceChildren(el("h2", "block-title", "Leaderboard"));
const list = el("ol", "leaderboard");
block.rows.forEach((row) => {
const item = el("li", "leader");
const points = row.points.toLocaleString("en-GB") + " points";
item.append(el("span", "leader-rank", row.rank + "."), el("span", "leader-name", row.name),
el("span", "leader-points", points));
list.append(item);
});
box.append(block.rows.length ? list : el("p", "note", "Nobody has scored yet."));
const tie = block.tied_beyond;
if (tie) {
const more = "…and " + tie.count + " more share place " + tie.rank + " with "
+ tie.points.toLocaleString("en-GB") + " points.";
box.append(el("p", "note", more));
}
};

// Questions from the floor: the one the facilitator put on the screen, in large type with
// its votes (it then takes the place of the results); otherwise how many are open.
BLOCKS.floor = function (box, block) {
const key = JSON.stringify(block);
if (box.dataset.key === key) return;
box.dataset.key = key;
const spot = block.spotlight;
if (spot) {
const votes = spot.votes === 1 ? "1 vote" : spot.votes + " votes";
box.replaceChildren(el("p", "floor-label", "Question from the floor"),
el("p", "floor-spot", spot.text), el("p", "floor-votes", votes));
return;
}
const n = block.open;
box.replaceChildren(el("p", "floor-count", n === 0 ? "No questions from the floor yet"
: n === 1 ? "1 question from the floor" : n + " questions from the floor"));
};

function resultKind(current) {
if (current.results && current.results.shift) return "revote";
return current.step.kind === "lab" ? "lab" : current.step.mode;
}

function renderResults(current) {
const box = $("results");
const step = current.step;
if (!step.mode || current.ended) {
box.replaceChildren();
box.dataset.key = "";
return;
}
if (current.results === null) {
if (RESULTS[resultKind(current)] === renderBars) {
renderBars(box, unrevealed(current), current, true);
} else if (box.dataset.key !== "hidden") {
box.replaceChildren(el("p", "note", "Results are hidden. They appear here when revealed."));
box.dataset.key = "hidden";
}
return;
}
const render = RESULTS[resultKind(current)] || RESULTS[step.mode];
if (render) render(box, current.results, current);
}

function renderBlocks(current) {
const holderBox = $("blocks");
Object.keys(BLOCKS).forEach((name) => {
let box = document.getElementById("block-" + name);
if (!box) {
box = el("section", "block");
box.id = "block-" + name;
holderBox.append(box);
}
const block = current[name];
box.hidden = block === null || block === undefined;
if (!box.hidden) BLOCKS[name](box, block, current);
});
}

function renderStatus(current) {
const step = current.step;
$("status").hidden = !step.mode || current.ended;
$("answered").textContent = current.answered + " of " + current.joined + " answered";
$("answering").textContent = answeringOpen(current) ? "Answering open" : "Answering locked";
tick();
}

function answeringOpen(current) {
if (!current.answering_open) return false;
return current.timer_ends_at === null || serverNow() < current.timer_ends_at;
}

function serverNow() { return Date.now() / 1000 + clockOffset; }

function tick() {
const timer = $("timer");
if (!view || view.timer_ends_at === null || view.ended || !view.step.mode) {
timer.hidden = true;
return;
}
const left = Math.max(0, Math.ceil(view.timer_ends_at - serverNow()));
timer.hidden = false;
timer.textContent = left ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + " left" : "Time is up";
if (!left) $("answering").textContent = "Answering locked";
}

function renderControls(current) {
const step = current.step;
const buttons = (name) => document.querySelector('[data-action="' + name + '"]');
buttons("previous").disabled = current.ended || current.step_index === 0;
buttons("next").disabled = current.ended || current.step_index + 1 >= current.step_count;
buttons("reveal").disabled = current.ended || !step.mode;
buttons("lock").disabled = current.ended || !step.mode;
buttons("answer").disabled = current.ended || !step.has_answer || current.answer_revealed;
$("reveal-label").textContent = current.results_revealed ? "Hide results" : "Reveal results";
$("lock-label").textContent = answeringOpen(current) ? "Lock answering" : "Open answering";
}

// The QR code shows by itself on the first step until results are revealed, and on demand.
function showQr(current) {
const wanted = qrChoice === null ? current.step_index === 0 && !current.results_revealed : qrChoice;
$("qr").hidden = !wanted || current.ended;
screen.dataset.qr = wanted ? "on" : "off";
fitPrompt(); // after the QR code, which narrows the text, has come or gone
}

function announce(before, current) {
const said = [];
if (current.ended && !(before && before.ended)) said.push("The workshop has ended.");
else if (!before || before.step_index !== current.step_index) {
said.push("Step " + (current.step_index + 1) + " of " + current.step_count + ": " + current.step.title + ".");
} else {
if (before.results_revealed !== current.results_revealed) {
said.push(current.results_revealed ? "Results shown." : "Results hidden.");
}
if (before.answering_open !== current.answering_open) {
said.push(current.answering_open ? "Answering open." : "Answering locked.");
}
if (!before.answer_revealed && current.answer_revealed) said.push("Right answer shown.");
}
if (said.length) $("announce").textContent = said.join(" ");
}

function render(current) {
const before = view;
// A stream's view can arrive after an action's newer reply: never step back in time.
if (before && current.version < before.version) return;
if (before && before.step_index !== current.step_index) qrChoice = null;
view = current;
clockOffset = current.server_time - Date.now() / 1000;
const step = current.step;
screen.classList.toggle("ended", current.ended);
screen.classList.toggle("text-step", !step.mode);
$("progress").textContent = current.ended
? current.title
: "Step " + (current.step_index + 1) + " of " + current.step_count + " · " + current.title;
$("title").textContent = current.ended ? "This workshop has ended. Thank you." : step.title;
prose($("prompt"), current.ended ? "" : step.mode ? step.prompt : current.body);
const explained = current.answer_revealed && step.explanation && !current.ended;
$("explanation").hidden = !explained;
$("explanation").textContent = explained ? step.explanation : "";
renderStatus(current);
renderResults(current);
renderBlocks(current);
renderControls(current);
showQr(current);
announce(before, current);
}

function problem(text) { $("problem").textContent = text || ""; }

function refused(message) {
stopped = true;
$("title").textContent = "This presenter screen cannot open";
prose($("prompt"), message);
$("progress").textContent = "";
screen.classList.add("ended");
}

// The workshop ended while this screen was reconnecting (the server answers 410): show the
// end as a live screen would have seen it, not as a link that fails.
function endedWhileAway() {
if (view) {
render(Object.assign({}, view, { ended: true }));
} else {
$("title").textContent = "This workshop has ended. Thank you.";
prose($("prompt"), "");
$("progress").textContent = "";
screen.classList.add("ended");
}
stopped = true;
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

function handle(chunk) {
let event = "message";
let data = "";
chunk.split("\n").forEach((line) => {
if (line.startsWith("event:")) event = line.slice(6).trim();
else if (line.startsWith("data:")) data += line.slice(5).trim();
});
if (event === "view") {
problem("");
render(JSON.parse(data));
} else if (event === "gone") {
refused(JSON.parse(data).error);
}
}

async function follow() {
if (!token) {
refused("Open the presenter screen from the Facilitate page: its link carries the key to this screen.");
return;
}
while (!stopped && !(view && view.ended)) {
try {
const response = await fetch(API + "stream?code=" + encodeURIComponent(code), {
headers: { "X-Presenter-Token": token },
cache: "no-store",
});
if (!response.ok) {
const reply = await response.json().catch(() => ({}));
if (response.status === 410) {
endedWhileAway();
return;
}
if ([403, 404].includes(response.status)) {
refused(reply.error || "This presenter link does not work any more.");
return;
}
problem(reply.error || "The server is busy. Trying again…");
await sleep(2000);
continue;
}
const reader = response.body.getReader();
const decoder = new TextDecoder();
let buffer = "";
for (;;) {
const { value, done } = await reader.read();
if (done) break;
buffer += decoder.decode(value, { stream: true });
let end;
while ((end = buffer.indexOf("\n\n")) >= 0) {
handle(buffer.slice(0, end));
buffer = buffer.slice(end + 2);
}
}
} catch (e) {
problem("Connection lost. Reconnecting…");
await sleep(2000);
}
}
}

// Actions run one after another, in the order pressed (two quick → move two steps); a
// few at most wait, so a held-down key cannot queue up a whole workshop.
let queue = Promise.resolve();
let waiting = 0;
function act(action) {
if (waiting >= 3 || !view || view.ended || stopped) return;
waiting += 1;
queue = queue.then(() => send(action)).finally(() => { waiting -= 1; });
}

async function send(action) {
if (!view || view.ended || stopped) return;
try {
const response = await fetch(API + "action", {
method: "POST",
headers: { "Content-Type": "application/json", "X-Presenter-Token": token },
body: JSON.stringify({ code: code, action: action }),
});
const reply = await response.json().catch(() => ({}));
if (response.ok) {
problem("");
render(reply);
} else if (response.status === 410) {
endedWhileAway();
} else if (response.status === 403) {
refused(reply.error || "This presenter link does not work any more.");
} else {
problem(reply.error || "That did not work. Try again.");
}
} catch (e) {
problem("No connection to the server. Try again in a moment.");
}
}

function toggleQr() {
if (!view) return;
const shown = !$("qr").hidden;
qrChoice = !shown;
showQr(view);
$("announce").textContent = qrChoice ? "QR code shown." : "QR code hidden.";
}

function toggleFullscreen() {
if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
else if (document.documentElement.requestFullscreen) {
document.documentElement.requestFullscreen().catch(() => problem("This browser did not allow full screen."));
}
}

// Arrow keys, and Page Down / Page Up as sent by presentation clickers.
const KEYS = {
ArrowRight: () => act("next"), PageDown: () => act("next"),
ArrowLeft: () => act("previous"), PageUp: () => act("previous"),
r: () => act("reveal"), l: () => act("lock"), a: () => act("answer"),
q: toggleQr, f: toggleFullscreen,
};

document.addEventListener("keydown", (event) => {
if (event.altKey || event.ctrlKey || event.metaKey) return;
const run = KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key];
if (!run) return;
event.preventDefault();
run();
});

document.querySelectorAll("[data-action]").forEach((button) => {
button.addEventListener("click", () => act(button.dataset.action));
});
document.querySelector('[data-local="qr"]').addEventListener("click", toggleQr);
document.querySelector('[data-local="fullscreen"]').addEventListener("click", toggleFullscreen);
window.addEventListener("resize", fitPrompt);
setInterval(tick, 250);
follow();
})();
