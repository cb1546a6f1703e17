// Benchmark runner for Google's libwebrtc through npm @roamhq/wrtc in Node, a
// reference engine (column c of the bench table). Both ends live in this
// process. Run by the orchestrator (go run ./bench) inside a network
// namespace, with NODE_PATH pointing at the provisioned npm cache and
// --expose-gc. Prints one line per figure: BENCH {"k":"<figure>","v":<value>}.
// Usage: node --expose-gc wrtc.js [duration seconds] [figures,comma,separated]
const { RTCPeerConnection } = require("@roamhq/wrtc");

const bufferLimit = 1 << 20;
const maxMessage = 256 << 10;
const pings = 10000;
const setupPairs = 20;
const costConns = 50;
const dur = Number(process.argv[2] || 2) * 1000;
const only = process.argv[3] ? process.argv[3].split(",") : null;

const emit = (k, v) => console.log("BENCH " + JSON.stringify({ k, v }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const timeout = (p, ms, what) => Promise.race([p, sleep(ms).then(() => { throw new Error(what + ": timed out"); })]);

// connect makes two peers with one channel, a to b, trickling candidates;
// setup is the time from createOffer to both channels open.
async function connect(init) {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  const pair = { a, b, msgs: 0, bytes: 0, onPong: null, close() { a.close(); b.close(); } };
  const relay = (from, to) => {
    const pending = [];
    let ready = false;
    from.onicecandidate = (e) => {
      if (!e.candidate) return;
      if (ready) to.addIceCandidate(e.candidate).catch(() => {});
      else pending.push(e.candidate);
    };
    return () => { ready = true; for (const c of pending) to.addIceCandidate(c).catch(() => {}); };
  };
  const readyB = relay(a, b), readyA = relay(b, a);
  const ca = a.createDataChannel("bench", init || {});
  ca.binaryType = "arraybuffer";
  pair.ca = ca;
  const openA = new Promise((r) => (ca.onopen = r));
  const openB = new Promise((r) => {
    b.ondatachannel = (e) => {
      const cb = e.channel;
      cb.binaryType = "arraybuffer";
      pair.cb = cb;
      cb.onmessage = (m) => {
        if (m.data.byteLength === 64) { cb.send(m.data); return; } // a ping
        pair.msgs++;
        pair.bytes += m.data.byteLength;
      };
      if (cb.readyState === "open") r(); else cb.onopen = r;
    };
  });
  ca.onmessage = () => { if (pair.onPong) pair.onPong(); };
  const start = now();
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  readyB();
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  readyA();
  await timeout(Promise.all([openA, openB]), 15000, "channels open");
  pair.setup = now() - start;
  return pair;
}

// pushFor sends size-byte messages for ms after warm ms, keeping bufferedAmount
// under bufferLimit; returns sent messages and, after warm-up, bytes received,
// seconds and CPU seconds.
function pushFor(p, size, warm, ms) {
  const msg = new Uint8Array(size);
  const ca = p.ca;
  let sent = 0, stop = false, b0 = 0, t0 = 0, c0 = 0;
  const start = now();
  return new Promise((resolve, reject) => {
    const pump = () => {
      if (stop) return;
      try {
        for (let i = 0; i < 256 && ca.bufferedAmount < bufferLimit; i++) { ca.send(msg); sent++; }
      } catch (e) { stop = true; reject(e); return; }
      // Full: check again in 1 ms (wrtc does not reliably fire
      // bufferedamountlow, so one chain of timers drives the sender).
      if (ca.bufferedAmount < bufferLimit) setImmediate(pump);
      else setTimeout(pump, 1);
    };
    setTimeout(() => { b0 = p.bytes; t0 = now(); c0 = cpu(); }, warm);
    setTimeout(() => {
      stop = true;
      resolve({ sent, bytes: p.bytes - b0, secs: (now() - t0) / 1000, cpu: cpu() - c0 });
    }, warm + ms);
    pump();
  });
}

async function bulk() {
  for (const [key, size] of [["bulk16k", 16 << 10], ["bulkmax", maxMessage]]) {
    const p = await connect();
    const r = await pushFor(p, size, 300, dur);
    p.close();
    if (r.bytes === 0) throw new Error(key + ": nothing received");
    emit(key + "_mbps", r.bytes / r.secs / 1e6);
    if (key === "bulk16k") emit("cpu_s_per_gb", r.cpu / (r.bytes / 1e9));
  }
}

async function unordered() {
  const p = await connect({ ordered: false, maxRetransmits: 0 });
  const start = now();
  const r = await pushFor(p, 1024, 0, dur);
  const secs = (now() - start) / 1000;
  await sleep(500);
  emit("unord_msgs", p.msgs / secs);
  emit("unord_loss", 100 * (1 - p.msgs / r.sent));
  p.close();
}

async function rtt() {
  const p = await connect();
  const msg = new Uint8Array(64);
  const ping = () => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("ping: no echo within 5 s")), 5000);
    p.onPong = () => { clearTimeout(t); resolve(); };
    p.ca.send(msg);
  });
  for (let i = 0; i < 200; i++) await ping();
  const times = [];
  for (let i = 0; i < pings; i++) {
    const t = process.hrtime.bigint();
    await ping();
    times.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  times.sort((x, y) => x - y);
  emit("rtt_p50_us", times[times.length >> 1]);
  emit("rtt_p99_us", times[Math.floor(times.length * 99 / 100)]);
  p.close();
}

async function setup() {
  const times = [];
  for (let i = 0; i < setupPairs; i++) {
    const p = await connect();
    times.push(p.setup);
    p.close();
  }
  times.sort((x, y) => x - y);
  emit("setup_ms", times[times.length >> 1]);
}

async function settle() {
  await sleep(500);
  if (global.gc) global.gc();
}

async function cost() {
  await settle();
  const rss0 = process.memoryUsage().rss;
  const pairs = [];
  while (pairs.length * 2 < costConns) pairs.push(await connect());
  await settle();
  emit("rss_kib_per_conn", (process.memoryUsage().rss - rss0) / 1024 / (pairs.length * 2));
  for (const p of pairs) p.close();
}

(async () => {
  const guard = setTimeout(() => { console.error("wrtc runner: timed out"); process.exit(3); }, 240000);
  let failed = false;
  for (const [name, f] of [["bulk", bulk], ["unordered", unordered], ["rtt", rtt], ["setup", setup], ["cost", cost]]) {
    if (only && !only.includes(name)) continue;
    try { await timeout(f(), 60000, name); } catch (e) { console.error(name + ": " + e.message); failed = true; }
  }
  clearTimeout(guard);
  // wrtc keeps native threads; exit explicitly.
  setTimeout(() => process.exit(failed ? 1 : 0), 100);
})();
