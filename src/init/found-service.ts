/** A service `sbx init` found in a project's files, before it is written as YAML. */
export interface FoundService {
  name: string;
  /** A string runs through the shell; a list is executed directly. Written as it is: `$` already escaped where meant for the shell. */
  command: string | readonly string[];
  /** Where it was found, said in a comment above it: `package.json script "dev"`. */
  from: string;
  /** Lines of advice written as comments above the service. */
  notes?: readonly string[];
  environment?: Readonly<Record<string, string>> | readonly string[];
  working_dir?: string;
  depends_on?: readonly string[] | Readonly<Record<string, { condition?: string }>>;
  ready?: { tcp?: number | string; exec?: string | readonly string[] };
  restart?: string;
}

/** What one source (package.json, a Procfile, a compose file) gave: services, and what it left out. */
export interface Findings {
  /** The file read, as named in the comments: `package.json`. */
  source: string;
  services: FoundService[];
  /** Comment lines about what was not taken, and why. */
  notTaken: string[];
}
