import { expect } from "vitest";
import { ask, test } from "./fixtures.js";

// The other test file writes its own greeting into its own stack at the same time.
test("the API serves what this worker's store holds", async ({ stack }) => {
  await ask(stack.dataPort, "SET schema_version 1");
  await ask(stack.dataPort, "SET greeting hello from the second file");
  const body = (await (await fetch(`${stack.apiUrl}/`)).json()) as { greeting: string };
  expect(body.greeting).toBe("hello from the second file");
  console.log(`second file: stack ${stack.name}`);
});
