// "Builds" the shared package: writes the file the other packages import.
import { mkdirSync, writeFileSync } from "node:fs";

mkdirSync("dist", { recursive: true });
writeFileSync("dist/greeting.json", JSON.stringify({ greeting: `hello from ${process.env.APP_NAME}` }));
console.log("shared package built: dist/greeting.json");
