// The remote side of the voice interop tests, for any standard
// RTCPeerConnection: Chromium (voice_page.html, WebAudio) and libwebrtc in
// Node (run_wrtc_voice.js, its nonstandard audio source and sink). It joins
// the signaling room after the Godot peer (id 2), adds an audio track playing
// a 440 Hz tone, offers or answers, measures the tone Godot sends for
// `seconds`, reports {type: "voice-result", freq, rms, seconds, codec, agent}
// to Godot and finishes when Godot says bye. The host provides:
//   tone()          a MediaStreamTrack playing the 440 Hz tone
//   listen(track, seconds)  a promise of {freq, rms, seconds} measured on it
(function (root) {
  function startVoicePeer({ RTCPeerConnection, MediaStream, WebSocket, url, offer, tone, listen, agent, log, seconds }) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      let pc = null;
      let remoteTrack = null;
      let measuring = false;
      const send = (msg) => ws.send(JSON.stringify(Object.assign({ to: 1 }, msg)));

      async function measure() {
        if (measuring || !remoteTrack || pc.connectionState !== "connected") return;
        measuring = true;
        // Let the jitter buffers settle.
        await new Promise((ok) => setTimeout(ok, 500));
        const result = await listen(remoteTrack, seconds);
        let codec = "";
        let packets = 0;
        const stats = await pc.getStats();
        stats.forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "audio") {
            packets = s.packetsReceived;
            const c = stats.get(s.codecId);
            if (c) codec = c.mimeType;
          }
        });
        log("heard Godot: " + JSON.stringify(result) + ", codec " + codec + ", packets " + packets);
        send(Object.assign({ type: "voice-result", codec, packets, agent }, result));
      }

      async function start() {
        pc = new RTCPeerConnection({});
        const track = tone();
        pc.addTrack(track, new MediaStream([track]));
        pc.ontrack = (ev) => {
          if (ev.track.kind !== "audio") return;
          remoteTrack = ev.track;
          measure().catch(reject);
        };
        pc.onicecandidate = (ev) => {
          if (ev.candidate && ev.candidate.candidate) {
            send({ type: "candidate", media: ev.candidate.sdpMid, index: ev.candidate.sdpMLineIndex, name: ev.candidate.candidate });
          }
        };
        pc.onconnectionstatechange = () => {
          log("connection " + pc.connectionState);
          measure().catch(reject);
        };
        if (offer) {
          await pc.setLocalDescription(await pc.createOffer());
          send({ type: "offer", sdp: pc.localDescription.sdp });
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
              send({ type: "answer", sdp: pc.localDescription.sdp });
            }
          } else if (msg.type === "candidate") {
            await pc.addIceCandidate({ candidate: msg.name, sdpMid: msg.media, sdpMLineIndex: msg.index });
          } else if (msg.type === "bye" || msg.type === "leave") {
            pc.close();
            setTimeout(() => { ws.close(); resolve(msg.type); }, 100);
          }
        } catch (err) {
          log("error: " + err);
          reject(err);
        }
      };
      ws.onerror = () => reject(new Error("signaling connection failed"));
    });
  }

  // measureSamples estimates the frequency of mono samples at rate from their
  // upward zero crossings (with hysteresis) and their RMS level.
  function measureSamples(samples, rate) {
    let sum = 0;
    for (const v of samples) sum += v * v;
    const rms = Math.sqrt(sum / Math.max(samples.length, 1));
    const h = rms * 0.2;
    let low = false, first = -1, last = -1, ups = 0;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      if (v < -h) low = true;
      else if (v > h && low) {
        low = false;
        if (first < 0) first = i; else ups++;
        last = i;
      }
    }
    return { freq: ups > 0 ? (ups * rate) / (last - first) : 0, rms, seconds: samples.length / rate };
  }

  root.startVoicePeer = startVoicePeer;
  root.measureSamples = measureSamples;
  if (typeof module !== "undefined") module.exports = { startVoicePeer, measureSamples };
})(typeof window !== "undefined" ? window : globalThis);
