// errand's page: a chat over /v1/ws/text. Every server event has a `seq`;
// the page remembers the last one it saw and, after a dropped socket,
// reconnects to the same session asking for everything after it, so no
// event is lost (and none is shown twice).
"use strict";

const STEPS = ["received", "understood", "dispatched", "confirmed"];
const FINAL_BAD = ["failed", "cancelled", "declined"];
const state = {
  session: sessionStorage.getItem("errand.session") || crypto.randomUUID(),
  lastSeq: Number(sessionStorage.getItem("errand.seq") || 0),
  socket: null,
  pending: [],
  retry: 500,
  commands: new Map(),
  seen: [],
};
sessionStorage.setItem("errand.session", state.session);

const $ = (id) => document.getElementById(id);

function bubble(kind, text) {
  const div = document.createElement("div");
  div.className = "bubble " + kind;
  div.textContent = text;
  $("transcript").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

function money(minor, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
  } catch {
    return (minor / 100).toFixed(2) + " " + currency;
  }
}

function command(traceId) {
  let c = state.commands.get(traceId);
  if (c) return c;
  const box = document.createElement("div");
  box.className = "command";
  box.dataset.trace = traceId;
  box.innerHTML = '<h2>Command</h2><ol class="timeline"></ol><div class="card" hidden></div>';
  const timeline = box.querySelector(".timeline");
  for (const step of STEPS) {
    const li = document.createElement("li");
    li.dataset.step = step;
    li.textContent = step;
    timeline.appendChild(li);
  }
  $("commands").prepend(box);
  c = { box, status: "received" };
  state.commands.set(traceId, c);
  return c;
}

function mark(traceId, status, domain) {
  const c = command(traceId);
  c.status = status;
  c.box.dataset.status = status;
  if (domain) c.box.querySelector("h2").textContent = domain[0].toUpperCase() + domain.slice(1);
  const reached = STEPS.indexOf(status);
  c.box.querySelectorAll(".timeline li").forEach((li, i) => {
    if (reached >= 0 && i <= reached) li.classList.add("done");
  });
  if (status === "awaiting_clarification") {
    c.box.querySelector('[data-step="received"]').classList.add("done");
  }
  if (FINAL_BAD.includes(status)) {
    const li = document.createElement("li");
    li.className = "failed";
    li.textContent = status;
    c.box.querySelector(".timeline").appendChild(li);
  }
}

function card(traceId, result, error) {
  const c = command(traceId);
  const el = c.box.querySelector(".card");
  el.hidden = false;
  if (error) {
    el.className = "card problem";
    el.textContent = error.message + " (" + error.code + ")";
    return;
  }
  if (!result) return;
  const rows = [];
  if (result.items) {
    for (const item of result.items) {
      rows.push(`<tr><td>${item.quantity} × ${escape(item.name)}</td><td class="money">${money(item.unit_price * item.quantity, result.currency)}</td></tr>`);
    }
    if (result.delivery_fee) rows.push(`<tr><td>Delivery</td><td class="money">${money(result.delivery_fee, result.currency)}</td></tr>`);
    rows.push(`<tr class="total"><td>Total</td><td class="money" data-field="total">${money(result.total, result.currency)}</td></tr>`);
    el.innerHTML = `<div>${escape(result.merchant || "")} → ${escape(result.address || "")}</div><table>${rows.join("")}</table>` +
      `<div class="eta" data-field="eta">Arrives in ${result.eta_minutes} min</div><small>Order ${escape(result.order_id)}</small>`;
  } else if (result.booking_id) {
    el.innerHTML = `<div>${escape(result.pickup.name)} → ${escape(result.destination.name)}</div>` +
      `<table><tr><td>${escape(result.ride_type)}, ${result.seats} seat(s), ${(result.distance_m / 1000).toFixed(1)} km</td></tr>` +
      `<tr class="total"><td>Fare</td><td class="money" data-field="total">${money(result.fare, result.currency)}</td></tr></table>` +
      `<div class="eta" data-field="eta">Driver in ${result.eta_minutes} min</div><small>Booking ${escape(result.booking_id)}</small>`;
  } else {
    el.textContent = JSON.stringify(result);
  }
}

function escape(text) {
  const div = document.createElement("div");
  div.textContent = String(text);
  return div.innerHTML;
}

function handle(event) {
  if (typeof event.seq === "number") {
    if (event.seq <= state.lastSeq) return; // already shown (a replay)
    state.seen.push(event.seq);
    state.lastSeq = event.seq;
    sessionStorage.setItem("errand.seq", String(event.seq));
  }
  switch (event.type) {
    case "ack":
      mark(event.trace_id, "received");
      break;
    case "transcript":
      if (event.final) bubble("you spoken", event.text);
      break;
    case "clarify":
      mark(event.trace_id, "awaiting_clarification");
      bubble("errand question", event.question).dataset.missing = event.missing.join(",");
      break;
    case "status":
      mark(event.trace_id, event.status, event.domain);
      if (event.result || event.error) card(event.trace_id, event.result, event.error);
      break;
    case "reply":
      bubble("errand", event.text);
      break;
    case "error":
      bubble("errand error", event.message + " (" + event.code + ")");
      break;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/v1/ws/text?session=${encodeURIComponent(state.session)}&after_seq=${state.lastSeq}`;
  const socket = new WebSocket(url);
  state.socket = socket;
  $("connection").dataset.state = "connecting";
  $("connection").textContent = "connecting…";
  socket.onopen = () => {
    state.retry = 500;
    $("connection").dataset.state = "open";
    $("connection").textContent = "connected";
    while (state.pending.length) socket.send(state.pending.shift());
  };
  socket.onmessage = (m) => {
    try {
      handle(JSON.parse(m.data));
    } catch (e) {
      console.error("unreadable event", m.data, e);
    }
  };
  socket.onclose = () => {
    $("connection").dataset.state = "closed";
    $("connection").textContent = "reconnecting…";
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 8000);
  };
}

$("say").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  bubble("you", text);
  const frame = JSON.stringify({ type: "utterance", text });
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(frame);
  else state.pending.push(frame);
  $("text").value = "";
});

// Voice: the microphone's audio, as 16-bit PCM at 16 kHz, in binary frames
// on /v1/ws/mic (same session), closed by {"type":"audio_end"}; the server
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
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const mic = new WebSocket(`${scheme}://${location.host}/v1/ws/mic?session=${encodeURIComponent(state.session)}`);
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
connect();
