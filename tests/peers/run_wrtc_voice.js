// libwebrtc in Node (@roamhq/wrtc) as the voice interop peer: its
// nonstandard RTCAudioSource sends a 440 Hz tone in 10 ms frames, its
// RTCAudioSink gives the PCM of the track received.
// Usage: node run_wrtc_voice.js <signaling url> <offer|answer>
const { RTCPeerConnection, MediaStream, nonstandard } = require("@roamhq/wrtc");
const WebSocket = require("ws");
const { startVoicePeer, measureSamples } = require("./voice_peer.js");

const [url, role] = process.argv.slice(2);
const log = (s) => console.log("[wrtc] " + s);
const RATE = 48000;
const FRAME = RATE / 100; // wrtc takes exactly 10 ms per onData
let feeder = null;

function tone() {
  const source = new nonstandard.RTCAudioSource();
  const start = process.hrtime.bigint();
  let sent = 0;
  let phase = 0;
  feeder = setInterval(() => {
    // Keep pace with the clock, whatever the timer's drift.
    const due = Number(((process.hrtime.bigint() - start) * BigInt(RATE)) / 1000000000n);
    for (; sent + FRAME <= due; sent += FRAME) {
      const samples = new Int16Array(FRAME);
      for (let i = 0; i < FRAME; i++) {
        samples[i] = Math.round(0.5 * 32767 * Math.sin(phase));
        phase += (2 * Math.PI * 440) / RATE;
      }
      source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
    }
  }, 5);
  return source.createTrack();
}

function listen(track, seconds) {
  return new Promise((resolve) => {
    const sink = new nonstandard.RTCAudioSink(track);
    const chunks = [];
    let rate = RATE;
    let frames = 0;
    sink.ondata = (data) => {
      rate = data.sampleRate;
      const ch = data.channelCount || 1;
      const mono = new Float32Array(data.numberOfFrames);
      for (let i = 0; i < mono.length; i++) mono[i] = data.samples[i * ch] / 32768;
      chunks.push(mono);
      frames += mono.length;
    };
    setTimeout(() => {
      sink.stop();
      const all = new Float32Array(frames);
      let at = 0;
      for (const c of chunks) { all.set(c, at); at += c.length; }
      resolve(measureSamples(all, rate));
    }, seconds * 1000);
  });
}

const timer = setTimeout(() => { log("timeout"); process.exit(2); }, 120000);
startVoicePeer({ RTCPeerConnection, MediaStream, WebSocket, url, offer: role === "offer", tone, listen,
  agent: "libwebrtc (node)", log, seconds: 3 })
  .then((r) => { log("finished: " + r); clearTimeout(timer); clearInterval(feeder); setTimeout(() => process.exit(0), 100); })
  .catch((e) => { log("failed: " + e); process.exit(1); });
