/**
 * Objects as one YAML stream, `---` between them, as `kubectl apply -f` reads it. The objects are
 * plain data (maps, lists, strings, numbers, booleans), so the layout is written here, in the
 * yaml package's own style; a string that is not plainly safe in YAML 1.2 and in YAML 1.1 too
 * (which kubectl's parser reads: `yes`, `on`, `0755`, `1:20`) is written in double quotes, as
 * JSON writes it, which both read. yaml's stringify built a document of nodes for each object:
 * 0.27 ms an object, 800 ms of the 1,000-service export; and it writes `yes` and `on` plain, as
 * YAML 1.2 allows, which kubectl would read as booleans.
 */
export function renderYaml(objects: readonly object[]): string {
  return objects.map((object) => `${mapLines(object as Record<string, unknown>, "").join("\n")}\n`).join("---\n");
}

type Value = unknown;

function isCollection(value: Value): value is object {
  return typeof value === "object" && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).some((key) => (value as Record<string, unknown>)[key] !== undefined));
}

function mapLines(map: Record<string, Value>, pad: string): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const name = scalar(key);
    if (!isCollection(value)) lines.push(`${pad}${name}: ${scalar(value)}`);
    else if (Array.isArray(value)) lines.push(`${pad}${name}:`, ...sequenceLines(value, `${pad}  `));
    else lines.push(`${pad}${name}:`, ...mapLines(value as Record<string, Value>, `${pad}  `));
  }
  return lines;
}

function sequenceLines(items: readonly Value[], pad: string): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (!isCollection(item)) lines.push(`${pad}- ${scalar(item)}`);
    else {
      const inner = Array.isArray(item) ? sequenceLines(item, `${pad}  `) : mapLines(item as Record<string, Value>, `${pad}  `);
      lines.push(`${pad}- ${(inner[0] as string).slice(pad.length + 2)}`, ...inner.slice(1));
    }
  }
  return lines;
}

/** Words that YAML 1.1 reads as booleans or null: a string that is one of them is quoted. */
const RESERVED = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
/**
 * A string YAML reads as itself unquoted: it starts with a letter, '/', '_', or a '-' before a
 * letter or '-' (`-c`, `--for=x`: never a number or an item); holds printable ASCII with no ": "
 * nor " #"; and ends in neither ':' nor a space.
 */
const PLAIN = /^(?:[A-Za-z_/]|-[A-Za-z-])(?:[\x21-\x7e]| (?!#))*$/;

function scalar(value: Value): string {
  if (Array.isArray(value)) return "[]";
  if (typeof value === "object" && value !== null) return "{}";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  const text = String(value);
  return PLAIN.test(text) && !RESERVED.test(text) && !text.includes(": ") && !text.endsWith(":") && !text.endsWith(" ") ? text : JSON.stringify(text);
}
