// errand's page: a chat over /v1/ws/text, and a card per command.
//
// - Every server event has a `seq`. The page keeps the last one it showed;
//   after a dropped socket it reconnects to the same session asking for
//   everything after it, and a reload asks for the session from its start
//   (after_seq=0), so each event is shown once, in order.
// - The server's events do not repeat what the person typed, so the page
//   keeps the person's words (and button presses) in sessionStorage, each
//   with the seq it followed, and puts them back in place on a replay.
// - A command gets a card once it is known to be one (a question, a
//   confirmation, or a status naming its domain): small talk and questions
//   answered with a reply get none.
// - Confirm and Cancel answer their own command only ({"type":"confirm" or
//   "cancel","trace_id":...}). errand cancels a placed order on its
//   Cancel at once, so the page asks first, on the card.
// - No framework and no build step: `h()` makes elements, a card is a
//   plain object holding its parts, and each event updates what it names.
"use strict";

const KEYS = { session: "errand.session", said: "errand.said", token: "errand.token" };
const SAID_KEPT = 300; // the server remembers a session's last 256 events

const state = {
  session: sessionStorage.getItem(KEYS.session) || newId(),
  token: localStorage.getItem(KEYS.token) || "",
  auth: false, // whether the server wants a token (GET /v1/hello)
  lastSeq: 0, // the last event shown; a reload starts again from the session's start
  socket: null,
  pending: [], // frames said while the socket was down
  retry: 500,
  quiet: null, // timer: the replay is over when the socket goes quiet
  commands: new Map(), // trace id → its card
  early: new Map(), // trace id → statuses seen before it was known to be a command
  seen: [], // every seq shown, in order (for tests)
  said: readSaid(), // what the person said or pressed: {after, text} or {after, act, trace, label}
  shown: 0, // how many of `said` are on the screen
};
sessionStorage.setItem(KEYS.session, state.session);

const $ = (id) => document.getElementById(id);

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Outside a secure context (plain http on a LAN address) there is no randomUUID.
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function readSaid() {
  try {
    return JSON.parse(sessionStorage.getItem(KEYS.said)) || [];
  } catch {
    return [];
  }
}

// h("p", {class: "x", onclick: f}, "text", child...): an element.
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return node;
}

// ---- Words and numbers -------------------------------------------------

const DOMAINS = { food: "Food", mart: "Groceries", ride: "Ride" };
const RIDE_TYPES = { standard: "Standard", shared: "Shared", xl: "XL", premium: "Premium" };
const STEPS = [
  ["received", "received"],
  ["understood", "understood"],
  ["awaiting_confirmation", "priced"],
  ["dispatched", "dispatched"],
  ["confirmed", "confirmed"],
];
const STEP_NAMES = STEPS.map(([step]) => step);
const ENDED_BADLY = ["failed", "cancelled", "declined"];
const STATE_TEXT = {
  received: "Received",
  awaiting_clarification: "Needs your answer",
  understood: "Understood",
  awaiting_confirmation: "Waiting for your OK",
  dispatched: "Placing…",
  confirmed: "Placed",
  failed: "Failed",
  declined: "Declined",
  cancelled: "Cancelled",
};
// Statuses only a command reaches (small talk ends `answered`, or
// `declined` without a domain).
const COMMAND_STEPS = new Set([
  "awaiting_clarification",
  "understood",
  "awaiting_confirmation",
  "dispatched",
  "confirmed",
  "failed",
]);

function money(minor, currency) {
  if (typeof minor !== "number") return "";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
  } catch {
    return (minor / 100).toFixed(2) + (currency ? " " + currency : "");
  }
}

// A pickup time as errand wrote it (RFC 3339 in the session's time zone):
// its wall-clock time, not moved to the browser's zone, so it reads as
// errand said it.
function when(rfc3339) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(rfc3339 || "");
  if (!m) return rfc3339;
  const [y, mo, d, hh, mi] = m.slice(1).map(Number);
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit", timeZone: "UTC",
  }).format(new Date(Date.UTC(y, mo - 1, d, hh, mi)));
}

function titleOf(domain) {
  if (!domain) return "Command";
  return DOMAINS[domain] || domain[0].toUpperCase() + domain.slice(1).replace(/_/g, " ");
}

// "order_food" → "Food", "book_ride" → "Ride", "refill_prescription" → "Refill prescription".
function titleOfIntent(intent) {
  const last = String(intent || "").split("_").pop();
  if (DOMAINS[last]) return DOMAINS[last];
  return intent ? titleOf(intent) : "Command";
}

const placeName = (place) => (place && typeof place === "object" ? place.name : place);

// ---- The conversation --------------------------------------------------

function bubble(kind, text) {
  const div = h("div", { class: "bubble " + kind }, text);
  const transcript = $("transcript");
  transcript.append(div);
  // Not scrollIntoView: on a narrow screen it would scroll the page too.
  transcript.scrollTop = transcript.scrollHeight;
  return div;
}

// The conversation stays at its latest words when the screen changes size
// (a phone turned, a keyboard opened), unless the person scrolled up.
function followTranscript() {
  const transcript = $("transcript");
  let atEnd = true;
  transcript.addEventListener("scroll", () => {
    atEnd = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
  });
  new ResizeObserver(() => {
    if (atEnd) transcript.scrollTop = transcript.scrollHeight;
  }).observe(transcript);
}

function greet(hello) {
  $("greeting-text").textContent = hello
    ? hello.greeting
    : "I can order food, deliver groceries and book rides.";
  const examples = (hello && hello.examples) || [];
  $("examples").replaceChildren(
    ...examples.slice(0, 3).map((text) =>
      h("button", { type: "button", class: "example", onclick: () => say(text) }, text)),
  );
  $("greeting").hidden = false;
}

// What the person said, on screen, remembered, and sent.
function say(text) {
  bubble("you", text);
  remember({ text });
  send({ type: "utterance", text });
}

// A button on a card: it answers that command only.
function press(c, act, label) {
  disableButtons(c);
  c.pressed = act;
  bubble("you press", label);
  remember({ act, trace: c.trace, label });
  send({ type: act, trace_id: c.trace });
}

function remember(entry) {
  showSaid(Infinity); // anything still waiting from a replay goes first
  entry.after = state.lastSeq;
  state.said.push(entry);
  if (state.said.length > SAID_KEPT) state.said.splice(0, state.said.length - SAID_KEPT);
  state.shown = state.said.length;
  sessionStorage.setItem(KEYS.said, JSON.stringify(state.said));
}

// On a replay: the person's words and presses that came before event `seq`.
function showSaid(seq) {
  while (state.shown < state.said.length && state.said[state.shown].after < seq) {
    const entry = state.said[state.shown++];
    if (entry.text) {
      bubble("you", entry.text);
    } else {
      bubble("you press", entry.label);
      const c = state.commands.get(entry.trace);
      if (c) {
        disableButtons(c);
        c.pressed = entry.act;
      }
    }
  }
}

function send(frame) {
  const text = JSON.stringify(frame);
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(text);
  else state.pending.push(text);
}

// ---- Command cards -----------------------------------------------------

function createCard(trace) {
  const c = {
    trace,
    status: null,
    domain: null,
    pressed: null, // a button pressed and not yet answered
    title: h("h2", {}, "Command"),
    badge: h("span", { class: "state" }),
    timeline: h("ol", { class: "timeline", "aria-label": "Progress" },
      STEPS.map(([step, label]) => h("li", { dataset: { step } }, label))),
    ask: h("div", { class: "ask", hidden: true }),
    result: h("div", { class: "card", hidden: true }),
  };
  c.box = h("article", { class: "command", dataset: { trace } },
    h("header", {}, c.title, c.badge), c.timeline, c.result, c.ask);
  $("commands").prepend(c.box);
  $("commands").scrollTop = 0;
  state.commands.set(trace, c);
  for (const status of state.early.get(trace) || []) progress(c, status);
  state.early.delete(trace);
  return c;
}

function setDomain(c, domain) {
  if (!domain || c.domain === domain) return;
  c.domain = domain;
  c.box.dataset.domain = domain;
  c.title.textContent = titleOf(domain);
}

function progress(c, status, domain) {
  setDomain(c, domain);
  c.status = status;
  c.box.dataset.status = status;
  const reached = STEP_NAMES.indexOf(status);
  for (const li of c.timeline.querySelectorAll("li[data-step]")) {
    const step = li.dataset.step;
    // "priced" is done only when it happened (ERRAND_CONFIRM may skip it).
    const passed = reached >= 0 && STEP_NAMES.indexOf(step) < reached && step !== "awaiting_confirmation";
    if (step === status || passed) li.classList.add("done");
  }
  if (status === "awaiting_clarification") c.timeline.querySelector('[data-step="received"]').classList.add("done");
  const ended = ENDED_BADLY.includes(status);
  if (ended || status === "confirmed") {
    // The steps it never took go: a confirmation skipped, or what a
    // command dropped at its confirmation never reached.
    for (const li of c.timeline.querySelectorAll("li[data-step]:not(.done)")) li.remove();
  }
  if (ended && !c.timeline.querySelector("li.failed")) c.timeline.append(h("li", { class: "failed" }, status));
  c.badge.textContent = status === "confirmed" && c.domain === "ride" ? "Booked" : STATE_TEXT[status] || status;
}

// What a card asks (a question, a confirmation, or whether to cancel),
// shown on it and brought into view.
function openAsk(c, kind, ...children) {
  c.ask.replaceChildren(...children);
  c.ask.dataset.kind = kind;
  delete c.ask.dataset.closed;
  c.ask.hidden = false;
  c.box.dataset.asking = kind;
  const list = $("commands");
  list.scrollTop = c.box.offsetTop - list.offsetTop;
}

function closeAsk(c) {
  c.ask.hidden = true;
  c.ask.replaceChildren();
  delete c.ask.dataset.kind;
  delete c.box.dataset.asking;
}

// A button that answers errand about this card's command only.
function actButton(c, act, label, kind) {
  return h("button", { type: "button", class: kind, dataset: { act }, onclick: () => press(c, act, label) }, label);
}

const questionText = (text) => h("p", { class: "question" }, text);

// The question a command waits on (a clarify).
function askQuestion(c, question) {
  openAsk(c, "clarify", questionText(question));
}

// A confirmation: the summary and the question, with Confirm and Cancel.
// On a placed order it is errand's question before cancelling it ("cancel
// my last order"): a yes cancels it, a no keeps it.
function askConfirm(c, event) {
  c.pressed = null;
  if (c.status === "confirmed") {
    openAsk(c, "cancel", questionText(event.question), h("div", { class: "actions" },
      actButton(c, "confirm", "Yes, cancel it", "danger"),
      actButton(c, "cancel", "Keep it", "plain")));
    return;
  }
  openAsk(c, "confirm", summary(event.summary), questionText(event.question), h("div", { class: "actions" },
    actButton(c, "confirm", "Confirm", "primary"),
    actButton(c, "cancel", "Cancel", "secondary")));
}

// The Cancel button of a placed order or ride. errand cancels a placed
// command as soon as it gets {"type":"cancel"}, so the page asks first;
// "Keep it" only closes the question.
function askCancel(c, result) {
  const what = c.domain === "ride" ? "ride" : "order";
  const amount = money(result.total ?? result.fare, result.currency);
  openAsk(c, "cancel", questionText(`Cancel this ${what}?${amount ? ` You'll get ${amount} back.` : ""}`),
    h("div", { class: "actions" },
      actButton(c, "cancel", "Yes, cancel it", "danger"),
      h("button", { type: "button", class: "plain", onclick: () => closeAsk(c) }, "Keep it")));
}

// The command moved on (dispatched, or ended): its question is answered
// and its buttons go. A confirmation's summary stays, greyed, when nothing
// was placed. Only these steps close a question: a status and a question
// travel on different topics, so `understood` and `awaiting_*` of the same
// turn may arrive just after the question they led to.
const CLOSING = new Set(["dispatched", "confirmed", "cancelled", "failed", "declined"]);

function settle(c, status) {
  if (!c.ask.dataset.kind) return;
  if (c.ask.dataset.kind !== "confirm" || ["dispatched", "confirmed"].includes(status)) {
    closeAsk(c);
    return;
  }
  c.ask.querySelector(".question")?.remove();
  c.ask.querySelector(".actions")?.remove();
  c.ask.append(h("p", { class: "unplaced" }, "Not placed: nothing was charged."));
  c.ask.dataset.closed = "not placed";
  delete c.ask.dataset.kind;
  delete c.box.dataset.asking;
}

function disableButtons(c) {
  for (const b of c.box.querySelectorAll("button")) b.disabled = true;
}

function enableButtons(c) {
  for (const b of c.box.querySelectorAll("button")) b.disabled = false;
}

// Lines with quantities and prices, the delivery fee and the total; or a
// ride's route, type, seats, time and fare; or an unpriced command's details.
function summary(s) {
  const parts = [];
  const currency = s.currency;
  if (s.items && s.items.length) {
    parts.push(h("p", { class: "where" }, [s.merchant, s.address].filter(Boolean).join(" → ")));
    const rows = s.items.map((item) =>
      h("tr", {},
        h("td", {}, `${item.quantity} × ${item.name}`, item.note ? h("small", { class: "note" }, " " + item.note) : null),
        h("td", { class: "money" }, money(item.unit_price * item.quantity, currency))));
    if (typeof s.delivery_fee === "number") {
      rows.push(h("tr", {}, h("td", {}, "Delivery"), h("td", { class: "money" }, money(s.delivery_fee, currency))));
    }
    if (typeof s.total === "number") {
      rows.push(h("tr", { class: "total" }, h("td", {}, "Total"),
        h("td", { class: "money", dataset: { field: "total" } }, money(s.total, currency))));
    }
    parts.push(h("table", {}, h("tbody", {}, rows)));
  } else if (s.pickup || s.destination) {
    parts.push(h("p", { class: "where" }, `${placeName(s.pickup) || "?"} → ${placeName(s.destination) || "?"}`));
    const facts = [
      RIDE_TYPES[s.ride_type] || s.ride_type,
      s.seats ? `${s.seats} seat${s.seats === 1 ? "" : "s"}` : null,
      s.pickup_at ? when(s.pickup_at) : "now",
    ].filter(Boolean).join(" · ");
    const rows = [h("tr", {}, h("td", { colspan: 2 }, facts))];
    if (typeof s.fare === "number") {
      rows.push(h("tr", { class: "total" }, h("td", {}, "Fare"),
        h("td", { class: "money", dataset: { field: "total" } }, money(s.fare, currency))));
    }
    parts.push(h("table", {}, h("tbody", {}, rows)));
  } else if (s.details && Object.keys(s.details).length) {
    parts.push(h("dl", { class: "details" }, Object.entries(s.details).map(([key, value]) =>
      [h("dt", {}, key.replace(/_/g, " ")), h("dd", {}, detail(value))])));
  }
  if (typeof s.eta_minutes === "number") parts.push(h("p", { class: "eta" }, `About ${s.eta_minutes} min`));
  if (s.notes && s.notes.length) parts.push(h("ul", { class: "notes" }, s.notes.map((n) => h("li", {}, n))));
  return h("div", { class: "summary" }, parts);
}

function detail(value) {
  if (Array.isArray(value)) {
    return value.map((v) => (v && typeof v === "object" && "name" in v ? `${v.quantity || 1} × ${v.name}` : String(v))).join(", ");
  }
  return value && typeof value === "object" ? JSON.stringify(value) : String(value);
}

// A command's result: the placed order or ride (with a Cancel button that
// asks first), a refund, or a failure.
function showResult(c, result, error) {
  const el = c.result;
  el.hidden = false;
  if (error) {
    el.className = "card problem";
    el.textContent = `${error.message} (${error.code})`;
    return;
  }
  if (result.cancelled !== undefined && result.refund !== undefined) {
    el.querySelector(".cancel-order")?.remove();
    el.append(h("p", { class: "refund", dataset: { field: "refund" } },
      `Cancelled: ${money(result.refund, result.currency)} refunded`));
    c.badge.textContent = "Cancelled, refunded";
    return;
  }
  el.className = "card";
  const cancel = h("button", { type: "button", class: "secondary cancel-order", onclick: () => askCancel(c, result) },
    c.domain === "ride" ? "Cancel ride" : "Cancel order");
  if (result.items) {
    const s = summary({ ...result, eta_minutes: undefined });
    el.replaceChildren(s,
      h("p", { class: "eta", dataset: { field: "eta" } }, `Arrives in ${result.eta_minutes} min`),
      h("div", { class: "placed" }, h("small", {}, `Order ${result.order_id}`), cancel));
  } else if (result.booking_id) {
    const s = summary({
      ...result, pickup: placeName(result.pickup), destination: placeName(result.destination), eta_minutes: undefined,
    });
    const eta = result.pickup_at ? `Pickup ${when(result.pickup_at)}` : `Driver in ${result.eta_minutes} min`;
    el.replaceChildren(s,
      h("p", { class: "eta", dataset: { field: "eta" } }, eta),
      h("div", { class: "placed" }, h("small", {}, `Booking ${result.booking_id}`), cancel));
  } else {
    // A custom domain's result: its fields as they are.
    el.replaceChildren(h("dl", { class: "details" }, Object.entries(result).map(([key, value]) =>
      [h("dt", {}, key.replace(/_/g, " ")), h("dd", {}, detail(value))])));
  }
}

// ---- Events --------------------------------------------------------------

function handle(event) {
  if (typeof event.seq === "number") {
    if (event.seq <= state.lastSeq) return; // already shown (a replay)
    showSaid(event.seq);
    state.seen.push(event.seq);
    state.lastSeq = event.seq;
  }
  switch (event.type) {
    case "transcript":
      if (event.final) bubble("you spoken", event.text);
      break;
    case "clarify": {
      const c = state.commands.get(event.trace_id) || createCard(event.trace_id);
      if (!c.domain) c.title.textContent = titleOfIntent(event.intent);
      askQuestion(c, event.question);
      const b = bubble("errand question", event.question);
      b.dataset.missing = event.missing.join(",");
      b.dataset.trace = event.trace_id;
      break;
    }
    case "confirm": {
      const c = state.commands.get(event.trace_id) || createCard(event.trace_id);
      setDomain(c, event.summary && event.summary.domain);
      askConfirm(c, event);
      bubble("errand question confirm", event.question).dataset.trace = event.trace_id;
      break;
    }
    case "status":
      onStatus(event);
      break;
    case "reply":
      bubble("errand", event.text);
      onAnswered(event.trace_id);
      break;
    case "error":
      bubble("errand error", `${event.message} (${event.code})`);
      if (event.trace_id) onAnswered(event.trace_id);
      break;
    // "ack" shows nothing: the utterance's bubble is already there.
  }
}

function onStatus(event) {
  const trace = event.trace_id;
  let c = state.commands.get(trace);
  if (!c && (event.domain || COMMAND_STEPS.has(event.status))) c = createCard(trace);
  if (!c) {
    // Not (yet) a command: remember the step, in case it becomes one.
    if (event.status === "answered" || event.status === "declined") state.early.delete(trace);
    else state.early.set(trace, [...(state.early.get(trace) || []), event.status]);
    return;
  }
  // A question answered while the command is open leaves its card as it is.
  if (event.status === "answered") return;
  progress(c, event.status, event.domain);
  c.pressed = null;
  if (CLOSING.has(event.status)) settle(c, event.status);
  if (event.result || event.error) showResult(c, event.result, event.error);
}

// A reply or an error for a command whose button was pressed, with no step
// after it: the press was answered in words ("OK, I haven't cancelled
// it.", "It's too late to cancel."). A question about cancelling is over;
// the buttons that are left (a confirmation's, a placed order's Cancel)
// can be used again.
function onAnswered(trace) {
  const c = state.commands.get(trace);
  if (!c || !c.pressed) return;
  c.pressed = null;
  if (c.ask.dataset.kind === "cancel") closeAsk(c);
  enableButtons(c);
}

// ---- The socket ----------------------------------------------------------

function socketUrl(path, afterSeq) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let url = `${scheme}://${location.host}${path}?session=${encodeURIComponent(state.session)}`;
  if (afterSeq !== undefined) url += `&after_seq=${afterSeq}`;
  if (state.token) url += `&token=${encodeURIComponent(state.token)}`;
  return url;
}

function connect() {
  const after = state.lastSeq;
  const socket = new WebSocket(socketUrl("/v1/ws/text", after));
  let opened = false;
  state.socket = socket;
  setConnection("connecting", "connecting…");
  socket.onopen = () => {
    opened = true;
    state.retry = 500;
    setConnection("open", "connected");
    while (state.pending.length) socket.send(state.pending.shift());
    replayQuiet();
  };
  socket.onmessage = (m) => {
    let event;
    try {
      event = JSON.parse(m.data);
    } catch (e) {
      console.error("unreadable event", m.data, e);
      return;
    }
    // This socket asked for events after `after`: an earlier one means
    // errand lost the session's numbering (it restarted); count afresh.
    if (typeof event.seq === "number" && event.seq <= after) state.lastSeq = event.seq - 1;
    handle(event);
    replayQuiet();
  };
  socket.onclose = async () => {
    if (state.socket !== socket) return;
    setConnection("closed", "reconnecting…");
    if (!opened && state.auth && (await tokenRefused())) {
      await askToken("That token was not accepted. Try another.");
      connect();
      return;
    }
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 8000);
  };
}

// When a (re)connected socket has been quiet for a moment its replay is
// over: the person's words that no event followed are shown too.
function replayQuiet() {
  clearTimeout(state.quiet);
  state.quiet = setTimeout(() => showSaid(Infinity), 400);
}

function setConnection(s, text) {
  $("connection").dataset.state = s;
  $("connection").textContent = text;
}

// ---- Start: what errand can do, and a token when it wants one -------------

function authHeaders() {
  return state.token ? { Authorization: `Bearer ${state.token}` } : {};
}

// Whether errand turns the kept token away (a socket that never opened
// does not say why; a request does).
async function tokenRefused() {
  try {
    const r = await fetch("/v1/commands/token-check", { headers: authHeaders() });
    return r.status === 401;
  } catch {
    return false;
  }
}

function askToken(message) {
  const dialog = $("login");
  if (message) $("login-message").textContent = message;
  $("token").value = "";
  return new Promise((resolve) => {
    $("login-form").onsubmit = () => {
      state.token = $("token").value.trim();
      localStorage.setItem(KEYS.token, state.token);
      resolve();
    };
    dialog.showModal();
  });
}
// Without a token nothing works: Escape does not close the dialog.
$("login").addEventListener("cancel", (e) => e.preventDefault());
// Back to the input once signed in. Chromium hands focus back to it but
// typing goes nowhere until it is focused afresh.
$("login").addEventListener("close", () => {
  $("text").blur();
  $("text").focus();
});

async function start() {
  followTranscript();
  let hello = null;
  try {
    const r = await fetch("/v1/hello", { headers: authHeaders() });
    if (r.ok) hello = await r.json();
  } catch (e) {
    console.error("no hello", e);
  }
  greet(hello);
  // Without speech-to-text on the server the microphone cannot be heard.
  $("mic").hidden = Boolean(hello) && !hello.speech;
  state.auth = Boolean(hello && hello.auth);
  if (state.auth && !state.token) await askToken();
  connect();
}

$("say").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  say(text);
  $("text").value = "";
});

// ---- Voice ---------------------------------------------------------------
// The microphone's audio, as 16-bit PCM at 16 kHz, in binary frames on
// /v1/ws/mic (same session), closed by {"type":"audio_end"}; the server
// writes it down, echoes the transcript and the dialogue goes on. Events
// that arrive on the microphone socket go through the same handler (the
// seq keeps each one shown once).
const voice = { recording: null };

function toPcm16k(samples, rate) {
  const ratio = rate / 16000;
  const out = new Int16Array(Math.floor(samples.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const from = Math.floor(i * ratio), to = Math.min(samples.length, Math.floor((i + 1) * ratio));
    let sum = 0;
    for (let j = from; j < to; j++) sum += samples[j];
    const v = Math.max(-1, Math.min(1, sum / Math.max(1, to - from)));
    out[i] = v < 0 ? v * 0x8000 : v * 0x7fff;
  }
  return out;
}

async function startVoice() {
  const mic = new WebSocket(socketUrl("/v1/ws/mic"));
  mic.binaryType = "arraybuffer";
  const queued = [];
  mic.onopen = () => { while (queued.length) mic.send(queued.shift()); };
  mic.onmessage = (m) => { try { handle(JSON.parse(m.data)); } catch (e) { console.error(e); } };
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (e) {
    bubble("errand error", "The microphone is not available: " + e.message);
    mic.close();
    return;
  }
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(stream);
  const processor = ctx.createScriptProcessor(4096, 1, 1);
  processor.onaudioprocess = (e) => {
    const pcm = toPcm16k(e.inputBuffer.getChannelData(0), ctx.sampleRate).buffer;
    if (mic.readyState === WebSocket.OPEN) mic.send(pcm);
    else queued.push(pcm);
  };
  source.connect(processor);
  processor.connect(ctx.destination);
  voice.recording = { mic, stream, ctx, source, processor, queued };
  $("mic").dataset.recording = "true";
  $("mic").textContent = "Stop";
}

function stopVoice() {
  const r = voice.recording;
  if (!r) return;
  voice.recording = null;
  r.processor.disconnect();
  r.source.disconnect();
  r.stream.getTracks().forEach((t) => t.stop());
  r.ctx.close();
  const end = JSON.stringify({ type: "audio_end" });
  if (r.mic.readyState === WebSocket.OPEN) r.mic.send(end);
  else r.queued.push(end);
  // Keep it open for the transcript and the reply, then let it go.
  setTimeout(() => r.mic.close(), 60000);
  $("mic").dataset.recording = "false";
  $("mic").textContent = "Speak";
}

$("mic").addEventListener("click", () => (voice.recording ? stopVoice() : startVoice()));

// For tests and debugging: drop the socket as a network would.
window.errand = { drop: () => state.socket && state.socket.close(), state };
start();
