// Headless Chromium (Debian's, driven by playwright-core) as the interop echo
// peer: serves page.html on 127.0.0.1 (a secure context) and waits for it.
// Usage: node run_chromium.js <signaling url> <offer|answer> <trickle|complete> <mdns|plain>
// Environment: ICE_CONFIG (optional RTCConfiguration JSON for the page),
// CHROMIUM_FLAGS (optional JSON Array of extra command-line flags), PAGE
// (voice_page.html for the voice peer; default page.html, the echo peer).
const http = require("http");
const fs = require("fs");
const path = require("path");
const os = require("os");
const { chromium } = require("playwright-core");

const [url, role, mode, hosts] = process.argv.slice(2);
const log = (s) => console.log(s);

const pageName = process.env.PAGE || "page.html";
const served = ["page.html", "echo_peer.js", "voice_page.html", "voice_peer.js"];

const server = http.createServer((req, res) => {
  const name = path.basename(new URL(req.url, "http://x").pathname);
  if (!served.includes(name)) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { "content-type": name.endsWith(".js") ? "text/javascript" : "text/html" });
  fs.createReadStream(path.join(__dirname, name)).pipe(res);
});

server.listen(0, "127.0.0.1", async () => {
  const args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic"];
  if (hosts === "plain") args.push("--disable-features=WebRtcHideLocalIpsWithMdns");
  args.push(...JSON.parse(process.env.CHROMIUM_FLAGS || "[]"));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "webrtc-go-chromium-"));
  const timer = setTimeout(() => { log("[chromium] timeout"); process.exit(2); }, 120000);
  const ctx = await chromium.launchPersistentContext(userDataDir, { executablePath: "/usr/bin/chromium", headless: true, args });
  const page = ctx.pages()[0] || (await ctx.newPage());
  const done = new Promise((resolve) => page.on("console", (m) => {
    log(m.text());
    if (/(ECHO|VOICE) DONE/.test(m.text())) resolve(0);
    if (/(ECHO|VOICE) FAILED/.test(m.text())) resolve(1);
  }));
  const port = server.address().port;
  await page.goto(`http://127.0.0.1:${port}/${pageName}?url=${encodeURIComponent(url)}&role=${role}&mode=${mode}&ice=${encodeURIComponent(process.env.ICE_CONFIG || "{}")}`);
  const code = await done;
  clearTimeout(timer);
  await ctx.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  process.exit(code);
});
