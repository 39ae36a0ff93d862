// The `require` entry of the npm package (package.json "exports" → "require": "./dist/mod.cjs").
//
// airbyte-ts is one ES module. Node.js 20.19+ and 22.12+ load it through require() directly (the
// "module-sync" condition comes first in "exports", so they never reach this file); bundlers that
// resolve require() calls with the "require" condition land here and bundle the ES module the same
// way. What is left is a Node.js that cannot require() an ES module: it gets a message that says
// what to do instead of ERR_REQUIRE_ESM.
"use strict";

try {
  module.exports = require("./mod.js");
} catch (error) {
  if (!error || (error.code !== "ERR_REQUIRE_ESM" && error.code !== "ERR_REQUIRE_ASYNC_MODULE")) throw error;
  const version = typeof process === "object" && process.versions && process.versions.node;
  const [major, minor] = String(version).split(".").map(Number);
  const capable = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  const node = version ? `Node.js v${version}` : "this runtime";
  const why = capable
    ? `require() of ES modules is turned off in ${node} (look for --no-experimental-require-module in the command or NODE_OPTIONS)`
    : `${node} cannot require() ES modules (Node.js 20.19+ and 22.12+ can)`;
  throw new Error(
    `Cannot require('airbyte-ts'): it is an ES module, and ${why}. ` +
      'Load it with import() instead: `const { getSource } = await import("airbyte-ts");`.',
    { cause: error },
  );
}
