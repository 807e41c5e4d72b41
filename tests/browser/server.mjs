// Starts the cppapp binary (CPPAPP_BIN) on a free loopback port with its own data directory and
// waits for its "Started server: http://<ip>:<port>" line, as the Python harness does.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const STARTED = /Started server: http:\/\/[^:]+:(\d+)/;

/** Starts cppapp; resolves to { origin, output(), stop() }. */
export async function startServer(...args) {
  const bin = process.env.CPPAPP_BIN;
  if (!bin) throw new Error("CPPAPP_BIN is not set (ctest sets it)");
  const dataDir = mkdtempSync(join(tmpdir(), "cppapp-browser-"));
  // The tests write from one address: the per-client write limit is not what they check.
  const env = { ...process.env, DATA_DIR: dataDir, WRITE_RATE: "off" };
  delete env.NODE_ENV;
  delete env.APP_ENV;
  const child = spawn(bin, ["--host", "127.0.0.1", "--port", "0", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cppapp did not start:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = STARTED.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`cppapp exited with ${code}:\n${output}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
