// `node server.js` in /workspace/<dir>: says where it runs and with what, then serves as ../../server.js.
const { basename } = require("node:path");
console.log(`${basename(process.cwd())}: NODE_ENV=${process.env.NODE_ENV} PORT=${process.env.PORT}${process.env.API_KEY ? " API_KEY set" : ""}`);
require("../../server.js");
