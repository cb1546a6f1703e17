// Headless Firefox (Debian's firefox-esr, no webdriver) as the interop echo
// peer: serves page.html, starts Firefox on it with a fresh profile, and takes
// the page's log lines by HTTP POST (Firefox does not print a page's console).
// Usage: node run_firefox.js <signaling url> <offer|answer> <trickle|complete> <mdns|plain> [usrsctp]
// (usrsctp: Firefox's former SCTP stack instead of dcsctp, its default).
// Environment: ICE_CONFIG (optional RTCConfiguration JSON for the page), PAGE
// (voice_page.html for the voice peer; default page.html, the echo peer).
const http = require("http");
const fs = require("fs");
const path = require("path");
const os = require("os");
const { spawn } = require("child_process");

const [url, role, mode, hosts, sctp] = process.argv.slice(2);
const log = (s) => console.log(s);

// The profile's user.js. The first group picks the host-candidate form and
// the SCTP stack; the rest keep Firefox unattended and off the network.
// Measured with MOZ_LOG=nsHostResolver:3: a fresh profile without them looks
// up 19 hosts within 40 s (captive-portal and connectivity checks, remote
// settings, push, telemetry, updates of the browser, add-ons and media
// plugins, safe browsing, DNS over HTTPS, the new-tab page's top sites); with
// them, none in 120 s, and every run checks that (see hostLookups).
const prefs = {
  // false: host candidates carry addresses; true: <uuid>.local mDNS names.
  "media.peerconnection.ice.obfuscate_host_addresses": hosts === "mdns",
  "media.peerconnection.sctp.use_dcsctp": sctp !== "usrsctp",
  // The voice page's AudioContext starts without a click.
  "media.autoplay.default": 0,
  "media.autoplay.blocking_policy": 0,
  "media.autoplay.block-webaudio": false,

  // First run: no default-browser check, welcome or what's-new pages.
  "browser.shell.checkDefaultBrowser": false,
  "browser.startup.homepage_override.mstone": "ignore",
  "browser.startup.page": 0,
  "browser.aboutwelcome.enabled": false,
  "startup.homepage_welcome_url": "",
  "startup.homepage_welcome_url.additional": "",
  "browser.newtabpage.enabled": false,
  "browser.newtabpage.activity-stream.default.sites": "",
  "browser.newtabpage.activity-stream.feeds.topsites": false,
  "browser.topsites.contile.enabled": false,

  // Network probes: captive portal (detectportal.firefox.com),
  // connectivity (ipv4only.arpa), DNS over HTTPS, prefetching.
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.trr.mode": 5,
  "network.dns.disablePrefetch": true,
  "network.prefetch-next": false,
  "network.http.speculative-parallel-limit": 0,

  // Updates: the browser (aus5), add-ons, media plugins (OpenH264,
  // Widevine from update.googleapis.com), search engines, experiments.
  "app.update.disabledForTesting": true,
  "app.update.auto": false,
  "extensions.update.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "extensions.blocklist.enabled": false,
  "extensions.systemAddon.update.enabled": false,
  "media.gmp-manager.url": "",
  "media.gmp-manager.chromium-update-url": "",
  "media.gmp-gmpopenh264.enabled": false,
  "media.gmp-widevinecdm.enabled": false,
  "media.gmp-widevinecdm.allow-chromium-update": false,
  "browser.search.update": false,
  "app.normandy.enabled": false,
  "app.normandy.api_url": "",
  "app.shield.optoutstudies.enabled": false,
  "messaging-system.rsexperimentloader.enabled": false,

  // Remote settings (firefox.settings.services.mozilla.com): a release build
  // honours another server only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the
  // environment (set below); this one is the dummy Firefox's own tests use.
  "services.settings.server": "data:,#remote-settings-dummy/v1",
  "security.remote_settings.intermediates.enabled": false,
  "security.remote_settings.crlite_filters.enabled": false,

  // Telemetry, legacy and Glean (incoming.telemetry.mozilla.org; a negative
  // port makes Glean drop its pings instead of uploading them).
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.unified": false,
  "toolkit.telemetry.server": "",
  "telemetry.fog.test.localhost_port": -1,

  // Push (push.services.mozilla.com), geolocation and region
  // (location.services.mozilla.com), safe browsing lists.
  "dom.push.connection.enabled": false,
  "geo.provider.network.url": "",
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.update.enabled": false,
};

function userJS() {
  return Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join("");
}

// hostLookups lists the names Firefox resolved, from the MOZ_LOG files of
// its processes (written unbuffered: "sync", else the lines still buffered
// when Firefox is stopped are lost). A page served from an address and
// signaling on one need none, so any name is a background connection the
// prefs failed to stop, and fails the run.
function hostLookups() {
  const names = new Set();
  for (const f of fs.readdirSync(profile).filter((f) => f.startsWith("dns.log"))) {
    for (const m of fs.readFileSync(path.join(profile, f), "utf8").matchAll(/Calling getaddrinfo for host \[([^\]]*)\]/g)) {
      names.add(m[1]);
    }
  }
  return [...names];
}

let firefox = null;
let profile = null;
let finished = false;
let pulse = null;
let pulseDir = null;

// startPulse starts a PulseAudio of this run's own with a null sink, and
// returns its server address: Firefox's AudioContext stays suspended without
// an audio output, which a test machine lacks. System mode, because this
// runs as root; the socket's folder is open to the daemon's own user (under
// /tmp: $TMPDIR may be a folder only root can enter).
function startPulse() {
  pulseDir = fs.mkdtempSync("/tmp/webrtc-go-pulse-");
  fs.chmodSync(pulseDir, 0o777);
  const socket = path.join(pulseDir, "native");
  pulse = spawn("pulseaudio", ["--system", "--daemonize=no", "--disallow-exit", "--exit-idle-time=-1", "-n",
    "--use-pid-file=no", "--disable-shm=yes", "--load=module-null-sink sink_name=null",
    `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`], { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10000;
    const check = () => {
      if (fs.existsSync(socket)) return resolve("unix:" + socket);
      if (pulse.exitCode !== null || Date.now() > deadline) return reject(new Error("PulseAudio did not start"));
      setTimeout(check, 50);
    };
    check();
  });
}

// finish stops Firefox, removes the profile and exits with code (3 if
// Firefox resolved a host name and nothing else failed). Firefox stays in
// this process's group, which the test kills when it is done, so nothing
// outlives a runner that was killed itself.
function finish(code) {
  if (finished) return;
  finished = true;
  const done = () => {
    if (profile) {
      const names = hostLookups();
      if (names.length > 0) {
        log("[firefox] looked up " + names.join(", ") + ": a pref failed to stop a background connection");
        code = code || 3;
      }
      fs.rmSync(profile, { recursive: true, force: true });
    }
    if (pulse) pulse.kill("SIGKILL");
    if (pulseDir) fs.rmSync(pulseDir, { recursive: true, force: true });
    process.exit(code);
  };
  if (!firefox || firefox.exitCode !== null) return done();
  firefox.on("exit", done);
  firefox.kill("SIGTERM");
  setTimeout(() => { firefox.kill("SIGKILL"); setTimeout(done, 500); }, 5000).unref();
}

const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/log") {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.writeHead(204);
      res.end();
      log("[firefox] " + body);
      if (/(ECHO|VOICE) DONE/.test(body)) finish(0);
      if (/(ECHO|VOICE) FAILED/.test(body)) finish(1);
    });
    return;
  }
  const name = path.basename(new URL(req.url, "http://x").pathname);
  if (!["page.html", "echo_peer.js", "voice_page.html", "voice_peer.js"].includes(name)) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { "content-type": name.endsWith(".js") ? "text/javascript" : "text/html" });
  fs.createReadStream(path.join(__dirname, name)).pipe(res);
});

setTimeout(() => { log("[firefox] timeout"); finish(2); }, 120000).unref();

server.listen(0, "127.0.0.1", async () => {
  // The voice page plays and analyses audio: it needs an audio output.
  const pulseServer = process.env.PAGE === "voice_page.html" ? await startPulse().catch((e) => {
    log("[firefox] " + e.message);
    finish(1);
  }) : undefined;
  if (finished) return;
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "webrtc-go-firefox-"));
  fs.writeFileSync(path.join(profile, "user.js"), userJS());
  const port = server.address().port;
  const page = `http://127.0.0.1:${port}/${process.env.PAGE || "page.html"}?url=${encodeURIComponent(url)}&role=${role}&mode=${mode}` +
    `&ice=${encodeURIComponent(process.env.ICE_CONFIG || "{}")}&browser=firefox&report=/log`;
  firefox = spawn("firefox-esr", ["--headless", "--no-remote", "--profile", profile, page], {
    stdio: ["ignore", "pipe", "pipe"],
    env: Object.assign({}, process.env, {
      MOZ_REMOTE_SETTINGS_DEVTOOLS: "1",
      MOZ_LOG: "sync,nsHostResolver:3",
      MOZ_LOG_FILE: path.join(profile, "dns.log"),
    }, pulseServer ? { PULSE_SERVER: pulseServer } : {}),
  });
  for (const stream of [firefox.stdout, firefox.stderr]) {
    stream.on("data", (d) => process.stdout.write("[firefox stdio] " + d));
  }
  firefox.on("exit", (code, sig) => {
    if (!finished) {
      log(`[firefox] exited early (${code ?? sig})`);
      finish(1);
    }
  });
});
