"""aiortc (Python) as the interop echo peer: the same protocol as echo_peer.js.

Usage: /usr/bin/python3 echo_peer.py <signaling url> <offer|answer>

aiortc does not trickle: its descriptions carry every candidate. It accepts
trickled candidates from the Godot side.
"""
import asyncio
import json
import sys

import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

NEGOTIATED = [
    {"label": "neg-reliable", "id": 10},
    {"label": "neg-unordered", "id": 11, "ordered": False},
    {"label": "neg-rtx0", "id": 12, "ordered": False, "maxRetransmits": 0},
    {"label": "neg-lifetime", "id": 13, "maxPacketLifeTime": 1000},
]


def log(msg):
    print("[aiortc] " + msg, flush=True)


async def run(url, offer):
    pc = RTCPeerConnection()
    channels = {}
    control = None
    done = asyncio.get_running_loop().create_future()

    def tell(msg):
        if control is not None and control.readyState == "open":
            control.send(json.dumps(msg))

    def wire(ch):
        nonlocal control
        channels[ch.label] = ch
        if ch.label == "control":
            control = ch

        @ch.on("message")
        def on_message(data):
            if ch.label == "control":
                asyncio.ensure_future(on_control(json.loads(data)))
            else:
                ch.send(data)

        @ch.on("close")
        def on_close():
            if ch.label != "control":
                tell({"event": "closed", "label": ch.label})

    async def on_control(cmd):
        log("control: " + json.dumps(cmd))
        if cmd["cmd"] == "hello":
            tell({"event": "hello", "agent": "aiortc", "maxMessageSize": 65536})
        elif cmd["cmd"] == "open":
            opts = cmd.get("opts", {})
            wire(pc.createDataChannel(cmd["label"], ordered=opts.get("ordered", True)))
        elif cmd["cmd"] == "close":
            if cmd["label"] in channels:
                channels[cmd["label"]].close()
        elif cmd["cmd"] == "bye":
            await pc.close()
            if not done.done():
                done.set_result("done")

    for n in NEGOTIATED:
        wire(pc.createDataChannel(n["label"], negotiated=True, id=n["id"], ordered=n.get("ordered", True),
                                  maxRetransmits=n.get("maxRetransmits"), maxPacketLifeTime=n.get("maxPacketLifeTime")))
    pc.on("datachannel", wire)

    @pc.on("connectionstatechange")
    def on_state():
        log("connection " + pc.connectionState)

    async with websockets.connect(url) as ws:
        async def send(msg):
            msg["to"] = 1
            await ws.send(json.dumps(msg))

        async def describe():
            await send({"type": pc.localDescription.type, "sdp": pc.localDescription.sdp})

        async def reader():
            async for raw in ws:
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind == "welcome":
                    if msg["id"] == 1:
                        raise RuntimeError("the Godot peer must join the room first")
                    if offer:
                        wire(pc.createDataChannel("control"))
                        await pc.setLocalDescription(await pc.createOffer())
                        await describe()
                elif kind in ("offer", "answer"):
                    await pc.setRemoteDescription(RTCSessionDescription(sdp=msg["sdp"], type=kind))
                    if kind == "offer":
                        await pc.setLocalDescription(await pc.createAnswer())
                        await describe()
                elif kind == "candidate":
                    line = msg["name"].split(":", 1)[1] if msg["name"].startswith("candidate:") else msg["name"]
                    if line:
                        cand = candidate_from_sdp(line)
                        cand.sdpMid, cand.sdpMLineIndex = msg["media"], msg["index"]
                        await pc.addIceCandidate(cand)
                elif kind == "leave":
                    break

        task = asyncio.ensure_future(reader())
        finished, _ = await asyncio.wait([task, done], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        if task in finished and task.exception():
            raise task.exception()
        if not finished:
            raise TimeoutError("no bye from the Godot side")
        task.cancel()
    await pc.close()
    log("finished")


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2] == "offer"))
