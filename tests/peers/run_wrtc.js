// libwebrtc in Node (@roamhq/wrtc) as the interop echo peer.
// Usage: node run_wrtc.js <signaling url> <offer|answer> <trickle|complete>
const { RTCPeerConnection } = require("@roamhq/wrtc");
const WebSocket = require("ws");
const { startEchoPeer } = require("./echo_peer.js");

const [url, role, mode] = process.argv.slice(2);
const log = (s) => console.log("[wrtc] " + s);
const timer = setTimeout(() => { log("timeout"); process.exit(2); }, 120000);
startEchoPeer({ RTCPeerConnection, WebSocket, url, offer: role === "offer", trickle: mode !== "complete", agent: "libwebrtc (node)", log })
  .then((r) => { log("finished: " + r); clearTimeout(timer); setTimeout(() => process.exit(0), 100); })
  .catch((e) => { log("failed: " + e); process.exit(1); });
