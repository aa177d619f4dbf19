// The phone's script. carelab/room/page.py inlines it, compacted (indentation and
// whole-line comments dropped), under the Content-Security-Policy hash of that text.
"use strict";
(() => {
const $ = (id) => document.getElementById(id);
const D = document.body.dataset, MAX = +D.maxText, code = D.code;
const token = new URLSearchParams(location.search).get("p");
const ids = "code=" + encodeURIComponent(code) + "&p=" + encodeURIComponent(token || "");
const show = (e, on) => { e.hidden = !on; };
const say = (e, text, cls) => { e.textContent = text || ""; e.className = cls || ""; };
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
async function call(method, path, body, signal) {
  const init = { method, cache: "no-store", signal, headers: { Accept: "application/json" } };
  if (body) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const res = await fetch(path, init);
  let data = {};
  try { data = await res.json(); } catch (e) { data = {}; }
  return { status: res.status, data };
}

function deviceId() {
  // A random id this phone keeps. The server ignores it (a phone can change it at will):
  // wrong codes count against the network address, and a right code always joins.
  try {
    let id = localStorage.getItem("carelab-device");
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem("carelab-device", id);
    }
    return id;
  } catch (e) {
    return undefined;
  }
}

function joinView() {
  show($("join-view"), true);
  const form = $("join-form"), msg = $("join-msg"), go = form.querySelector("button");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    go.disabled = true; say(msg, "Joining…");
    try {
      const body = { code: $("code").value, nickname: $("nickname").value, device: deviceId() };
      const r = await call("POST", "/room/api/join", body);
      if (r.status === 201) {
        const to = encodeURIComponent(r.data.code) + "?p=" + encodeURIComponent(r.data.token);
        return location.replace("/room/" + to);
      }
      say(msg, r.data.error || "Joining failed. Try again.", "bad");
      $(r.status === 422 ? "nickname" : "code").focus();
    } catch (e) { say(msg, "No connection. Check your Wi-Fi and try again.", "bad"); }
    go.disabled = false;
  });
}

let S = null, key = "", seenOpen = false, sending = false, stopped = false;
let offset = 0, timerEnd = null, marks = [], es = null, polling = false, waitCtl = null, fails = 0;
const form = $("answer-form"), status = $("status");
const announce = (text) => say($("announce"), text, "sr");
const now = () => Date.now() + offset;
const timeUp = () => !!(S && S.timer_ends_at && now() >= S.timer_ends_at * 1000);
const isOpen = () => !!(S && S.answering_open && !S.ended && !timeUp());

function choice(type, value, text, checked, sub) {
  const label = el("label", null, "choice"), input = el("input");
  input.type = type; input.name = "a"; input.value = value; input.checked = checked;
  label.append(input, el("span", text));
  if (sub) label.append(el("span", sub, "sub"));
  return label;
}
function build(st, mine) {
  form.replaceChildren();
  show(form, !!st.mode);
  if (!st.mode) return;
  const box = el("fieldset"), m = st.mode;
  box.setAttribute("aria-describedby", "prompt");
  if (m === "single" || m === "multiple") {
    box.append(el("legend", m === "single" ? "Choose one answer" : "Choose one or more answers"));
    const picked = (i) => (Array.isArray(mine) ? mine.includes(i) : mine === i);
    const type = m === "single" ? "radio" : "checkbox";
    st.options.forEach((t, i) => box.append(choice(type, i, t, picked(i))));
  } else if (m === "scale") {
    box.append(el("legend", "Choose from 1 to 5"));
    const row = el("div", null, "scale");
    for (let i = 1; i <= 5; i++) {
      const end = i === 1 ? st.scale_low : i === 5 ? st.scale_high : "";
      const box1 = choice("radio", i, String(i), mine === i);
      if (end) box1.append(el("span", ": " + end, "sr"));
      row.append(box1);
    }
    box.append(row);
    // The end labels sit under the row, where a 360 px screen has room for whole words;
    // screen readers hear them with 1 and 5 instead.
    if (st.scale_low || st.scale_high) {
      const ends = el("div", null, "ends");
      ends.setAttribute("aria-hidden", "true");
      ends.append(el("span", st.scale_low ? "1 = " + st.scale_low : ""),
                  el("span", st.scale_high ? "5 = " + st.scale_high : ""));
      box.append(ends);
    }
  } else if (m === "ranking") {
    rankList(box, st.options, mine);
  } else if (m === "numeric") {
    const label = el("label", "Your answer" + (st.unit ? " (" + st.unit + ")" : ""));
    const input = el("input", null, "field");
    input.id = label.htmlFor = "num"; input.inputMode = "decimal"; input.autocomplete = "off";
    input.maxLength = 40; input.value = mine == null ? "" : String(mine);
    const row = el("div", null, "row");
    row.append(input);
    if (st.unit) row.append(el("span", st.unit));
    box.append(label, row);
  } else {
    const label = el("label", "Your answer"), area = el("textarea", null, "field");
    area.id = label.htmlFor = "txt"; area.maxLength = MAX; area.value = mine || "";
    area.setAttribute("aria-describedby", "count");
    const count = el("p", null, "help"); count.id = "count";
    box.append(label, area, count);
  }
  const sent = S && S.self_paced ? "Answer sent" : "Send change";
  const go = el("button", mine == null ? "Send" : sent);
  go.type = "submit";
  form.append(box, go);
  counter();
}
// A ranking: the items in a list, each with Up and Down buttons (no dragging, so it works
// by keyboard, with a screen reader and at 390 px); the new place is announced.
let rank = [], rankBox = null;
function rankList(box, options, mine) {
  const ok = Array.isArray(mine) && mine.length === options.length;
  rank = ok ? mine.slice() : options.map((_, i) => i);
  box.append(el("legend", "Put these in order, the first at the top"));
  const help = el("p", "Use Up and Down to move an item.", "help");
  const list = rankBox = el("ol", null, "rank"); list.id = "rank";
  box.append(help, list);
  drawRank(options);
}
function drawRank(options, moved, dir) {
  const list = rankBox, n = rank.length;
  list.replaceChildren();
  rank.forEach((item, place) => {
    const li = el("li"), name = options[item];
    li.append(el("span", (place + 1) + ".", "place"), el("span", name, "item"));
    for (const [d, word] of [[-1, "Up"], [1, "Down"]]) {
      const b = el("button", word, "move");
      b.type = "button";
      b.setAttribute("aria-label", "Move " + name + " " + word.toLowerCase());
      b.disabled = place + d < 0 || place + d >= n;
      b.addEventListener("click", () => moveRank(options, place, d));
      li.append(b);
    }
    if (item === moved) li.dataset.moved = "";
    list.append(li);
  });
  if (moved == null) return;
  const li = list.children[rank.indexOf(moved)], [up, down] = li.querySelectorAll("button");
  // Keep focus on the moved item: the same button, or the other at the top or bottom.
  (dir < 0 ? (up.disabled ? down : up) : (down.disabled ? up : down)).focus();
}
function moveRank(options, place, d) {
  const to = place + d;
  if (to < 0 || to >= rank.length) return;
  const item = rank[place];
  [rank[place], rank[to]] = [rank[to], rank[place]];
  drawRank(options, item, d);
  announce(options[item] + ": now " + (to + 1) + " of " + rank.length + ".");
  if (S && S.my_answer != null && !sending) {
    say(status, "Changed: press Send change to update your answer.");
  }
}
function counter() {
  const area = $("txt");
  if (area) say($("count"), area.value.length + " of " + MAX + " characters", "help");
}
function value() {
  const m = S.step.mode, checked = [...form.querySelectorAll("input:checked")].map((i) => +i.value);
  if (m === "multiple") return checked;
  if (m === "ranking") return rank.slice();
  if (m === "single" || m === "scale") return checked.length ? checked[0] : null;
  return $(m === "numeric" ? "num" : "txt").value;
}
function controls() {
  const open = isOpen(), box = form.querySelector("fieldset");
  const go = form.querySelector("button[type=submit]");
  if (open) seenOpen = true;
  if (box) box.disabled = !open;
  if (go) go.disabled = !open || sending;
  let note = "";
  if (S && S.step.mode && !S.ended && !open && S.starts_at != null) {
    note = "Answering opens when the workshop starts.";
  } else if (S && S.self_paced && S.my_answer != null) {
    note = "";
  } else if (S && S.step.mode && !S.ended && !open) {
    note = timeUp() ? "Time is up: answering has closed."
      : seenOpen || S.my_answer != null ? "Answering is closed for this step."
      : "Answering has not opened yet. Wait for the facilitator.";
  }
  say($("closed"), note, note ? "note" : "");
}
function rightAnswer(st) {
  const a = st.answer || {};
  if (a.options) return a.options.map((i) => st.options[i]).join("; ");
  if (a.order) return a.order.map((i, k) => (k + 1) + ". " + st.options[i]).join("; ");
  const unit = st.unit ? " " + st.unit : "";
  if (a.value != null) return a.value + (a.tolerance ? " ± " + a.tolerance : "") + unit;
  return (a.accepted || []).join(" or ");
}
function reveal() {
  const box = $("reveal"), st = S.step, right = S.my_answer_correct;
  box.replaceChildren();
  show(box, S.answer_revealed && st.has_answer);
  if (box.hidden) return;
  box.append(right === true ? el("p", "✓ Right: your answer is correct.", "ok")
    : right === false ? el("p", "✗ Not right: your answer is not the correct one.", "bad")
    : el("p", "You did not answer this question."));
  box.append(el("p", "The answer: " + rightAnswer(st)));
  if (st.explanation) box.append(el("p", st.explanation));
}
// Quiz mode: this phone's own points (once an answer is revealed) and its own place (only
// while the facilitator shows the leaderboard); nothing at all when scoring is off.
const ordinal = (n) => {
  const t = n % 100, u = n % 10;
  return n + (t >= 11 && t <= 13 ? "th" : u === 1 ? "st" : u === 2 ? "nd" : u === 3 ? "rd" : "th");
};
function score() {
  const box = $("score"), q = S && S.quiz;
  box.replaceChildren();
  show(box, !!q);
  if (!q) return;
  const pts = q.points.toLocaleString("en-GB");
  box.append(el("p", "You have " + pts + (q.points === 1 ? " point" : " points"), "points"));
  if (q.rank != null) {
    box.append(el("p", "You are " + ordinal(q.rank) + " of " + q.players + " on the leaderboard."));
  }
}
function apply(s) {
  // A late reply must not undo a newer one.
  if (stopped || (S && s.version < S.version)) return;
  S = s; offset = s.server_time * 1000 - Date.now();
  floorState(s);
  say($("title"), s.title); document.title = s.title + " · CareLab";
  say($("progress"), "Step " + (s.step_index + 1) + " of " + s.step_count, "muted");
  if (s.ended) return ended();
  const st = s.step, k = s.step_index + ":" + st.id;
  say($("step-title"), st.title);
  say($("prompt"), st.prompt || (s.self_paced
    ? "This step has no question. Go on with Next when you are ready."
    : "Look at the screen: the facilitator leads this step."));
  if (k !== key) {
    const first = !key;
    key = k; seenOpen = false; build(st, s.my_answer);
    say(status, s.my_answer != null ? "Answer received ✓" : "", "ok");
    if (!first) announce("Step " + (s.step_index + 1) + " of " + s.step_count + ": " + st.title);
  }
  show($("results"), s.results_revealed && !!st.mode);
  controls(); reveal(); score(); tick(); startsAt(s); paced(s);
}
function startsAt(s) {
  // The scheduled start, in this phone's own time zone, until the facilitator starts.
  const box = $("starts"), at = s.starts_at;
  show(box, at != null && !s.ended);
  if (at == null) return;
  const when = new Date(at * 1000).toLocaleString([], {
    weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short" });
  say(box, at * 1000 > now() ? "Starts at " + when + ". You are in: wait here."
    : "Starting soon (planned for " + when + "). Wait for the facilitator.", "note");
}
function paced(s) {
  // A self-paced room: this phone moves through the steps on its own.
  const nav = $("pace"), own = !!s.self_paced && !s.ended && s.starts_at == null;
  show(nav, own);
  if (!own) return say($("pace-msg"), "");
  $("pace-prev").disabled = s.step_index === 0;
  $("pace-next").disabled = s.step_index >= s.step_count - 1;
  const last = s.step_index >= s.step_count - 1;
  say($("pace-msg"), last ? "This is the last step. You can go back to look again." : "");
}
async function paceTo(delta) {
  if (!S || sending) return;
  const to = S.step_index + delta;
  try {
    const r = await call("POST", "/room/api/move", { code, p: token, step_index: to });
    if (r.status === 200) return apply(r.data);
    say($("pace-msg"), r.data.error || "Could not move. Try again.", "bad");
    announce($("pace-msg").textContent);
    if (r.status === 404) gone(r.data.error); else resync();
  } catch (e) { say($("pace-msg"), "No connection. Try again.", "bad"); announce("No connection."); }
}
function ended() {
  stopped = true; stopLive();
  say($("progress"), "");
  say($("step-title"), "This workshop has ended");
  say($("prompt"), "It takes no more answers. Thank you for taking part!");
  for (const id of ["answer-form", "reveal", "timer", "results"]) show($(id), false);
  say(status, ""); say($("closed"), "");
  score();
  announce("This workshop has ended.");
}
function gone(message) {
  stopped = true; stopLive();
  say(status, message || "This device is not in the workshop.", "bad");
  show(form, false);
  const a = $("rejoin"); a.href = "/room/" + encodeURIComponent(code); show(a, true);
}
async function send(ev) {
  ev.preventDefault();
  const v = value();
  if (v === null || (Array.isArray(v) && !v.length)) {
    return say(status, "Choose an answer first.", "bad");
  }
  const sentFor = key;
  sending = true; controls(); say(status, "Sending…");
  try {
    const body = { code, p: token, step_index: S.step_index, value: v };
    const r = await call("POST", "/room/api/answer", body);
    // If the facilitator moved on meanwhile, the new step has its own form: leave it be.
    if (key !== sentFor) return;
    if (r.status === 200) {
      S.my_answer = r.data.answer;
      say(status, "Answer received ✓", "ok");
      const sentLabel = S.self_paced ? "Answer sent" : "Send change";
      form.querySelector("button[type=submit]").textContent = sentLabel;
      // Self-paced: the first answer stands, and the right answer shows now.
      if (S.self_paced) { build(S.step, S.my_answer); resync(); }
    } else if (r.status === 423) {
      // Closed before it arrived: show what is recorded, not the choice that was refused.
      build(S.step, S.my_answer);
      say(status, S.my_answer != null ? "Not sent: your earlier answer still counts."
        : "Not sent.", "bad");
      resync();
    } else {
      say(status, r.data.error || "Not sent. Try again.", "bad");
      if (r.status === 404) gone(r.data.error); else if (r.status !== 422) resync();
    }
  } catch (e) {
    const lost = "Not sent: no connection. Your answer is still here; send it again.";
    if (key === sentFor) say(status, lost, "bad");
  } finally {
    sending = false; controls();
  }
}
function tick() {
  const t = $("timer"), end = S && !S.ended ? S.timer_ends_at : null;
  show(t, !!end);
  if (!end) { timerEnd = null; return; }
  const left = Math.max(0, Math.ceil((end * 1000 - now()) / 1000));
  const clock = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  say(t, left ? "Time left: " + clock : "Time is up", left ? "" : "bad");
  // Screen readers hear the timer only at thresholds, never every second.
  if (end !== timerEnd) {
    timerEnd = end; marks = [60, 30, 10, 0].filter((m) => m < left);
    announce(left ? "Timer started: " + left + " seconds to answer." : "Time is up.");
  }
  let crossed = null;
  while (marks.length && left <= marks[0]) crossed = marks.shift();
  if (crossed !== null) {
    announce(crossed ? crossed + " seconds left." : "Time is up: answering has closed.");
    controls();
  }
}

async function resync() {
  try {
    const r = await call("GET", "/room/api/state?" + ids);
    if (r.status === 200) apply(r.data); else if (r.status === 404) gone(r.data.error);
  } catch (e) { link(false); }
}
const link = (ok) => say($("link"), ok ? "" : "Reconnecting…", "muted");
function stopLive() {
  if (es) { es.close(); es = null; }
  if (waitCtl) waitCtl.abort();
}
function live() {
  if (stopped || es) return;
  if (!window.EventSource || fails >= 3) return poll();
  const src = es = new EventSource("/room/api/stream?" + ids);
  let guard = 0;
  // A proxy that buffers the stream lets it open but delivers nothing: long-poll instead.
  const buffered = () => { if (es === src) { fails = 3; src.close(); es = null; live(); } };
  src.onopen = () => { link(true); guard = setTimeout(buffered, 5000); };
  src.addEventListener("state", (e) => {
    clearTimeout(guard); fails = 0; link(true); apply(JSON.parse(e.data));
  });
  src.addEventListener("gone", (e) => { clearTimeout(guard); gone(JSON.parse(e.data).error); });
  // The server ends each stream after a while (so it can restart); reconnect at once.
  src.addEventListener("renew", () => { clearTimeout(guard); src.close(); es = null; live(); });
  src.onerror = () => {
    clearTimeout(guard);
    if (stopped) return;
    link(false);
    if (src.readyState === EventSource.CLOSED) {
      es = null; fails++;
      setTimeout(() => resync().then(live), 2000 * fails);
    }
  };
}
async function poll() {
  if (polling) return;
  polling = true;
  let backoff = 1000;
  while (!stopped) {
    waitCtl = new AbortController();
    const timeout = setTimeout(() => waitCtl.abort(), 35000);
    try {
      const url = "/room/api/wait?" + ids + "&version=" + (S ? S.version : -1);
      const r = await call("GET", url, null, waitCtl.signal);
      clearTimeout(timeout);
      if (r.status === 200) { link(true); backoff = 1000; apply(r.data); continue; }
      if (r.status === 404) { gone(r.data.error); break; }
    } catch (e) { clearTimeout(timeout); link(false); }
    await sleep(backoff); backoff = Math.min(backoff * 2, 10000);
  }
  polling = false;
}


// Questions from the floor. The phone's state says whether they are on and the list's
// version as of that state; votes move the version without a new state (so 1,000 phones
// voting never re-read every phone's state), and the list is polled every few seconds
// while it is on screen: an unchanged list costs one small reply.
const FLOOR_POLL_MS = 5000;
let F = null, floorBusy = false, floorEnded = false;
const fq = $("floor-text"), fmsg = $("floor-msg");
function floorState(s) {
  const on = !!(s.floor && s.floor.on);
  show($("floor"), on);
  floorEnded = !!s.ended;
  show($("floor-form"), on && !s.ended);
  if (!on) return;
  if (!F || F.version !== s.floor.version || F.ended !== s.ended) floorFetch();
}
async function floorFetch(sinceKnown) {
  if (floorBusy) return;
  floorBusy = true;
  try {
    const since = sinceKnown && F ? "&since=" + F.version : "";
    const r = await call("GET", "/room/api/floor?" + ids + since);
    if (r.status === 200 && !r.data.unchanged) floorShow(r.data);
  } catch (e) { /* the next poll tries again */ }
  floorBusy = false;
}
function floorCount() {
  say($("floor-count"), fq.value.length + " of " + fq.maxLength + " characters", "help");
}
function floorItem(q) {
  const li = el("li"), text = el("p", q.text);
  text.id = "fq-" + q.id;
  li.append(text);
  const meta = [];
  if (q.status === "pending") meta.push("Your question: waiting for the facilitator");
  else {
    meta.push(q.votes + (q.votes === 1 ? " vote" : " votes"));
    if (q.status === "answered") meta.push("Answered");
    if (q.mine) meta.push("Your question");
  }
  li.append(el("p", meta.join(" · "), "meta"));
  if (q.status !== "pending") {
    const b = el("button", (q.voted ? "✓ " : "") + "Upvote");
    b.type = "button"; b.dataset.q = q.id;
    b.setAttribute("aria-pressed", q.voted ? "true" : "false");
    b.setAttribute("aria-describedby", text.id);
    b.disabled = floorEnded;
    li.append(b);
  }
  return li;
}
function floorShow(data) {
  if (F && data.version < F.version) return;  // a late reply must not undo a newer one
  const focused = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.q : null;
  F = data;
  const list = $("floor-list");
  list.replaceChildren(...data.questions.map(floorItem));
  show($("floor-empty"), !data.questions.length);
  say($("floor-more"), data.more ? "And " + data.more + " more with fewer votes." : "", "muted");
  const help = "Others in the room see your question, never who asked." +
    (data.moderated ? " The facilitator approves each question before others see it." : "");
  say($("floor-help"), help, "help");
  if (focused) {
    const again = list.querySelector('button[data-q="' + focused + '"]');
    if (again) again.focus();
  }
}
async function floorAsk(ev) {
  ev.preventDefault();
  if (!fq.value.trim()) { say(fmsg, "Write a question first: the box is empty.", "bad"); return fq.focus(); }
  const go = $("floor-form").querySelector("button");
  go.disabled = true; say(fmsg, "Sending…");
  try {
    const r = await call("POST", "/room/api/floor/ask", { code, p: token, text: fq.value });
    if (r.status === 201) {
      fq.value = ""; floorCount(); floorShow(r.data);
      say(fmsg, r.data.moderated ? "Sent ✓ The facilitator will approve it before others see it."
        : "Sent ✓ Your question is on the list.", "ok");
    } else {
      say(fmsg, r.data.error || "Not sent. Try again.", "bad");
      if (r.status === 422) fq.focus();
    }
  } catch (e) { say(fmsg, "Not sent: no connection. Your question is still here; send it again.", "bad"); }
  go.disabled = false;
}
let voting = null;
async function floorVote(ev) {
  // Not disabled while sending: that would drop the keyboard focus. A second tap waits.
  const b = ev.target.closest("button[data-q]");
  if (!b || b.disabled || voting) return;
  const up = b.getAttribute("aria-pressed") !== "true";
  voting = b.dataset.q;
  try {
    const body = { code, p: token, question_id: +voting, up };
    const r = await call("POST", "/room/api/floor/vote", body);
    if (r.status === 200) { floorShow(r.data); announce(up ? "Upvoted." : "Vote withdrawn."); }
    else { say(fmsg, r.data.error || "The vote was not counted. Try again.", "bad"); floorFetch(); }
  } catch (e) { say(fmsg, "The vote was not sent: no connection.", "bad"); }
  voting = null;
}
function floorPoll() {
  if (S && !stopped && S.floor && S.floor.on && !document.hidden) floorFetch(true);
}

if (D.mode !== "room" || !token) { joinView(); return; }
show($("room-view"), true);
form.addEventListener("submit", send);
$("pace-prev").addEventListener("click", () => paceTo(-1));
$("pace-next").addEventListener("click", () => paceTo(1));
form.addEventListener("input", () => {
  counter();
  if (S && S.my_answer != null && !sending) {
    say(status, "Changed: press Send change to update your answer.");
  }
});
addEventListener("online", () => { if (waitCtl) waitCtl.abort(); resync().then(live); });
document.addEventListener("visibilitychange", () => !document.hidden && !stopped && resync());
setInterval(() => S && !stopped && tick(), 1000);
$("floor-form").addEventListener("submit", floorAsk);
fq.addEventListener("input", floorCount); floorCount();
$("floor-list").addEventListener("click", floorVote);
setInterval(floorPoll, FLOOR_POLL_MS);
resync().then(live);
})();
