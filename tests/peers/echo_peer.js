// The remote side of the interop tests, for any standard RTCPeerConnection:
// Chromium (loaded by page.html) and libwebrtc in Node (run_wrtc.js). It joins
// the signaling room after the Godot peer (so its id is 2), answers or offers,
// echoes every message on every channel (text stays text, binary binary), and
// obeys commands the Godot side sends as JSON on the "control" channel.
(function (root) {
  // Negotiated channels both sides create with the same ids.
  const NEGOTIATED = [
    { label: "neg-reliable", id: 10 },
    { label: "neg-unordered", id: 11, ordered: false },
    { label: "neg-rtx0", id: 12, ordered: false, maxRetransmits: 0 },
    { label: "neg-lifetime", id: 13, maxPacketLifeTime: 1000 },
  ];

  function startEchoPeer({ RTCPeerConnection, WebSocket, url, offer, trickle, agent, log, config }) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const channels = new Map();
      let pc = null;
      let control = null;
      const send = (msg) => ws.send(JSON.stringify(Object.assign({ to: 1 }, msg)));
      const tell = (msg) => control && control.readyState === "open" && control.send(JSON.stringify(msg));

      function wire(ch) {
        channels.set(ch.label, ch);
        ch.binaryType = "arraybuffer";
        if (ch.label === "control") control = ch;
        // Chromium can deliver a message on a channel it opened before that
        // channel's open event, while send() still throws: such messages are
        // handled once the channel opens.
        const early = [];
        const handle = (data) => {
          if (ch.label === "control") return onControl(JSON.parse(data));
          ch.send(data);
        };
        ch.onopen = () => early.splice(0).forEach(handle);
        ch.onmessage = (ev) => (ch.readyState === "connecting" ? early.push(ev.data) : handle(ev.data));
        ch.onclose = () => { if (ch !== control) tell({ event: "closed", label: ch.label }); };
      }

      function onControl(cmd) {
        log("control: " + JSON.stringify(cmd));
        if (cmd.cmd === "hello") {
          const max = (pc.sctp && pc.sctp.maxMessageSize) || 65536;
          tell({ event: "hello", agent, maxMessageSize: Math.min(max, 262144) });
        } else if (cmd.cmd === "open") {
          wire(pc.createDataChannel(cmd.label, cmd.opts || {}));
        } else if (cmd.cmd === "close") {
          const ch = channels.get(cmd.label);
          if (ch) ch.close();
        } else if (cmd.cmd === "bye") {
          pc.close();
          setTimeout(() => { ws.close(); resolve("done"); }, 200);
        }
      }

      async function sendDescription() {
        if (!trickle && pc.iceGatheringState !== "complete") {
          await new Promise((ok) => {
            pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && ok());
          });
        }
        send({ type: pc.localDescription.type, sdp: pc.localDescription.sdp });
      }

      async function start() {
        pc = new RTCPeerConnection(config || {});
        for (const n of NEGOTIATED) wire(pc.createDataChannel(n.label, Object.assign({ negotiated: true }, n)));
        pc.ondatachannel = (ev) => wire(ev.channel);
        pc.onicecandidate = (ev) => {
          if (trickle && ev.candidate && ev.candidate.candidate) {
            send({ type: "candidate", media: ev.candidate.sdpMid, index: ev.candidate.sdpMLineIndex, name: ev.candidate.candidate });
          }
        };
        pc.onconnectionstatechange = () => log("connection " + pc.connectionState);
        if (offer) {
          wire(pc.createDataChannel("control"));
          await pc.setLocalDescription(await pc.createOffer());
          await sendDescription();
        }
      }

      ws.onmessage = async (ev) => {
        try {
          const msg = JSON.parse(typeof ev.data === "string" ? ev.data : ev.data.toString());
          if (msg.type === "welcome") {
            if (msg.id === 1) throw new Error("the Godot peer must join the room first");
            await start();
          } else if (msg.type === "offer" || msg.type === "answer") {
            await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
            if (msg.type === "offer") {
              await pc.setLocalDescription(await pc.createAnswer());
              await sendDescription();
            }
          } else if (msg.type === "candidate") {
            await pc.addIceCandidate({ candidate: msg.name, sdpMid: msg.media, sdpMLineIndex: msg.index });
          } else if (msg.type === "leave") {
            resolve("peer left");
          }
        } catch (err) {
          log("error: " + err);
          reject(err);
        }
      };
      ws.onerror = () => reject(new Error("signaling connection failed"));
    });
  }

  root.startEchoPeer = startEchoPeer;
  if (typeof module !== "undefined") module.exports = { startEchoPeer };
})(typeof window !== "undefined" ? window : globalThis);
