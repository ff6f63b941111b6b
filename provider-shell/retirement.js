/** The token-retirement resources' provider (see ./shell.js). State refers to this path: never move it. */
"use strict";
module.exports = require("./shell").providerShell("retirement-impl");
