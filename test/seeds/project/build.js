// `npm run build` and `npm run build:production`: a build that reports its steps.
const steps = ["Compiling", "Bundling", "Minifying"];
console.log(`Building${process.argv.includes("--production") ? " for production" : ""}...`);
steps.forEach((step, i) => setTimeout(() => console.log(`${step}...`), 50 * (i + 1)));
setTimeout(() => console.log("Build complete"), 50 * (steps.length + 1));
