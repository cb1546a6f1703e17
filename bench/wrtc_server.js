// Reference game server of the server benchmark on Google's libwebrtc through
// npm @roamhq/wrtc in Node (the libwebrtc column). It plays the workload of
// internal/gameload through the same signaling room as bench/server/server.gd:
// it is the room's peer 1, offers each player who joins a connection with
// WebRTCMultiplayerPeer's three negotiated channels, queues what the channels
// receive, and runs a 60 Hz game loop that reads the queue and sends the
// snapshots and events due. libwebrtc has no shared-port option here: each
// connection has its own UDP port.
// Usage: node wrtc_server.js ws://host:port/room
// Prints "PID <pid>", "READY", then every second a STAT line like the others.
const { RTCPeerConnection } = require("@roamhq/wrtc");
const WebSocket = require("ws");

const TICK_RATE = 60, SNAPSHOT_SIZE = 512, EVENT_SIZE = 1024, LATE_USEC = 100000;
const KIND_INPUT = 1, KIND_EVENT = 2, KIND_SNAPSHOT = 3;

const url = process.argv[2];
const JOINS_PER_FRAME = 4; // as server.gd: hundreds joining at once must not stall a frame
const players = new Map(); // id -> player, from join to leave
let joining = []; // ids waiting to be admitted
let queue = [];
const unixUsec = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

const ws = new WebSocket(url);
const send = (to, msg) => ws.send(JSON.stringify(Object.assign({ to }, msg)));
ws.on("error", (e) => { console.error("wrtc server: signaling: " + e.message); process.exit(1); });
ws.on("close", () => process.exit(0));
ws.on("message", (data) => {
  const m = JSON.parse(data);
  if (m.type === "welcome") {
    if (m.id !== 1) { console.error("wrtc server: the room already has a server"); process.exit(1); }
    console.log("READY");
  } else if (m.type === "join") {
    joining.push(m.id);
  } else if (m.type === "leave") {
    joining = joining.filter((id) => id !== m.id);
    const p = players.get(m.id);
    players.delete(m.id);
    if (p) p.pc.close();
  } else if (m.type === "answer") {
    const p = players.get(m.from);
    if (p) p.pc.setRemoteDescription({ type: "answer", sdp: m.sdp }).catch(() => {});
  } else if (m.type === "candidate") {
    const p = players.get(m.from);
    if (p) p.pc.addIceCandidate({ candidate: m.name, sdpMid: m.media, sdpMLineIndex: m.index }).catch(() => {});
  }
});

async function join(id) {
  const pc = new RTCPeerConnection();
  const p = { id, pc, open: 0, connected: false, inputs: 0, events: 0, late: 0, snapshotSeq: 0, eventSeq: 0 };
  players.set(id, p);
  pc.onicecandidate = (e) => {
    if (e.candidate) send(id, { type: "candidate", media: e.candidate.sdpMid, index: e.candidate.sdpMLineIndex, name: e.candidate.candidate });
  };
  const channel = (label, init) => {
    const ch = pc.createDataChannel(label, Object.assign({ negotiated: true }, init));
    ch.binaryType = "arraybuffer";
    ch.onopen = () => { if (++p.open === 3) p.connected = true; };
    ch.onmessage = (m) => {
      const v = new DataView(m.data);
      if (v.byteLength < 20) return;
      const kind = v.getUint8(0);
      queue.push({ p, kind, sent: kind === KIND_EVENT ? Number(v.getBigInt64(8, true)) : 0 });
    };
    return ch;
  };
  p.rel = channel("reliable", { id: 1 });
  channel("ordered", { id: 2, maxPacketLifeTime: 1 });
  p.unrel = channel("unreliable", { id: 3, maxPacketLifeTime: 1, ordered: false });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  send(id, { type: "offer", sdp: offer.sdp });
}

const snapshot = new Uint8Array(SNAPSHOT_SIZE), event = new Uint8Array(EVENT_SIZE);
const sv = new DataView(snapshot.buffer), ev = new DataView(event.buffer);
snapshot[0] = KIND_SNAPSHOT;
event[0] = KIND_EVENT;
let frame = 0, frameTimes = [], second = performance.now(), next = performance.now();

function tick() {
  const t0 = performance.now();
  for (const id of joining.splice(0, JOINS_PER_FRAME)) {
    join(id).catch((e) => console.error(`wrtc server: player ${id}: ${e.message}`));
  }
  const batch = queue;
  queue = [];
  const now = unixUsec();
  for (const r of batch) {
    if (r.kind === KIND_INPUT) r.p.inputs++;
    else if (r.kind === KIND_EVENT) {
      r.p.events++;
      if (now - r.sent > LATE_USEC) r.p.late++;
    }
  }
  frame++;
  let connected = 0;
  for (const p of players.values()) {
    if (!p.connected) continue;
    connected++;
    try {
      if (frame % 2 === 0) {
        sv.setUint32(4, ++p.snapshotSeq, true);
        sv.setUint32(8, p.inputs, true);
        sv.setUint32(12, p.events, true);
        sv.setUint32(16, p.late, true);
        p.unrel.send(snapshot);
      }
      if (p.id % TICK_RATE === frame % TICK_RATE) {
        ev.setUint32(4, ++p.eventSeq, true);
        ev.setBigInt64(8, BigInt(unixUsec()), true);
        p.rel.send(event);
      }
    } catch (e) { /* closing */ }
  }
  const t1 = performance.now();
  frameTimes.push(Math.round((t1 - t0) * 1000));
  if (t1 - second >= 1000) {
    second = t1;
    console.log("STAT " + JSON.stringify({ t: Date.now(), ft: frameTimes, players: connected, peers: players.size,
      live: players.size, heap: process.memoryUsage().heapUsed }));
    frameTimes = [];
  }
  next += 1000 / TICK_RATE;
  if (next < t1 - 100) next = t1; // fell far behind: do not run a burst of frames
  setTimeout(tick, Math.max(0, next - performance.now()));
}

console.log("PID " + process.pid);
setTimeout(tick, 1000 / TICK_RATE);
