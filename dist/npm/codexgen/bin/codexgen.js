#!/usr/bin/env node
// The `codexgen` command of the npm package: finds the native binary in the
// platform package npm installed beside this one (@codexgen/linux-x64 and so
// on, optional dependencies of which npm installs only the one whose `os` and
// `cpu` match) and runs it with this process's arguments, standard streams and
// environment, ending with its exit code or signal. The same shape as
// @openai/codex's bin/codex.js.
"use strict";

const { spawn } = require("node:child_process");
const { existsSync } = require("node:fs");
const { constants } = require("node:os");
const path = require("node:path");

const platform = process.platform;
const platformPackage = `@codexgen/${platform}-${process.arch}`;
const { optionalDependencies = {}, version } = require("../package.json");

function fail(message) {
  process.stderr.write(`codexgen: ${message}\n`);
  process.exit(1);
}

if (!(platformPackage in optionalDependencies)) {
  fail(
    `no prebuilt binary for ${process.platform} ${process.arch}; ` +
      "build from source: cargo install --locked codexgen",
  );
}

let binary;
try {
  const root = path.dirname(require.resolve(`${platformPackage}/package.json`));
  binary = path.join(root, "bin", platform === "win32" ? "codexgen.exe" : "codexgen");
} catch {
  binary = null;
}
if (!binary || !existsSync(binary)) {
  fail(
    `${platformPackage} is not installed (npm leaves optional dependencies out ` +
      `under --omit=optional); reinstall: npm install -g codexgen@${version}`,
  );
}

const args = process.argv.slice(2);

// Where Node can, become the binary: it then gets signals and the terminal
// directly, and its exit status is ours. (Node 22.15+/23.11+; not on Windows.)
if (platform !== "win32" && typeof process.execve === "function") {
  try {
    process.execve(binary, [binary, ...args], process.env);
  } catch (err) {
    fail(`cannot run ${binary}: ${err.message}`);
  }
}

// A signal sent to this process (not to the whole process group, as a
// terminal's Ctrl-C is) is passed on, for as long as the child runs. The
// handlers come before the child: a signal that arrives while it starts
// runs them once spawn() has returned, instead of ending Node and leaving
// the child behind.
let child = null;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    try {
      child?.kill(signal);
    } catch {
      // the child has gone already
    }
  });
}

child = spawn(binary, args, { stdio: "inherit" });

child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));

child.on("exit", (code, signal) => {
  if (signal) {
    // End by the same signal, so that shells see what the child saw; the
    // exit code is the fallback should the signal be ignored here.
    process.exitCode = 128 + (constants.signals[signal] || 0);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
