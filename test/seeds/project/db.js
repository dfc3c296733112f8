// `process` of the first seed's waitForLog example: a database that says when it is ready.
const begun = Date.now();
console.log("Initializing database...");
setTimeout(() => {
  console.log(`Database initialized in ${Date.now() - begun}ms`);
  console.log("Ready to accept connections");
  console.log("Started");
}, 50);
setInterval(() => {}, 60_000);
